"""The feeds' full history, one folder per month, and the export of any period on demand.

``archive/YYYY-MM/articles.csv``, ``mentions.csv`` and ``runs.csv`` in the feeds folder hold that month's
articles (by the local day of publication; an undated article by the UTC day it was first seen), their
mentions, and the runs started in it, with the columns of the window feeds. A month's files are written when
what they hold changes and are otherwise left alone, byte for byte: after a crawl, the months of its new
articles (and of the older rows a re-rooted reprint chain rewrote), the month of its runs, a month whose files
were removed or altered, and a month whose sources were renamed in the config. The marks of what was archived
(highest article and run ids) are kept in ``.dumawatch-feeds.json``; a store that has none yet (the first
export after an upgrade) gets its whole archive written once.

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

from sqlalchemy import func, or_, select

from crawler.store import Store, articles, runs

ARCHIVE_DIR = "archive"
MONTH_FILES = ("articles.csv", "mentions.csv", "runs.csv")
IN_CHUNK = 500  # URLs per IN (…) when looking for the rows a re-rooted chain rewrote


def month_of(published_at: str, first_seen: str) -> str:
    """YYYY-MM of an article: its local publication month, else the UTC month it was first seen."""
    return (published_at or first_seen)[:7]


def month_days(month: str) -> tuple[date, date]:
    first = date.fromisoformat(month + "-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def article_parts(since: date | None, until: date | None) -> list:
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
    return [_all(dated), _all(undated)]


def run_condition(since: date | None, until: date | None):
    parts = [runs.c.id > 0]
    if since:
        parts.append(runs.c.started >= since.isoformat())
    if until:
        parts.append(runs.c.started < (until + timedelta(days=1)).isoformat())
    return _all(parts)


def _all(parts: list):
    condition = parts[0]
    for part in parts[1:]:
        condition = condition & part
    return condition


def write_period(store: Store, shape, directory: Path, since: date | None, until: date | None,
                 files: Iterable[str] = MONTH_FILES) -> dict:
    """Write ``articles.csv``, ``mentions.csv``, ``runs.csv`` (or those of them in ``files``) of a period into
    ``directory``: their row counts, and under ``"sources"`` the ids of the sources its article rows show."""
    from crawler.feeds import ARTICLE_COLUMNS, MENTION_COLUMNS, RUN_COLUMNS, write_csv

    seen: set[str] = set()

    def noting(rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            seen.add(row["source_id"])
            yield shape(row)

    parts = article_parts(since, until)
    writers = {
        "articles.csv": lambda path: write_csv(path, ARTICLE_COLUMNS,
                                               noting(row for part in parts for row in store.iter_articles(part))),
        "mentions.csv": lambda path: write_csv(path, MENTION_COLUMNS,
                                               noting(row for part in parts for row in store.iter_mentions(part))),
        "runs.csv": lambda path: write_csv(path, RUN_COLUMNS, store.iter_runs(run_condition(since, until))),
    }
    counts = {name: writers[name](directory / name) for name in MONTH_FILES if name in files}
    return {**counts, "sources": sorted(seen)}


def export_period(config, store: Store, since: date | None, until: date | None, out: Path | None = None) -> dict:
    """``dumawatch export --all/--since/--until``: the period's three files; their paths → row counts."""
    from crawler.feeds import FeedRows

    if out is None:
        name = "all" if since is None and until is None else f"{since or 'start'}_{until or 'end'}"
        out = config.feeds_dir / "export" / name
    counts = write_period(store, FeedRows(config), out, since, until)
    return {str(out / name): counts[name] for name in MONTH_FILES}


def _file_states(directory: Path) -> dict:
    states = {}
    for name in MONTH_FILES:
        try:
            stat = (directory / name).stat()
        except OSError:
            states[name] = None
        else:
            states[name] = [stat.st_size, stat.st_mtime_ns]
    return states


def _names_digest(shape, source_ids: Iterable[str]) -> str:
    return hashlib.sha1(json.dumps(shape.names(source_ids), ensure_ascii=False).encode("utf-8")).hexdigest()


def changed_articles(conn, after: int) -> list[tuple[int, str, str]]:
    """(id, published_at, first_seen) of the articles added after id ``after`` and of the older rows a re-rooted
    reprint chain rewrote meanwhile (they name one of the new articles in ``duplicate_of``)."""
    new = conn.execute(select(articles.c.id, articles.c.url, articles.c.published_at, articles.c.first_seen)
                       .where(articles.c.id > after)).all()
    changed = [(row.id, row.published_at, row.first_seen) for row in new]
    urls = [row.url for row in new]
    for start in range(0, len(urls), IN_CHUNK):
        changed += [tuple(row) for row in conn.execute(
            select(articles.c.id, articles.c.published_at, articles.c.first_seen)
            .where(articles.c.duplicate_of.in_(urls[start:start + IN_CHUNK]), articles.c.id <= after))]
    return changed


def highest_article_id(conn) -> int:
    return conn.scalar(select(func.coalesce(func.max(articles.c.id), 0)))


ARTICLE_FILES = {"articles.csv", "mentions.csv"}


def changed_months(store: Store, marks: dict | None) -> tuple[dict[str, set[str]], dict]:
    """The months whose rows changed since ``marks`` were taken (every month when there are none), each with the
    files that changed, and the marks now."""
    with store.engine.connect() as conn:
        now = {"article": highest_article_id(conn),
               "run": conn.scalar(select(func.coalesce(func.max(runs.c.id), 0)))}
        if not marks:
            months = {row[0] for row in conn.execute(
                select(func.substr(articles.c.published_at, 1, 7)).where(articles.c.published_at != "").distinct())}
            months |= {row[0] for row in conn.execute(
                select(func.substr(articles.c.first_seen, 1, 7)).where(articles.c.published_at == "").distinct())}
            months |= {row[0] for row in conn.execute(select(func.substr(runs.c.started, 1, 7)).distinct())}
            return {month: set(MONTH_FILES) for month in months}, now
        changed: dict[str, set[str]] = {}
        for _, published, seen in changed_articles(conn, marks["article"]):
            changed.setdefault(month_of(published, seen), set()).update(ARTICLE_FILES)
        latest = select(runs.c.run_id).order_by(runs.c.id.desc()).limit(1).scalar_subquery()
        # the latest run's rows may have been updated since (the service marks a run 'timeout' after it ends)
        for row in conn.execute(select(runs.c.started).where(or_(runs.c.id > marks["run"], runs.c.run_id == latest))):
            changed.setdefault(row[0][:7], set()).add("runs.csv")
    return changed, now


def update_archive(config, store: Store, kept: dict, shape, rewrite: bool = False) -> dict[str, int]:
    """Bring ``archive/`` up to date (see the module's docstring); ``kept`` is the feeds' signature record.
    ``rewrite`` writes every month again (after ``dumawatch rematch`` changed the mentions of old articles).
    Returns the row counts of the files written, by their path under the feeds folder."""
    root = config.feeds_dir / ARCHIVE_DIR
    state = kept.setdefault("archive", {})
    known: dict = state.setdefault("months", {})
    if rewrite or not root.is_dir():
        state.pop("marks", None)  # the whole archive is gone: write it again
    dirty, marks = changed_months(store, state.get("marks"))
    written: dict[str, int] = {}
    for month in sorted(set(known) | set(dirty)):
        directory = root / month
        record = known.get(month) or {}
        files = set(dirty.get(month, ())) if record else set(MONTH_FILES)
        states = _file_states(directory)
        files |= {name for name in MONTH_FILES if states[name] != record.get("files", {}).get(name)}
        if record and record["names"] != _names_digest(shape, record["sources"]):
            files |= ARTICLE_FILES  # a source renamed in the config: its rows show the new name
        if not files:
            continue
        if files & ARTICLE_FILES:
            files |= ARTICLE_FILES  # both, so the sources the month shows are known
        first, last = month_days(month)
        counts = write_period(store, shape, directory, first, last, files)
        sources = counts["sources"] if files & ARTICLE_FILES else record["sources"]
        known[month] = {"sources": sources, "names": _names_digest(shape, sources), "files": _file_states(directory)}
        written.update({f"{ARCHIVE_DIR}/{month}/{name}": counts[name] for name in MONTH_FILES if name in counts})
    state["marks"] = marks
    return written
