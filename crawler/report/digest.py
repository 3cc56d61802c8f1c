"""The digest: one message per period with the new mentions, grouped by watch entry, through apprise.

Configured with a cron in the schedule's time zone (``dumawatch schedule`` runs it as a job of its own, and
``schedule --once`` sends it once after the crawls)::

    alerts:
      urls: ["mailtos://user:password@smtp.example.org?to=press@example.org"]
      digest: "0 8 * * *"          # every morning at 8
      on: [health]                 # optional: keep (or drop) the per-run alerts beside it

A period's new mentions are those of the articles stored since the previous digest went out (the ``digests``
table keeps the highest article id each one covered; the first digest covers the articles first seen in the
last day). Each is listed with the article's title, source, date, the sentence around the match and the link;
a reprint says which publication it copies. The message goes as HTML where the channel takes it (e-mail gets
an HTML part and a plain-text one) and as plain text elsewhere (apprise converts). A period without new
mentions sends nothing. A failed delivery is logged and the period is not closed, so its mentions go out with
the next digest: nothing is lost.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from crawler.config import Config
from crawler.report.alerts import send
from crawler.storage.history import (
    highest_article_id,
    last_digest_mark,
    mentions_of_articles_between,
    record_digest,
)
from crawler.storage.store import Store

log = logging.getLogger("dumawatch.digest")
MAX_PER_WATCH = 30   # mentions listed per watch entry; the rest are counted (all are in mentions.csv)


def last_covered(store: Store) -> int:
    """The highest article id the previous digest covered (first digest: those first seen over a day ago)."""
    return last_digest_mark(store, timedelta(days=1))


def grouped(found: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """(kind, watch, its mentions) with the most mentioned watch first."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in found:
        groups.setdefault((row["kind"], row["watch"]), []).append(row)
    return [(kind, watch, rows) for (kind, watch), rows in
            sorted(groups.items(), key=lambda item: (-len(item[1]), item[0][1]))]


def _date(row: dict) -> str:
    return (row["published_at"] or row["first_seen"])[:16].replace("T", " ")


def digest_message(config: Config, found: list[dict]) -> tuple[str, str]:
    """(title, HTML body) of the digest of ``found``."""
    names = {source.id: source.name for source in config.sources}
    groups = grouped(found)
    title = (f"dumawatch digest: {len(found)} new mention(s) of {len(groups)} watch entr"
             f"{'y' if len(groups) == 1 else 'ies'}: {', '.join(watch for _, watch, _ in groups)}")[:200]
    parts = [f"<h2>{html.escape(str(len(found)))} new mention(s)</h2>"]
    for kind, watch, rows in groups:
        label = "name" if kind == "name" else "topic"
        parts.append(f"<h3>{html.escape(watch)} ({label}): {len(rows)}</h3><ul>")
        for row in rows[:MAX_PER_WATCH]:
            source = names.get(row["source_id"], row["source_id"])
            reprint = (f"<br><small>reprint of <a href=\"{html.escape(row['duplicate_of'], quote=True)}\">"
                       f"{html.escape(row['duplicate_of'])}</a></small>") if row["duplicate_of"] else ""
            parts.append(
                f"<li><a href=\"{html.escape(row['url'], quote=True)}\">{html.escape(row['title'] or row['url'])}</a>"
                f"<br>{html.escape(source)}, {html.escape(_date(row))}"
                f"<br><i>«{html.escape(row['snippet'])}»</i>{reprint}</li>")
        if len(rows) > MAX_PER_WATCH:
            parts.append(f"<li>… and {len(rows) - MAX_PER_WATCH} more in mentions.csv</li>")
        parts.append("</ul>")
    return title, "\n".join(parts)


def send_digest(config: Config, store: Store) -> int:
    """Send the digest of the period that ends now; returns the number of mentions delivered (0: none to send,
    or the delivery failed and they wait for the next digest)."""
    settings = config.service
    if not settings.alert_urls:
        return 0
    store.flush()  # the newest articles count
    after = last_covered(store)
    up_to = highest_article_id(store)
    found = mentions_of_articles_between(store, after, up_to)
    delivered = bool(found) and send(settings.alert_urls, *digest_message(config, found),
                                     body_format="html")
    if found and not delivered:
        log.error("digest of %d mention(s) not delivered: they go out with the next one", len(found))
        return 0
    record_digest(store, up_to, len(found), delivered)
    log.info("digest: %d new mention(s)%s", len(found), " sent" if found else ", nothing to send")
    return len(found) if delivered else 0
