"""Optional alerts through apprise (e-mail, Telegram, Matrix…): new mentions of a run and new health flags.

Off unless the main config names at least one apprise URL::

    alerts:
      urls: ["mailtos://user:password@smtp.example.org?to=editor@example.org"]
      on: [mentions, health]          # default: both

The new mentions of a run are the mentions of the articles first seen during that run (its sources,
between its start and its end). A health alert is sent only when a flag appears, not at every run
it persists. A failed delivery is logged and never stops the service. The periodic digest of the new
mentions (``alerts: digest:``) is in ``crawler/report/digest.py``.
"""

from __future__ import annotations

import logging

from crawler.config import Config
from crawler.storage.store import Store

log = logging.getLogger("dumawatch.alerts")
MAX_LISTED = 50


def run_mentions(store: Store, run_rows: list[dict]) -> list[dict]:
    """The mentions of the articles first seen in the run whose ``runs`` rows are ``run_rows``."""
    if not run_rows:
        return []
    started = min(row["started"] for row in run_rows)
    finished = max(row["finished"] or row["started"] for row in run_rows)
    return store.mentions_first_seen({row["source_id"] for row in run_rows}, started, finished)


def mentions_message(config: Config, found: list[dict]) -> tuple[str, str]:
    names = {source.id: source.name for source in config.sources}
    watches = sorted({row["watch"] for row in found})
    title = f"dumawatch: {len(found)} new mention(s): {', '.join(watches)}"[:200]
    lines = []
    for row in found[:MAX_LISTED]:
        lines.append(f"{row['watch']} ({row['kind']}) — {names.get(row['source_id'], row['source_id'])}: "
                     f"{row['title']}\n{row['url']}\n«{row['snippet']}»\n")
    if len(found) > MAX_LISTED:
        lines.append(f"… and {len(found) - MAX_LISTED} more in mentions.csv")
    return title, "\n".join(lines)


def health_message(new_flags: dict[str, list[str]]) -> tuple[str, str]:
    """``new_flags``: source id → the details of the flags that just appeared."""
    title = f"dumawatch: source health: {', '.join(sorted(new_flags))}"[:200]
    body = "\n".join(f"{sid}: {'; '.join(details)}" for sid, details in sorted(new_flags.items()))
    return title, body + "\n\nSee health.csv; the site may have been redesigned or be down."


def send(urls: tuple[str, ...], title: str, body: str, body_format: str | None = None) -> bool:
    """Deliver one notification to every URL; False (and a log line) when any delivery failed. ``body_format``
    ``html``: apprise sends HTML where the channel takes it and converts it to text elsewhere."""
    try:
        import apprise
    except ImportError:
        log.error("alert not sent: apprise is not installed (pip install 'dumawatch[alerts]')")
        return False
    notifier = apprise.Apprise()
    for url in urls:
        if not notifier.add(url):
            log.error("alert not sent to an invalid apprise URL: %s", url.split("://", 1)[0] + "://…")
    try:
        formats = {"body_format": apprise.NotifyFormat(body_format)} if body_format else {}
        delivered = bool(len(notifier)) and notifier.notify(title=title, body=body, **formats)
    except Exception as exc:  # a notification service failing must never stop the crawls
        log.error("alert not sent: %s: %s", type(exc).__name__, exc)
        return False
    if not delivered:
        log.error("alert not delivered: %s", title)
    return bool(delivered)


def alert_run(config: Config, store: Store, run_rows: list[dict], new_flags: dict[str, list[str]]) -> int:
    """Send the alerts a finished run calls for; returns how many notifications went out."""
    settings = config.service
    if not settings.alert_urls:
        return 0
    sent = 0
    if "mentions" in settings.alert_on:
        found = run_mentions(store, run_rows)
        if found:
            sent += send(settings.alert_urls, *mentions_message(config, found))
    if "health" in settings.alert_on and new_flags:
        sent += send(settings.alert_urls, *health_message(new_flags))
    return sent
