"""The store's full-text index: every article's words as written and in normal form (SQLite FTS5).

Two FTS5 tables, both keyed by ``articles.id`` (their rowid):

- ``articles_fts`` (``title``, ``text``): the words as written, an external-content index of ``articles``
  kept up to date by triggers, so every writer of the store keeps it current (``unicode61``: case folded,
  «ё» and «е» kept apart — the exact form);
- ``articles_lemmas`` (``title``, ``text``): the same words in normal form (:func:`normal_forms`: every
  pymorphy3 lemma of the word, «ё» folded to «е», and for a word the dictionary lacks the nominatives the
  matcher's surname rules lead back to: «Тхагалеговым» → «тхагалегов»). It stores only the index
  (``content=''``); the crawl writes each article's row beside the article (``crawler/storage/hotpath.py``), with the
  normal forms computed in the worker processes (``pipelines/offload.py``) or, without workers, by the store.

A query's words are put in normal form the same way (:func:`match_expression`), each word becoming the OR
of its normal forms, the words ANDed: «Блошкин» finds «Блошкиным» and «А.В. Блошкину», «газификация» finds
«газификации». Results are ranked by BM25, the title weighing more than the text (:func:`search`).

``SCHEMA`` is created by the store's migration ``0004_fulltext_index`` (and by :func:`ensure_fulltext`, idempotent,
in ``dumawatch reindex``); :func:`reindex` rebuilds both indexes of an existing store. PostgreSQL stores have no
full-text index here (see ``crawler/commands/browse.py``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from pipelines.normal_forms import WORD as _WORD
from pipelines.normal_forms import article_normal_forms, word_normal_forms

EXACT_TABLE = "articles_fts"
LEMMA_TABLE = "articles_lemmas"
TITLE_WEIGHT = 5.0  # BM25 weight of a title match against a text match (1.0)
RANK_WINDOW = 20_000  # a query is ranked among its most recently stored matches, this many at most
_NOTHING = '"\u2400"'  # a match expression no indexed word meets (a query without words finds nothing)

SCHEMA = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {EXACT_TABLE} USING fts5("
    "title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {LEMMA_TABLE} USING fts5("
    "title, text, content='', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN "
    f"INSERT INTO {EXACT_TABLE} (rowid, title, text) VALUES (new.id, new.title, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN "
    f"INSERT INTO {EXACT_TABLE} ({EXACT_TABLE}, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "END",
    f"CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
    f"INSERT INTO {EXACT_TABLE} ({EXACT_TABLE}, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    f"INSERT INTO {EXACT_TABLE} (rowid, title, text) VALUES (new.id, new.title, new.text); END",
)


# -- normal forms ---------------------------------------------------------------------------------------------
def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: str, exact: bool = False) -> str:
    """An FTS5 MATCH expression for ``query``: every word must be there (AND).

    In normal form (the default, against ``articles_lemmas``) each word stands for any of its normal forms;
    ``exact`` (against ``articles_fts``) keeps each word as typed (case still folded).
    """
    groups = []
    for word in _WORD.findall(query):
        if exact:
            groups.append(_quoted(word.lower()))
        else:
            forms = word_normal_forms(word)
            groups.append(forms and ("(" + " OR ".join(map(_quoted, forms)) + ")" if len(forms) > 1
                                     else _quoted(forms[0])))
    return " AND ".join(group for group in groups if group) or _NOTHING


def _matcher(query: str, exact: bool) -> Callable[[str], bool]:
    """Does a word of the text match a word of the query? (any of their normal forms in common, or as typed)"""
    if exact:
        wanted = {w.lower() for w in _WORD.findall(query)}
        return lambda word: word.lower() in wanted
    wanted = {form for w in _WORD.findall(query) for form in word_normal_forms(w)}
    return lambda word: not wanted.isdisjoint(word_normal_forms(word))


def find_snippet(text: str, query: str, exact: bool = False, width: int = 12) -> str | None:
    """The words of ``text`` around the first word the query matches, such words in [brackets]; else None."""
    hit = _matcher(query, exact)
    first = next((m.start() for m in _WORD.finditer(text) if hit(m.group())), None)
    if first is None:
        return None
    before = text[:first].split()[-width:]
    after = text[first:].split(maxsplit=width + 1)
    more_before, more_after = len(before) == width and len(text[:first].split(maxsplit=width)) > width, \
        len(after) > width + 1
    tokens = before + after[:width + 1]
    marked = [_WORD.sub(lambda m: f"[{m.group()}]" if hit(m.group()) else m.group(), token) for token in tokens]
    return ("… " if more_before else "") + " ".join(marked) + (" …" if more_after else "")


def snippet(title: str, text: str, query: str, exact: bool = False, width: int = 12) -> str:
    """The snippet of an article for ``query``: from its text, else its title, else the text's first words."""
    found = find_snippet(text, query, exact, width) or find_snippet(title, query, exact, width)
    if found:
        return found
    spans = text.split()
    return " ".join(spans[:2 * width]) + (" …" if len(spans) > 2 * width else "")


# -- connections ---------------------------------------------------------------------------------------------
def connect_read_only(path: Path) -> sqlite3.Connection:
    """A DB-API connection to the SQLite store at ``path`` that cannot write (``search``)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def connect_to_write(path: Path) -> sqlite3.Connection:
    """A DB-API connection to the SQLite store at ``path`` that waits for another writer's lock like the store's
    own connections do (``reindex``, ``browse``)."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


# -- the schema -----------------------------------------------------------------------------------------------
def ensure_fulltext(connection) -> bool:
    """Create the FTS5 tables and triggers when missing (DB-API connection to a SQLite store); idempotent.

    Returns True when the exact index was just created over a store that already held articles (it is filled
    at once, in SQLite's own code: ``rebuild``); the normal-form index of such articles needs
    :func:`reindex` (see :func:`unindexed`).
    """
    existed = connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (EXACT_TABLE,)).fetchone()
    for statement in SCHEMA:
        connection.execute(statement)
    rebuilt = False
    if not existed and connection.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
        connection.execute(f"INSERT INTO {EXACT_TABLE} ({EXACT_TABLE}) VALUES ('rebuild')")
        rebuilt = True
    connection.commit()
    return rebuilt


def has_fulltext(connection) -> bool:
    return bool(connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (LEMMA_TABLE,)).fetchone())


def unindexed(connection) -> int:
    """How many stored articles have no row in the normal-form index (0 on an up-to-date store)."""
    articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    indexed = connection.execute(f"SELECT count(*) FROM {LEMMA_TABLE}_docsize").fetchone()[0]
    return max(0, articles - indexed)


def insert_normal_forms(cursor, rows: Iterable[tuple[int, str, str]], paramstyle_format: bool = False) -> None:
    """Add (article id, title in normal form, text in normal form) rows to the normal-form index."""
    mark = "%s" if paramstyle_format else "?"
    cursor.executemany(f"INSERT INTO {LEMMA_TABLE} (rowid, title, text) VALUES ({mark}, {mark}, {mark})", rows)


def reindex(connection, progress: Callable[[int, int], None] | None = None, batch: int = 500) -> int:
    """Rebuild both indexes of a SQLite store from its articles; returns the number of articles indexed.

    The exact index is rebuilt by SQLite; the normal-form one is dropped, created again and filled batch by
    batch (each committed), calling ``progress(done, total)`` after each batch.
    """
    connection.execute(f"DROP TABLE IF EXISTS {LEMMA_TABLE}")
    connection.commit()
    ensure_fulltext(connection)
    connection.execute(f"INSERT INTO {EXACT_TABLE} ({EXACT_TABLE}) VALUES ('rebuild')")
    connection.commit()
    total = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    done, last_id = 0, -1
    while True:
        rows = connection.execute("SELECT id, title, text FROM articles WHERE id > ? ORDER BY id LIMIT ?",
                                  (last_id, batch)).fetchall()
        if not rows:
            break
        insert_normal_forms(connection.cursor(), [(i, *article_normal_forms(t, x)) for i, t, x in rows])
        connection.commit()
        done += len(rows)
        last_id = rows[-1][0]
        if progress:
            progress(done, total)
    return done


# -- search ---------------------------------------------------------------------------------------------------
# the articles a filter keeps, each read from its own index of ``articles`` (the id is in every index)
_FILTERS = {"since": "SELECT id FROM articles WHERE published_at >= :since",
            "source": "SELECT id FROM articles WHERE source_id = :source"}


def _filter_terms(rowid: str, since: bool, source: bool, optional: bool) -> list[str]:
    """The WHERE terms keeping the matches of the filters: ``+rowid IN (the ids the filter keeps)``.

    SQLite builds each id list once per query, as an in-memory b-tree, from the filter's index (a source's or a
    date range's ids, without reading a row), and tests each match against it. The ``+`` keeps the term away
    from FTS5, which would otherwise look each id up in the index one by one. ``optional`` (the browser's canned
    query): a filter left empty keeps everything, and its list is then never built.
    """
    terms = []
    for name, wanted in (("since", since), ("source", source)):
        if wanted:
            term = f"+{rowid} IN ({_FILTERS[name]})"
            terms.append(f"(:{name} = '' OR {term})" if optional else term)
    return terms


def search_sql(exact: bool = False, since: bool = False, source: bool = False, limit: str = ":limit",
               columns: str = "a.id, a.published_at, a.source_id, a.title, a.url, a.text, r.score",
               optional: bool = False) -> str:
    """The ranked search query (named parameters :match, :since, :source, :limit).

    The best ``limit`` rows are ranked on the index alone, and only they are joined to their articles' texts: a
    common word's thousands of matches are never read whole. BM25 is computed for the ``RANK_WINDOW`` most
    recently stored matches at most (a word in nearly every article would otherwise cost time growing with the
    store, for a ranking that says little: such a word's weight is close to nil). ``since`` and ``source``
    keep the matches published since a date / of one source (:func:`_filter_terms`): the window is then that
    of the matches kept, so a filtered search ranks exactly as the unfiltered one, with the others left out
    (within the window). Ties in the score go to the most recently stored article.
    """
    table = EXACT_TABLE if exact else LEMMA_TABLE
    window = (f"SELECT coalesce((SELECT w.rowid FROM {table} AS w WHERE "
              f"{' AND '.join([f'w.{table} MATCH :match', *_filter_terms('w.rowid', since, source, optional)])} "
              f"ORDER BY w.rowid DESC LIMIT 1 OFFSET {RANK_WINDOW}), 0)")
    where = [f"{table} MATCH :match", f"{table}.rowid >= ({window})",
             *_filter_terms(f"{table}.rowid", since, source, optional)]
    return (f"SELECT {columns} FROM ("
            f"SELECT {table}.rowid AS id, bm25({table}, {TITLE_WEIGHT}, 1.0) AS score FROM {table} "
            f"WHERE {' AND '.join(where)} ORDER BY score, id DESC LIMIT {limit}"
            ") r JOIN articles a ON a.id = r.id ORDER BY r.score, r.id DESC")


def search(connection, query: str, exact: bool = False, since: str | None = None, source: str | None = None,
           limit: int = 20) -> list[dict]:
    """Articles matching ``query``, best first: id, published_at, source_id, title, url, snippet, score."""
    params = {"match": match_expression(query, exact), "limit": limit}
    if since:
        params["since"] = since
    if source:
        params["source"] = source
    cursor = connection.execute(search_sql(exact, bool(since), bool(source)), params)
    columns = [c[0] for c in cursor.description]
    results = []
    for row in cursor.fetchall():
        record = dict(zip(columns, row, strict=True))
        text = record.pop("text")
        record["snippet"] = snippet(record["title"], text, query, exact)
        results.append(record)
    return results


class Progress:
    """``progress(done, total)`` printing a line at most every ``every`` seconds (and at the end)."""

    def __init__(self, out, every: float = 2.0) -> None:
        self.out, self.every, self.started, self.last = out, every, time.monotonic(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.every or done >= total:
            self.last = now
            rate = done / max(now - self.started, 1e-9)
            print(f"indexed {done:,} of {total:,} articles ({rate:,.0f}/s)", file=self.out, flush=True)
