"""The Datasette plugin behind ``dumawatch browse``: Russian search, links between rows, the chart.

Registered by ``crawler/commands/browse.py`` (``datasette.plugins.pm.register``) before Datasette starts:

- SQL functions on every connection: ``dumawatch_match(query)`` and ``dumawatch_match_exact(query)``, the FTS5
  match expressions of ``crawler/storage/fulltext.py`` (normal form / words as typed), and
  ``dumawatch_snippet(title, text, query[, exact])``, the words around the match, in [brackets];
- ``?_search=`` on the views configured with ``fts_table: articles_lemmas`` and ``searchmode: raw`` searches in
  normal form: Datasette's own search filter puts ``:search`` in the MATCH, and this plugin's filter (run
  after it: ``trylast``) replaces that parameter with the query's match expression. ``&_fts_table=articles_fts
  &_searchmode=escaped`` searches the words as typed (Datasette's own, untouched);
- links: a mention's ``article_id`` and an article list's ``id`` lead to the article's row page;
- ``/-/dumawatch/mentions_weekly.png`` serves the feeds' chart, shown on the home page when the file exists.
"""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from crawler.storage.fulltext import LEMMA_TABLE, match_expression, snippet

PLUGIN = "dumawatch"
CHART = "mentions_weekly.png"
CHART_ROUTE = f"/-/{PLUGIN}/{CHART}"
_served = {"database": "", "feeds": None}  # set by configure() before Datasette starts


def configure(database: str, feeds: Path | None) -> None:
    """The database name the store is served under, and the feeds directory holding the chart."""
    _served.update(database=database, feeds=feeds)


@hookimpl
def prepare_connection(conn):
    conn.create_function("dumawatch_match", 1, lambda q: match_expression(q or ""), deterministic=True)
    conn.create_function("dumawatch_match_exact", 1, lambda q: match_expression(q or "", exact=True),
                         deterministic=True)
    conn.create_function("dumawatch_snippet", -1, _snippet_function, deterministic=True)


def _snippet_function(title, text, query, exact=0):
    return snippet(title or "", text or "", query or "", bool(exact))


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    """``_search`` on a view searched through the normal-form index: the query, put in normal form."""
    if not table:
        return None
    table_metadata = datasette.table_metadata(database, table)
    fts_table = request.args.get("_fts_table") or table_metadata.get("fts_table")
    search = request.args.get("_search")
    if fts_table != LEMMA_TABLE or search is None or request.args.get("_searchmode") == "escaped":
        return None
    return FilterArguments([], params={"search": match_expression(search)})


@hookimpl
def render_cell(value, column, table, database, datasette):
    target = {("mention_list", "article_id"), ("article_list", "id")}
    if (table, column) in target and isinstance(value, int):
        return Markup(f'<a href="{escape(datasette.urls.row(database, "articles", str(value)))}">{value}</a>')
    return None


def _chart_path() -> Path | None:
    return Path(_served["feeds"]) / CHART if _served["feeds"] else None


@hookimpl
def get_metadata(datasette, key, database, table):
    """The home page: the search form, and the weekly chart when the feeds hold it (checked on each page)."""
    if database is not None or key not in (None, "description_html") or _served["database"] not in datasette.databases:
        return None
    search = datasette.urls.database(_served["database"])
    html = (f'<form class="dumawatch-search" action="{search}/search" method="get">'
            '<label for="dumawatch-q">Search the articles:</label> '
            '<input id="dumawatch-q" type="search" name="q" placeholder="Блошкин газификация"> '
            '<input type="submit" value="Search"> '
            f'<input type="submit" value="Exact form" formaction="{search}/search_exact">'
            '<p>Words are matched in every form («Блошкин» finds «Блошкиным»); «Exact form» matches them '
            'as typed.</p></form>')
    chart = _chart_path()
    if chart is not None and chart.is_file():
        html += (f'<p><img id="dumawatch-chart" src="{CHART_ROUTE}?v={int(chart.stat().st_mtime)}" '
                 'alt="Mentions per watched name and topic per week" style="max-width:100%"></p>')
    return {"description_html": html}


async def _chart(request, datasette):
    chart = _chart_path()
    if chart is None or not chart.is_file():
        return Response.text("no chart yet: it is written with the feeds", status=404)
    return Response(chart.read_bytes(), content_type="image/png", headers={"Cache-Control": "no-cache"})


@hookimpl
def register_routes():
    return [(rf"^{CHART_ROUTE}$", _chart)]
