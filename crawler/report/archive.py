"""The feeds' full history, one folder per month, and the export of any period on demand.

``archive/YYYY-MM/articles.csv``, ``mentions.csv`` and ``runs.csv`` in the feeds folder hold that month's
articles (by the local day of publication; an undated article by the UTC day it was first seen), their
mentions, and the runs started in it, with the columns of the window feeds. A month's files are written when
what they hold changes and are otherwise left alone, byte for byte: after a crawl, the months of its new
articles (and of the older rows a re-rooted reprint chain rewrote), the month of its runs, a month whose files
were removed or altered, and a month whose sources were renamed in the config. When a month only gained
articles, their rows are spliced into its ``articles.csv`` and ``mentions.csv`` (``crawler/report/splice.py``, guided
by the hidden key files beside them: the same bytes as a whole rewrite), so a crawl's cost does not grow with
the month either; a re-rooted reprint chain, a renamed source or an altered file writes them whole. The marks
of what was archived (highest article and run ids) are kept in ``.dumawatch-feeds.json``; a store that has none
yet (the first export after an upgrade) gets its whole archive written once.

``dumawatch export --all`` / ``--since DAY`` / ``--until DAY`` write the three files for the whole history or
for a period (days inclusive, same day rules) into a folder of their own (``export/all/``,
``export/2026-01-01_2026-03-31/``, or ``--out``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

from crawler.report.feed_rows import (
    ARTICLE_COLUMNS,
    MENTION_COLUMNS,
    RUN_COLUMNS,
    WINDOW_KEYS,
    FeedRows,
    write_csv,
)
from crawler.report.files import file_state
from crawler.report.splice import splice, write_indexed
from crawler.storage.history import archive_changes, period_rows, period_runs
from crawler.storage.store import Store

ARCHIVE_DIR = "archive"
MONTH_FILES = ("articles.csv", "mentions.csv", "runs.csv")


def month_of(published_at: str, first_seen: str) -> str:
    """YYYY-MM of an article: its local publication month, else the UTC month it was first seen."""
    return (published_at or first_seen)[:7]


def month_days(month: str) -> tuple[date, date]:
    first = date.fromisoformat(month + "-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def write_period(store: Store, shape, directory: Path, since: date | None, until: date | None,
                 files: Iterable[str] = MONTH_FILES, indexed: bool = False) -> dict:
    """Write ``articles.csv``, ``mentions.csv``, ``runs.csv`` (or those of them in ``files``) of a period into
    ``directory``: their row counts, and under ``"sources"`` the ids of the sources its article rows show.
    ``indexed``: the article files get key files too, so new rows can be spliced in later (same bytes)."""

    def writer(kind: str):
        if indexed:
            return lambda path, columns, rows: write_indexed(path, columns, rows, WINDOW_KEYS[kind])
        return write_csv

    seen: set[str] = set()

    def noting(rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            seen.add(row["source_id"])
            yield shape(row)

    writers = {
        "articles.csv": lambda path: writer("articles")(
            path, ARTICLE_COLUMNS, noting(period_rows(store, "articles", since, until))),
        "mentions.csv": lambda path: writer("mentions")(
            path, MENTION_COLUMNS, noting(period_rows(store, "mentions", since, until))),
        "runs.csv": lambda path: write_csv(path, RUN_COLUMNS, period_runs(store, since, until)),
    }
    counts = {name: writers[name](directory / name) for name in MONTH_FILES if name in files}
    return {**counts, "sources": sorted(seen)}


def export_period(config, store: Store, since: date | None, until: date | None, out: Path | None = None) -> dict:
    """``dumawatch export --all/--since/--until``: the period's three files; their paths → row counts."""

    if out is None:
        name = "all" if since is None and until is None else f"{since or 'start'}_{until or 'end'}"
        out = config.feeds_dir / "export" / name
    counts = write_period(store, FeedRows(config), out, since, until)
    return {str(out / name): counts[name] for name in MONTH_FILES}


def _file_states(directory: Path) -> dict:
    return {name: file_state(directory / name) for name in MONTH_FILES}


def _names_digest(shape, source_ids: Iterable[str]) -> str:
    return hashlib.sha1(json.dumps(shape.names(source_ids), ensure_ascii=False).encode("utf-8")).hexdigest()


ARTICLE_FILES = {"articles.csv", "mentions.csv"}


def changed_months(store: Store, marks: dict | None) -> tuple[dict[str, set[str]], dict, set[str]]:
    """The months whose rows changed since ``marks`` were taken (every month when there are none), each with the
    files that changed; the marks now; and the months where older rows were rewritten (a re-rooted reprint
    chain), not only added."""
    now, months, changed_rows, run_starts = archive_changes(store, marks)
    if not marks:
        return {month: set(MONTH_FILES) for month in months}, now, set(months)
    changed: dict[str, set[str]] = {}
    rewritten: set[str] = set()
    for article_id, published, seen in changed_rows:
        changed.setdefault(month_of(published, seen), set()).update(ARTICLE_FILES)
        if article_id <= marks["article"]:
            rewritten.add(month_of(published, seen))
    for started in run_starts:
        changed.setdefault(started[:7], set()).add("runs.csv")
    return changed, now, rewritten


def splice_month(store: Store, shape, directory: Path, month: str, after: int) -> dict | None:
    """Splice the rows of the articles added after id ``after`` into the month's ``articles.csv`` and
    ``mentions.csv`` (``crawler/report/splice.py``: the same bytes as writing them whole): their row counts and the
    sources the new rows show, or None when a file is not as its key file says (then write them whole)."""

    first, last = month_days(month)
    seen: set[str] = set()

    def noting(rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            seen.add(row["source_id"])
            yield shape(row)

    counts = {}
    for name, columns, kind in (("articles.csv", ARTICLE_COLUMNS, "articles"),
                                ("mentions.csv", MENTION_COLUMNS, "mentions")):
        counts[name] = splice(directory / name, columns, noting(period_rows(store, kind, first, last, after)),
                              WINDOW_KEYS[kind])
        if counts[name] is None:
            return None
    return {**counts, "sources": sorted(seen)}


def update_archive(config, store: Store, kept: dict, shape, rewrite: bool = False) -> dict[str, int]:
    """Bring ``archive/`` up to date (see the module's docstring); ``kept`` is the feeds' signature record.
    ``rewrite`` writes every month again (after ``dumawatch rematch`` changed the mentions of old articles).
    Returns the row counts of the files written, by their path under the feeds folder."""
    root = config.feeds_dir / ARCHIVE_DIR
    state = kept.setdefault("archive", {})
    known: dict = state.setdefault("months", {})
    if rewrite or not root.is_dir():
        state.pop("marks", None)  # the whole archive is gone: write it again
    before = state.get("marks")
    dirty, marks, rewritten = changed_months(store, before)
    written: dict[str, int] = {}
    for month in sorted(set(known) | set(dirty)):
        directory = root / month
        record = known.get(month) or {}
        files = set(dirty.get(month, ())) if record else set(MONTH_FILES)
        states = _file_states(directory)
        altered = {name for name in MONTH_FILES if states[name] != record.get("files", {}).get(name)}
        renamed = bool(record) and record["names"] != _names_digest(shape, record["sources"])
        files |= altered
        if renamed:
            files |= ARTICLE_FILES  # a source renamed in the config: its rows show the new name
        if not files:
            continue
        if files & ARTICLE_FILES:
            files |= ARTICLE_FILES  # both, so the sources the month shows are known
        sources = record.get("sources", [])
        counts: dict = {}
        if (files & ARTICLE_FILES and record and before and not renamed and month not in rewritten
                and not altered & ARTICLE_FILES):  # only articles added: their rows spliced in
            spliced = splice_month(store, shape, directory, month, before["article"])
            if spliced is not None:
                files -= ARTICLE_FILES
                counts = spliced
                sources = sorted({*sources, *spliced["sources"]})
        first, last = month_days(month)
        if files:
            whole = write_period(store, shape, directory, first, last, files, indexed=True)
            if files & ARTICLE_FILES:
                sources = whole["sources"]
            counts.update(whole)
        known[month] = {"sources": sources, "names": _names_digest(shape, sources), "files": _file_states(directory),
                        "spliced": not files & ARTICLE_FILES}
        written.update({f"{ARCHIVE_DIR}/{month}/{name}": counts[name] for name in MONTH_FILES if name in counts})
    state["marks"] = marks
    return written
