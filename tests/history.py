"""Fill a store with 14 months of history through the store's own API, for the feed, chart and digest tests.

Articles of a few sources, ``per_day`` a day back from now in Moscow time, with every ``published_at`` shape
the pipelines write (local time with offset, a date alone, undated), mentions of a small watchlist, and
reprints (``duplicate_of``). ``first_seen`` is set to when such an article would have been found (two hours
after its publication, so the latest may lie ahead of the clock), as a crawl running all along would have
recorded it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.storage.store import Store
from pipelines.fingerprints import content_hash

from bigsite import article_text

MOSCOW = ZoneInfo("Europe/Moscow")
HISTORY_SOURCES = [
    {"id": "hist-bitrix", "name": "Законодательное собрание (архив, Bitrix)", "region": "Тверская область"},
    {"id": "hist-wp", "name": "Областная дума (архив, WordPress)", "region": "Курская область"},
    {"id": "hist-aspx", "name": "Государственный совет (архив)", "region": "Республика Татарстан"},
]
WATCHES = [("name", "Иван Петров", "Ивана Петрова"), ("name", "Ольга Смирнова", "Ольгой Смирновой"),
           ("topic", "Газификация", "газификации"), ("topic", "Ремонт школ", "ремонта школ")]


@dataclass
class Stored:
    url: str
    source_id: str
    published_at: str
    first_seen: str
    duplicate_of: str
    watches: list[tuple[str, str]] = field(default_factory=list)

    @property
    def day(self) -> str:
        """The local publication day, or for an undated article the UTC day it was first seen."""
        return (self.published_at or self.first_seen)[:10]


def url_of(source_id: str, n: int) -> str:
    shapes = {"hist-bitrix": "/press-center/news/{n}/", "hist-wp": "/node/{n}", "hist-aspx": "/Info.aspx?id={n}&type=news"}
    return f"http://{source_id}.example" + shapes[source_id].format(n=n)


def fill_history(state: Path, days: int = 425, per_day: int = 10) -> list[Stored]:
    """Add ``days`` × ``per_day`` articles to the SQLite store at ``state``, oldest first (as a crawl running all
    along would have: ids grow with ``first_seen``); returns what was stored."""
    now = datetime.now(MOSCOW).replace(microsecond=0)
    store = Store(f"sqlite:///{state}")
    stored: list[Stored] = []
    try:
        for n in reversed(range(days * per_day)):
            moment = now - timedelta(minutes=5 + n * 1440 // per_day)  # none in the future
            day = moment.date()
            source = HISTORY_SOURCES[n % len(HISTORY_SOURCES)]["id"]
            if n % 50 == 13:
                published = ""
            elif n % 7 == 0:
                published = day.isoformat()
            else:
                published = moment.isoformat(timespec="seconds")
            first_seen = (moment + timedelta(hours=2)).astimezone(UTC).isoformat(timespec="seconds")
            reprint = n % 20 == 4 and bool(stored)
            watches = [WATCHES[k][:2] for k in range(len(WATCHES)) if n % (k + 2) == 0]
            paragraphs = article_text(n)
            text = "\n".join([f"Сообщение № {n}.", *paragraphs,
                              *(f"Речь шла и о {WATCHES[k][2]}." for k in range(len(WATCHES)) if n % (k + 2) == 0)])
            url = url_of(source, n)
            item = {"url_key": url.removeprefix("http://"), "url": url, "source_id": source,
                    "title": f"Новость № {n}: {paragraphs[0][:60]}", "text": text, "published_at": published,
                    "content_hash": content_hash(text), "duplicate_of": stored[-1].url if reprint else "",
                    "names": [w for kind, w in watches if kind == "name"],
                    "topics": [w for kind, w in watches if kind == "topic"],
                    "mentions": [{"kind": kind, "watch": watch, "matched": WATCHES[k][2],
                                  "snippet": f"Речь шла и о {WATCHES[k][2]}."}
                                 for k, (kind, watch, _form) in enumerate(WATCHES) if (kind, watch) in watches]}
            store.add_article(item, [])
            stored.append(Stored(url, source, published, first_seen, item["duplicate_of"], watches))
        store.flush()
    finally:
        store.close()
    db = sqlite3.connect(state)
    db.executemany("UPDATE articles SET first_seen = ? WHERE url = ?", [(s.first_seen, s.url) for s in stored])
    db.commit()
    db.close()
    return stored
