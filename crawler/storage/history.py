"""The store's history as the reports read it: the feeds' window and periods, what changed since a mark, the
archive's months, the chart's counts and the digests.

Every query of ``crawler/report/`` (feeds, archive, chart, digest) is here; they pass plain values (a cutoff
day, a period's days, an article id) and get rows back. Rows come in the feeds' order (:meth:`Store.iter_articles`,
:meth:`Store.iter_mentions`, :meth:`Store.iter_runs`). A function that runs several queries runs them on one
connection, so they read one state of the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_, select

from crawler.storage.schema import articles, digests, mentions, runs
from crawler.storage.store import Store

IN_CHUNK = 500  # URLs per IN (…) when looking for the rows a re-rooted chain rewrote


# -- which articles: the window and the periods -----------------------------------------------------------------
def _window_parts(cutoff: date) -> list:
    """The article conditions of the recent window, in feed order: published since ``cutoff`` (newest first), then
    first seen since it but published before or undated (these sort after the first part, so no merge is needed)."""
    day = cutoff.isoformat()
    # ``published_at || ''``: the second part must be found on first_seen's index (a few rows), never by walking
    # published_at's index through the whole older history
    return [articles.c.published_at >= day, (articles.c.first_seen >= day) & ((articles.c.published_at + "") < day)]


def _period_parts(since: date | None, until: date | None) -> list:
    """Conditions selecting the articles of a period, in feed order: the dated ones (published in it, newest first),
    then the undated ones first seen in it (undated rows sort last)."""
    dated = [articles.c.published_at != ""]
    undated = [articles.c.published_at == ""]
    if since:
        dated.append(articles.c.published_at >= since.isoformat())
        undated.append(articles.c.first_seen >= since.isoformat())
    if until:
        after = (until + timedelta(days=1)).isoformat()
        dated.append(articles.c.published_at < after)
        undated.append(articles.c.first_seen < after)
    return [and_(*dated), and_(*undated)]


def _rows(store: Store, kind: str, parts: list, added_after: int | None) -> Iterator[dict]:
    fetch = store.iter_articles if kind == "articles" else store.iter_mentions
    if added_after is None:  # part by part: each in feed order, the parts one after the other
        for part in parts:
            yield from fetch(part)
    else:  # the few rows added since: one query
        yield from fetch((articles.c.id > added_after) & or_(*parts))


def window_rows(store: Store, kind: str, cutoff: date, added_after: int | None = None) -> Iterator[dict]:
    """The rows of the recent window's ``kind`` feed (``"articles"`` or ``"mentions"``), in feed order: of the
    articles published since ``cutoff``, then of those first seen since it but published before or undated; with
    ``added_after``, only the rows of the articles whose id is higher."""
    return _rows(store, kind, _window_parts(cutoff), added_after)


def period_rows(store: Store, kind: str, since: date | None, until: date | None,
                added_after: int | None = None) -> Iterator[dict]:
    """The rows of a period's ``kind`` feed (``"articles"`` or ``"mentions"``; days inclusive, None: open), in feed
    order: of the articles published in it, then of the undated ones first seen in it; with ``added_after``, only
    the rows of the articles whose id is higher."""
    return _rows(store, kind, _period_parts(since, until), added_after)


def window_runs(store: Store, cutoff: date) -> Iterator[dict]:
    """The runs started since ``cutoff``, latest first."""
    return store.iter_runs(runs.c.started >= cutoff.isoformat())


def period_runs(store: Store, since: date | None, until: date | None) -> Iterator[dict]:
    """The runs started in a period (days inclusive, None: open), latest first."""
    parts = [runs.c.id > 0]
    if since:
        parts.append(runs.c.started >= since.isoformat())
    if until:
        parts.append(runs.c.started < (until + timedelta(days=1)).isoformat())
    return store.iter_runs(and_(*parts))


# -- what changed since a mark ----------------------------------------------------------------------------------
def _highest_article_id(conn) -> int:
    return conn.scalar(select(func.coalesce(func.max(articles.c.id), 0)))


def _changed_articles(conn, after: int) -> list[tuple[int, str, str]]:
    new = conn.execute(select(articles.c.id, articles.c.url, articles.c.published_at, articles.c.first_seen)
                       .where(articles.c.id > after)).all()
    changed = [(row.id, row.published_at, row.first_seen) for row in new]
    urls = [row.url for row in new]
    for start in range(0, len(urls), IN_CHUNK):
        changed += [tuple(row) for row in conn.execute(
            select(articles.c.id, articles.c.published_at, articles.c.first_seen)
            .where(articles.c.duplicate_of.in_(urls[start:start + IN_CHUNK]), articles.c.id <= after))]
    return changed


def highest_article_id(store: Store) -> int:
    """The highest article id (0: no articles)."""
    with store.connect() as conn:
        return _highest_article_id(conn)


def changed_articles(store: Store, after: int) -> list[tuple[int, str, str]]:
    """(id, published_at, first_seen) of the articles added after id ``after`` and of the older rows a re-rooted
    reprint chain rewrote meanwhile (they name one of the new articles in ``duplicate_of``)."""
    with store.connect() as conn:
        return _changed_articles(conn, after)


def highest_and_changed_articles(store: Store, after: int | None) -> tuple[int, list[tuple[int, str, str]]]:
    """The highest article id and, unless ``after`` is None, :func:`changed_articles` after ``after`` (one read)."""
    with store.connect() as conn:
        return _highest_article_id(conn), (_changed_articles(conn, after) if after is not None else [])


def archive_changes(store: Store, marks: dict | None) -> tuple[dict, set[str] | None, list[tuple[int, str, str]],
                                                               list[str]]:
    """What the archive needs to know since ``marks`` (highest article and run ids, ``{"article": …, "run": …}``),
    in one read: the marks now; without ``marks``, every month (YYYY-MM) that holds an article (by publication,
    else by first sight) or a run; with them, :func:`changed_articles` after ``marks["article"]`` and when the runs
    added since ``marks["run"]`` started (and the latest run, whose row may have been updated since: the service
    marks a run 'timeout' after it ends)."""
    with store.connect() as conn:
        now = {"article": _highest_article_id(conn),
               "run": conn.scalar(select(func.coalesce(func.max(runs.c.id), 0)))}
        if not marks:
            months = {row[0] for row in conn.execute(
                select(func.substr(articles.c.published_at, 1, 7)).where(articles.c.published_at != "").distinct())}
            months |= {row[0] for row in conn.execute(
                select(func.substr(articles.c.first_seen, 1, 7)).where(articles.c.published_at == "").distinct())}
            months |= {row[0] for row in conn.execute(select(func.substr(runs.c.started, 1, 7)).distinct())}
            return now, months, [], []
        changed = _changed_articles(conn, marks["article"])
        latest = select(runs.c.run_id).order_by(runs.c.id.desc()).limit(1).scalar_subquery()
        started = [row[0] for row in conn.execute(
            select(runs.c.started).where(or_(runs.c.id > marks["run"], runs.c.run_id == latest)))]
    return now, None, changed, started


# -- the chart ----------------------------------------------------------------------------------------------------
def chart_mention_rows(store: Store, periods: Iterable[tuple[date | None, date | None]]) -> Iterator:
    """One row per mention of the articles of each period (days inclusive, None: open), period by period (one
    read): the article's ``published_at``, ``first_seen``, ``source_id``, ``duplicate_of``, the mention's ``kind``
    and ``watch`` (attributes)."""
    with store.connect() as conn:
        for part in (part for first, last in periods for part in _period_parts(first, last)):
            query = (select(articles.c.published_at, articles.c.first_seen, articles.c.source_id,
                            articles.c.duplicate_of, mentions.c.kind, mentions.c.watch)
                     .join(mentions, mentions.c.article_id == articles.c.id).where(part))
            yield from conn.execute(query)


# -- the digests ----------------------------------------------------------------------------------------------------
def last_digest_mark(store: Store, first_age: timedelta) -> int:
    """The highest article id the previous digest covered; before the first digest, the highest id of the articles
    first seen more than ``first_age`` ago (0: none)."""
    with store.connect() as conn:
        covered = conn.scalar(select(func.max(digests.c.last_article_id)))
        if covered is not None:
            return covered
        before = (datetime.now(UTC) - first_age).isoformat(timespec="seconds")
        return conn.scalar(select(func.coalesce(func.max(articles.c.id), 0)).where(articles.c.first_seen < before))


def mentions_of_articles_between(store: Store, after: int, up_to: int) -> list[dict]:
    """The mentions of the articles with ids in (``after``, ``up_to``], newest article first: kind, watch, matched,
    snippet, with the article's title, url, source_id, published_at, first_seen and duplicate_of."""
    query = (select(mentions.c.kind, mentions.c.watch, mentions.c.matched, mentions.c.snippet, articles.c.title,
                    articles.c.url, articles.c.source_id, articles.c.published_at, articles.c.first_seen,
                    articles.c.duplicate_of)
             .join(articles, articles.c.id == mentions.c.article_id)
             .where(articles.c.id > after, articles.c.id <= up_to)
             .order_by(articles.c.published_at.desc(), articles.c.id.desc(), mentions.c.id))
    with store.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def record_digest(store: Store, last_article_id: int, mention_count: int, delivered: bool) -> None:
    """Record a digest sent now (or not delivered) that covered the articles up to ``last_article_id``."""
    with store.begin() as conn:
        conn.execute(digests.insert().values(sent_at=datetime.now(UTC).isoformat(timespec="seconds"),
                                             last_article_id=last_article_id, mentions=mention_count,
                                             delivered=int(delivered)))
