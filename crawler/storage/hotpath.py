"""The crawl's hot path through the store: the per-page and per-article statements in plain SQL.

A crawl asks the store the same few questions for every page and every article (is this URL known? which
article has this key, this text, these sketch hashes? store this article). Through SQLAlchemy Core each
statement costs several times more Python than the SQLite lookup it wraps (``bench/bench_store.py`` prints
both; figures in ``bench/README.md``), so these statements run here, on one DB-API connection held for the whole crawl, with hand-written SQL that
SQLite and PostgreSQL both accept (``INSERT … ON CONFLICT``, ``RETURNING``). The schema, the exports, the
run history and everything else stay in SQLAlchemy (``crawler/storage/store.py``).

Writes are committed in groups (group commit): each article goes in whole or not at all (a savepoint with its
URL keys, sketch hashes and mentions), and the group is committed after ``GROUP_ARTICLES`` articles or
``GROUP_SECONDS``, and whenever the crawl ends or anything else is about to write (:meth:`HotPath.flush`). A
crawl killed mid-group loses that group's rows and, with them, the record that their URLs were seen, so the
next run fetches those pages again: nothing is lost and nothing is stored twice. Reads see the group's own
uncommitted rows (one connection), and on PostgreSQL a read outside a group ends its transaction at once.

Several crawls may write into one PostgreSQL store at once (different sources, on different hosts). The one
table they all update is ``anchor_counts`` (how many articles hold each sketch hash): its increments are kept
in memory for the open group (reads add them in) and applied at the group's commit, in hash order, as its
last statement, so two groups never wait on each other's counters in opposite orders (no deadlock). A write
that still loses a deadlock or a serialization conflict is retried (``RETRIES`` times, the group committed
first so the other transaction can finish); an article that still fails raises :class:`WriteFailed`, and a
group whose commit fails is rolled back and reported to ``on_group_lost`` (its articles are counted as errors
by the spider, and the next run fetches them again, since their URLs were not recorded as seen either).
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from crawler.storage.fulltext import insert_normal_forms
from crawler.storage.schema import articles
from pipelines.errors import ArticleExists, WriteFailed

# the stored article's columns the dedupe pipeline reads, taken from the table (a renamed column fails at import)
_READ = (articles.c.id, articles.c.url, articles.c.source_id, articles.c.published_at, articles.c.first_seen,
         articles.c.duplicate_of, articles.c.text, articles.c.sketch)
ARTICLE_COLUMNS = ", ".join(column.name for column in _READ)
JOINED_ARTICLE_COLUMNS = ", ".join(f"a.{column.name}" for column in _READ)  # the same, of the joined ``a``
# the near-duplicate query ranks stored articles on the sketch's rarest hashes only (fewest holders first),
# each weighing 1/holders: a reprint shares its original's own phrases, whose hashes few articles hold, so
# eight of them find it, and the index range scans stay short however common the text's other phrases are
# (bench/bench_pipeline.py: 109 of 109 reprints found at 2,400 articles with 8; 108 with 6)
RAREST = 8
OWN_SOURCE_ROOM = 15   # ranked rows beyond the candidates asked for, for the text's own source's articles
GROUP_ARTICLES = 100   # articles per commit at most …
GROUP_SECONDS = 1.0    # … and no article waits longer than this for its commit while the crawl goes on
RETRIES = 5            # attempts of a write that lost a deadlock or a serialization conflict
RETRYABLE = {"40P01", "40001"}  # PostgreSQL's deadlock_detected, serialization_failure

log = logging.getLogger(__name__)




def _unique_violation(exc: BaseException) -> bool:
    """PostgreSQL's unique_violation, or SQLite's UNIQUE constraint failure."""
    return getattr(exc, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc)


def _retryable(exc: BaseException) -> bool:
    return getattr(exc, "sqlstate", None) in RETRYABLE


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class HotPath:
    """The crawl's frequent statements on one DB-API connection of ``engine`` (opened at first use)."""

    def __init__(self, engine, common_anchor: int, fulltext: bool = False) -> None:
        self.engine = engine
        self.fulltext = fulltext  # SQLite: each article's words in normal form go to the full-text index
        self.common_anchor = common_anchor
        self._connection = None
        self._format = engine.dialect.paramstyle in ("format", "pyformat")  # psycopg: %s, sqlite3: ?
        self._sqlite = engine.dialect.name == "sqlite"
        self._group_size = 0        # articles / key records written since the last commit
        self._group_started = 0.0
        self._pending_anchors: Counter = Counter()   # anchor_counts increments of the open group
        self._group_articles: list[tuple[str, str, int]] = []  # (source id, url, mentions) of the group's articles
        self.on_group_lost = None   # called with those triples and the error when the group's commit fails
        self.retried = 0            # writes retried after a deadlock or serialization conflict

    @property
    def connection(self):
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self.flush()
            self._connection.close()
            self._connection = None

    def flush(self, older_than: float = 0.0) -> None:
        """Commit the open group (only if it was opened at least ``older_than`` seconds ago).

        Never raises for a failed commit: the group is rolled back and handed to ``on_group_lost``.
        """
        if not self._group_size or time.monotonic() - self._group_started < older_than:
            return
        connection = self._connection
        try:
            if self._pending_anchors:
                self._apply_anchor_counts(connection)
            connection.commit()
        except self.engine.dialect.dbapi.Error as exc:
            lost = self._group_articles
            try:
                connection.rollback()
            except self.engine.dialect.dbapi.Error:
                self._connection = None  # a broken connection: the next statement opens a new one
            log.error("a group of %d article(s) could not be committed: %s", len(lost), str(exc).strip())
            self._end_group()
            if self.on_group_lost is not None:
                self.on_group_lost(lost, exc)
            return
        self._end_group()

    def _end_group(self) -> None:
        self._group_size = 0
        self._pending_anchors = Counter()
        self._group_articles = []

    def _apply_anchor_counts(self, connection) -> None:
        """The group's anchor_counts increments, in hash order (see the module's doc), retried on a deadlock."""
        rows = [(h, n) for h, n in sorted(self._pending_anchors.items())]
        sql = self._sql("INSERT INTO anchor_counts (hash, holders) VALUES (?, ?) "
                        "ON CONFLICT (hash) DO UPDATE SET holders = anchor_counts.holders + excluded.holders")
        for attempt in range(RETRIES):
            cursor = connection.cursor()
            try:
                cursor.execute("SAVEPOINT anchors")
                try:
                    cursor.executemany(sql, rows)
                except self.engine.dialect.dbapi.Error as exc:
                    cursor.execute("ROLLBACK TO SAVEPOINT anchors")
                    if not _retryable(exc) or attempt == RETRIES - 1:
                        raise
                    self.retried += 1
                    time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
                    continue
                cursor.execute("RELEASE SAVEPOINT anchors")
                return
            finally:
                cursor.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._format else sql

    def _rows(self, sql: str, params: Sequence) -> list[dict]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            rows = cursor.fetchall()
            columns = [column[0] for column in cursor.description or ()]
        finally:
            cursor.close()
        if not self._sqlite and not self._group_size:
            self.connection.commit()  # PostgreSQL: a read alone must not hold its transaction open
        return [dict(zip(columns, row, strict=True)) for row in rows]

    # -- reads ---------------------------------------------------------------------------------------------
    def is_known(self, url_key: str) -> bool:
        return bool(self._rows("SELECT 1 AS known FROM seen_urls WHERE url_key = ?", [url_key]))

    def seen_at(self, url_key: str) -> str | None:
        rows = self._rows("SELECT seen_at FROM seen_urls WHERE url_key = ?", [url_key])
        return rows[0]["seen_at"] if rows else None

    def article_by_any_key(self, url_keys: list[str]) -> dict | None:
        rows = self._rows(f"SELECT a.id, a.url FROM articles a JOIN seen_urls s ON s.article_id = a.id "
                          f"WHERE s.url_key IN ({_marks(len(url_keys))}) LIMIT 1", url_keys)
        return rows[0] if rows else None

    def article_by_content(self, content_hash: str, source_id: str) -> dict | None:
        rows = self._rows(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE content_hash = ? AND source_id = ? LIMIT 1",
                          [content_hash, source_id])
        return rows[0] if rows else None

    def article_by_url(self, url: str) -> dict | None:
        rows = self._rows(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE url = ? LIMIT 1", [url])
        return rows[0] if rows else None

    def near_duplicate_candidates(self, sketch: list[int], limit: int, other_than: str) -> list[dict]:
        """See :meth:`crawler.storage.store.Store.near_duplicate_candidates`."""
        hashes = list(dict.fromkeys(sketch))
        held = self._rows(f"SELECT hash, holders FROM anchor_counts WHERE hash IN ({_marks(len(hashes))})", hashes)
        if self._pending_anchors:  # the open group's own articles count too (their increments wait for commit)
            # (a common hash must stay common: its stored holders are added to, never taken as none)
            counts = {row["hash"]: row["holders"] for row in held}
            for h in hashes:
                if self._pending_anchors[h]:
                    counts[h] = counts.get(h, 0) + self._pending_anchors[h]
            held = [{"hash": h, "holders": n} for h, n in counts.items()]
        held = [row for row in held if row["holders"] <= self.common_anchor]
        rarest = sorted(held, key=lambda row: (row["holders"], row["hash"]))[:RAREST]
        if len(rarest) < 2:
            return []
        # each shared hash weighs 1/holders: the original's own phrases outweigh a template phrase shared widely;
        # the ranking reads the index alone, and only its top rows are joined to their articles, where the
        # text's own source is left out (its look-alikes are few: OWN_SOURCE_ROOM rows make room for them)
        weights = ", ".join(["(?, ?)"] * len(rarest))
        return self._rows(
            f"WITH w(hash, weight) AS (VALUES {weights}) "
            f"SELECT {JOINED_ARTICLE_COLUMNS}, r.shared FROM ("
            "  SELECT s.article_id, count(*) AS shared, sum(w.weight) AS score FROM w"
            "  JOIN shingle_anchors s ON s.hash = w.hash"
            "  GROUP BY s.article_id HAVING count(*) >= 2 ORDER BY sum(w.weight) DESC, s.article_id LIMIT ?"
            ") r JOIN articles a ON a.id = r.article_id WHERE a.source_id != ? ORDER BY r.score DESC, a.id LIMIT ?",
            [*(value for row in rarest for value in (row["hash"], 1.0 / row["holders"])), limit + OWN_SOURCE_ROOM,
             other_than, limit])

    # -- writes --------------------------------------------------------------------------------------------
    def _record_keys(self, cursor, url_keys: Iterable[str], source_id: str, article_id: int | None,
                     now: str) -> None:
        keys = list(dict.fromkeys(url_keys))
        if keys:
            # a key seen before without its article (a page that was no article yet) is linked to it now
            cursor.executemany(self._sql(
                "INSERT INTO seen_urls (url_key, article_id, source_id, seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url_key) DO UPDATE SET article_id = excluded.article_id "
                "WHERE seen_urls.article_id IS NULL AND excluded.article_id IS NOT NULL"),
                [(key, article_id, source_id, now) for key in keys])

    def mark_seen(self, url_keys: Iterable[str], source_id: str, article_id: int | None, now: str) -> None:
        with self._write() as cursor:
            self._record_keys(cursor, url_keys, source_id, article_id, now)

    def add_article(self, row: dict, url_keys: Iterable[str], sketch: list[int], found: list[dict],
                    supersedes: str, now: str, normal_forms: tuple[str, str] | None = None) -> int:
        """Insert the article row, its URL keys, sketch hashes, mentions and normal forms: all of them or none.

        The exact full-text index follows the article row by itself (a trigger, ``crawler/storage/fulltext.py``).

        A write that loses a deadlock is retried after committing the open group; raises :class:`WriteFailed`
        when it still fails, :class:`ArticleExists` when its URL key is taken.
        """
        for attempt in range(RETRIES):
            try:
                article_id = self._add_article(row, url_keys, sketch, found, supersedes, now, normal_forms)
            except self.engine.dialect.dbapi.Error as exc:
                if not _retryable(exc) or attempt == RETRIES - 1:
                    raise WriteFailed(f"{row['url']} was not stored: {str(exc).strip().splitlines()[0]}") from exc
                self.retried += 1
                log.warning("retrying %s after %s", row["url"], str(exc).strip().splitlines()[0])
                self.flush()  # the group's locks go, so the transaction it met can finish
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
                continue
            return article_id
        raise AssertionError("unreachable")

    def _add_article(self, row: dict, url_keys: Iterable[str], sketch: list[int], found: list[dict],
                     supersedes: str, now: str, normal_forms: tuple[str, str] | None) -> int:
        columns = list(row)  # the articles row Store.add_article made
        with self._write(commit=False) as cursor:
            try:
                cursor.execute(self._sql(f"INSERT INTO articles ({', '.join(columns)}) VALUES ({_marks(len(columns))}) "
                                         "RETURNING id"), [row[c] for c in columns])
            except self.engine.dialect.dbapi.IntegrityError as exc:
                if not _unique_violation(exc):
                    raise  # another constraint refused the row: WriteFailed (see add_article)
                raise ArticleExists(str(exc)) from None
            article_id = cursor.fetchone()[0]
            self._record_keys(cursor, [row["url_key"], *url_keys], row["source_id"], article_id, now)
            if sketch:
                cursor.executemany(self._sql("INSERT INTO shingle_anchors (hash, article_id) VALUES (?, ?)"),
                                   [(h, article_id) for h in sketch])
            if found:
                cursor.executemany(self._sql(
                    "INSERT INTO mentions (article_id, kind, watch, matched, snippet) VALUES (?, ?, ?, ?, ?)"),
                    [(article_id, m["kind"], m["watch"], m["matched"], m["snippet"]) for m in found])
            if self.fulltext and normal_forms is not None:
                insert_normal_forms(cursor, [(article_id, *normal_forms)])
            if supersedes:
                # this article is older than the story's earlier first publication: it becomes the root
                cursor.execute(self._sql("UPDATE articles SET duplicate_of = ? WHERE url = ? OR duplicate_of = ?"),
                               (row["url"], supersedes, supersedes))
        self._pending_anchors.update(dict.fromkeys(sketch, 1))
        self._group_articles.append((row["source_id"], row["url"], len(found)))
        self._maybe_commit()
        return article_id

    @contextmanager
    def _write(self, commit: bool = True) -> Iterator:
        """A cursor whose statements go in together or not at all, in the open group (see the module's doc)."""
        connection = self.connection
        cursor = connection.cursor()
        try:
            if not self._group_size:
                if self._sqlite and not connection.driver_connection.in_transaction:
                    cursor.execute("BEGIN")
                self._group_started = time.monotonic()
            cursor.execute("SAVEPOINT article")
            self._group_size += 1  # even a write rolled back below leaves the group's transaction to commit
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK TO SAVEPOINT article")
                cursor.execute("RELEASE SAVEPOINT article")
                raise
            cursor.execute("RELEASE SAVEPOINT article")
        finally:
            cursor.close()
        if commit:
            self._maybe_commit()

    def _maybe_commit(self) -> None:
        if self._group_size >= GROUP_ARTICLES or time.monotonic() - self._group_started >= GROUP_SECONDS:
            self.flush()
