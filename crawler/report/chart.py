"""The weekly chart of mentions and the daily table behind it, written into the feeds folder with each export.

``mentions_daily.csv``: one row per day, watch entry and source over the chart's period (the last 26 weeks,
from a Monday): ``date`` (the article's local day of publication, else the UTC day it was first seen), ``kind``
(``name``/``topic``), ``watch``, ``region``, ``source_id``, ``mentions`` (the articles that mention it, reprints
included) and ``articles`` (those of them that are first publications: summed over sources, the distinct
stories). ``mentions_weekly.png``: the mentions per week of the ``TOP`` most mentioned names and topics, drawn
offline by matplotlib (Agg backend); the plotted series are also in the PNG's ``Description`` text chunk
(JSON), so what the picture shows can be read back without looking at pixels.

Both are redrawn only when an article was added (or a reprint chain re-rooted) since the last drawing, the
chart's first week moved, or a file is missing. The daily table is then brought up to date day by day: only
the days of the changed articles are counted again from the store, the table's earlier days are copied as
bytes (it is sorted by day; the byte offset of each day and the weekly totals are kept in
``.dumawatch-feeds.json``), so what a crawl costs here does not grow with the history either. A new week
(the chart's first Monday moves) draws both whole.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from datetime import date, timedelta

from crawler.report.files import file_state, replaced_atomically
from crawler.report.splice import BOM, renderer
from crawler.storage.history import chart_mention_rows, highest_and_changed_articles
from crawler.storage.store import Store

DAILY_FILE = "mentions_daily.csv"
CHART_FILE = "mentions_weekly.png"
DAILY_COLUMNS = ["date", "kind", "watch", "region", "source_id", "mentions", "articles"]
WEEKS = 26   # "the last 6 months"
TOP = 8      # lines on the chart


def chart_start(today: date) -> date:
    """The Monday that opens the chart's first week (the current week is its last)."""
    return today - timedelta(days=today.weekday(), weeks=WEEKS - 1)


def daily_rows(config, store: Store, since: date, days: list[date] | None = None) -> list[dict]:
    """The rows of ``mentions_daily.csv`` from ``since`` on (or of the given ``days`` only), by date, kind, watch
    and source."""
    regions = {source.id: source.region for source in config.sources}
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    periods = [(since, None)] if days is None else [(day, day) for day in days]
    for row in chart_mention_rows(store, periods):
        day = (row.published_at or row.first_seen)[:10]
        counts_of = counts[(day, row.kind, row.watch, regions.get(row.source_id, ""), row.source_id)]
        counts_of[0] += 1
        counts_of[1] += not row.duplicate_of
    return [{"date": key[0], "kind": key[1], "watch": key[2], "region": key[3], "source_id": key[4],
             "mentions": value[0], "articles": value[1]} for key, value in sorted(counts.items())]


def add_weekly(totals: dict[str, list[int]], rows: list[dict], start: date, sign: int = 1) -> None:
    """Add (``sign`` -1: take away) the mentions of ``rows`` to the per-week totals of each watch."""
    for row in rows:
        index = (date.fromisoformat(row["date"]) - start).days // 7
        if 0 <= index < WEEKS:
            totals.setdefault(row["watch"], [0] * WEEKS)[index] += sign * int(row["mentions"])


def weekly_series(totals: dict[str, list[int]], start: date, top: int = TOP) -> dict:
    """``{"weeks": [Monday, …], "series": {watch: [mentions per week, …]}}`` of the ``top`` most mentioned."""
    weeks = [start + timedelta(weeks=n) for n in range(WEEKS)]
    ranked = sorted(((watch, values) for watch, values in totals.items() if any(values)),
                    key=lambda item: (-sum(item[1]), item[0]))[:top]
    return {"weeks": [week.isoformat() for week in weeks], "series": dict(ranked)}


def render_png(data: dict) -> bytes:
    """The chart as PNG bytes (matplotlib's Agg backend: no display, no network)."""
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 5.5), dpi=100)
    figure.subplots_adjust(left=0.07, right=0.98, top=0.93, bottom=0.08)  # fixed margins: one drawing pass
    axes = figure.subplots()
    weeks = [date.fromisoformat(week) for week in data["weeks"]]
    for watch, values in data["series"].items():
        axes.plot(weeks, values, marker="o", markersize=3, linewidth=1.6, label=watch)
    axes.set_title(f"Упоминания по неделям: {weeks[0]:%d.%m.%Y} – {weeks[-1] + timedelta(days=6):%d.%m.%Y}")
    axes.set_ylabel("статей с упоминанием за неделю")
    axes.xaxis.set_major_formatter(DateFormatter("%d.%m"))
    axes.grid(True, alpha=0.3)
    axes.set_ylim(bottom=0)
    if data["series"]:
        axes.legend(loc="upper left", fontsize=8, ncols=2)
    else:
        axes.text(0.5, 0.5, "нет упоминаний за этот период", transform=axes.transAxes, ha="center")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Title": "dumawatch: mentions per week",
                                                   "Description": json.dumps(data, ensure_ascii=True)})
    return buffer.getvalue()


def update_chart(config, store: Store, kept: dict, today: date, force: bool = False) -> dict[str, int]:
    """Bring ``mentions_daily.csv`` and ``mentions_weekly.png`` up to date (see the module's docstring)."""
    feeds = config.feeds_dir
    daily_path = feeds / DAILY_FILE
    start = chart_start(today)
    regions = json.loads(json.dumps(sorted((s.id, s.region) for s in config.sources)))
    previous = kept.get("chart") or {}
    incremental = (not force and (feeds / CHART_FILE).exists() and previous.get("regions") == regions
                   and previous.get("start") == start.isoformat() and "article" in previous
                   and previous.get("file") == file_state(daily_path))
    mark, changed = highest_and_changed_articles(store, previous["article"] if incremental else None)
    if incremental:
        days = sorted({date.fromisoformat((published or seen)[:10]) for _, published, seen in changed})
        days = [day for day in days if day >= start]
        if not days:
            kept["chart"] = {**previous, "article": mark}
            return {}
        # the table is sorted by day: the days before the first one counted again are copied as bytes
        offsets: dict[str, int] = previous["days"]
        first = days[0].isoformat()
        kept_days = {day: offset for day, offset in offsets.items() if day < first}
        tail_at = min((offset for day, offset in offsets.items() if day >= first), default=previous["end"])
        tail = _read_daily(daily_path, tail_at)
        head_rows = previous["rows"] - len(tail)
        redone = {day.isoformat() for day in days}
        totals = previous["weekly"]
        add_weekly(totals, [row for row in tail if row["date"] in redone], start, sign=-1)
        fresh = daily_rows(config, store, start, days)
        add_weekly(totals, fresh, start)
        tail = [row for row in tail if row["date"] not in redone] + fresh
        head_end = tail_at
    else:
        tail = daily_rows(config, store, start)
        totals = {}
        add_weekly(totals, tail, start)
        kept_days, head_end, head_rows = {}, None, 0
    tail.sort(key=lambda row: tuple(row[column] for column in DAILY_COLUMNS[:5]))
    render = renderer(DAILY_COLUMNS)
    with replaced_atomically(daily_path, binary=True) as handle:
        if head_end is None:
            handle.write(BOM + render(dict(zip(DAILY_COLUMNS, DAILY_COLUMNS, strict=True))))
        else:
            with open(daily_path, "rb") as source:
                handle.write(source.read(head_end))
        written = handle.tell()
        days_at = dict(kept_days)
        for row in tail:
            line = render(row)
            days_at.setdefault(row["date"], written)
            handle.write(line)
            written += len(line)
    data = weekly_series(totals, start)
    with replaced_atomically(feeds / CHART_FILE, binary=True) as handle:
        handle.write(render_png(data))
    kept["chart"] = {"regions": regions, "article": mark, "start": start.isoformat(), "file": file_state(daily_path),
                     "days": days_at, "end": written, "rows": head_rows + len(tail),
                     "weekly": {w: v for w, v in totals.items() if any(v)}}
    return {DAILY_FILE: head_rows + len(tail), CHART_FILE: len(data["series"])}


def _read_daily(path, offset: int) -> list[dict]:
    """The table's rows from byte ``offset`` (the start of a row) to its end."""
    import csv

    with open(path, "rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8")
    return [{**dict(zip(DAILY_COLUMNS, values, strict=True)), "mentions": int(values[5]), "articles": int(values[6])}
            for values in csv.reader(io.StringIO(text, newline=""))]
