"""The digest end to end: the real service, real crawls, apprise, and an SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
import sqlite3
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from history import HISTORY_SOURCES, fill_history
from test_alerts import smtp  # noqa: F401 (the fixture)
from test_service import start_service, stop_service, wait_for

from bigsite import build_site
from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

WATCHLIST = {"names": [{"name": "Иван Петров"}, {"name": "Ольга Смирнова"}],
             "topics": [{"name": "Газификация", "keywords": ["газификация"]},
                        {"name": "Ремонт школ", "keywords": ["ремонт школ"]},
                        {"name": "Бюджет", "keywords": ["областной бюджет"]}]}


def _config(tmp_path, server, urls, digest="0 8 * * *"):
    sources = [source_entry(server, "newsite", name="Новгородская областная дума"),
               *({**entry, "url": f"http://{entry['id']}.example/", "timezone": "Europe/Moscow", "enabled": False}
                 for entry in HISTORY_SOURCES)]
    return write_config(tmp_path, sources, watchlist=WATCHLIST,
                        alerts={"urls": urls, "digest": digest, "on": ["health"]})


def _listed(message) -> dict[str, set[str]]:
    """watch → the article links listed under its heading in the HTML part."""
    page = lxml.html.fromstring(message.get_body(preferencelist=("html",)).get_content())
    listed = {}
    for heading in page.iter("h3"):
        watch = heading.text_content().split(" (")[0]
        links = heading.getnext().xpath("./li/a[1]/@href")
        listed[watch] = set(links)
    return listed


def _expected(feeds, since: str = "", urls: set[str] | None = None) -> dict[str, set[str]]:
    """watch → the URLs of mentions.csv first seen after ``since`` (or among ``urls``)."""
    expected: dict[str, set[str]] = {}
    for row in read_csv(feeds / "mentions.csv"):
        if (row["url"] in urls) if urls is not None else row["first_seen"] > since:
            expected.setdefault(row["watch"], set()).add(row["url"])
    return expected


def test_one_digest_per_period_grouped_by_watch_and_a_failed_one_loses_nothing(serve, tmp_path, smtp):  # noqa: F811
    site = tmp_path / "site"
    build_site(site, 4)
    server = serve(site)
    stored = fill_history(tmp_path / "data" / "state.sqlite3", days=20, per_day=6)
    assert stored
    with socket.socket() as probe:  # a port nothing listens on: the first delivery fails
        probe.bind(("127.0.0.1", 0))
        dead = f"mailto://127.0.0.1:{probe.getsockname()[1]}?from=dumawatch@example.org&to=press@example.org"
    day_ago = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    config = _config(tmp_path, server, [dead])
    failed = run_cli("schedule", "--config", config, "--once", timeout=120)
    assert failed.returncode == 0, failed.stderr
    assert "digest of" in failed.stderr and "not delivered" in failed.stderr
    expected = _expected(tmp_path / "feeds", day_ago)
    assert expected["Бюджет"] and expected["Иван Петров"], "crawled and stored mentions both await the digest"

    config = _config(tmp_path, server, [smtp.url])
    first = run_cli("schedule", "--config", config, "--once", timeout=120)
    assert first.returncode == 0, first.stderr
    [message] = smtp.messages  # the per-run mention alert is off (on: [health]); one digest
    assert str(message["subject"]).startswith(f"dumawatch digest: {sum(map(len, expected.values()))} new mention")
    assert _listed(message) == expected, "the held mentions come with the next digest, grouped by watch"
    assert message.get_body(preferencelist=("plain",)) is not None, "a plain-text part beside the HTML one"
    page = message.get_body(preferencelist=("html",)).get_content()
    assert "Новгородская областная дума" in page and "Законодательное собрание (архив, Bitrix)" in page
    assert "reprint of" in page and "Речь шла и о Ивана Петрова." in page

    second = run_cli("schedule", "--config", config, "--once", timeout=120)  # nothing new: nothing sent
    assert second.returncode == 0, second.stderr
    assert len(smtp.messages) == 1

    build_site(site, 7)  # three new articles on the site: the next digest holds exactly their mentions
    third = run_cli("schedule", "--config", config, "--once", timeout=120)
    assert third.returncode == 0, third.stderr
    assert len(smtp.messages) == 2
    new = _expected(tmp_path / "feeds", urls={f"{server.base_url}/news/{10000 + n}/" for n in range(4, 7)})
    assert new["Бюджет"] and _listed(smtp.messages[1]) == new
    db = sqlite3.connect(tmp_path / "data" / "state.sqlite3")
    assert [row[0] for row in db.execute("SELECT delivered FROM digests ORDER BY id")] == [1, 0, 1]


def test_the_service_sends_the_digest_on_its_cron(serve, tmp_path, smtp):  # noqa: F811
    site = tmp_path / "site"
    build_site(site, 3)
    server = serve(site)
    config = _config(tmp_path, server, [smtp.url], digest="*/2 * * * * *")
    run_cli("crawl", "--config", config, check=True)
    service = start_service(config)
    wait_for(lambda: smtp.messages, 30, "the digest", service)
    code, err = stop_service(service)
    assert code == 0, err
    assert "digest: */2 * * * * * (Europe/Moscow)" in err
    expected = _expected(tmp_path / "feeds", urls={f"{server.base_url}/news/{10000 + n}/" for n in range(3)})
    assert expected["Бюджет"] and _listed(smtp.messages[0]) == expected
    assert all("digest" in str(message["subject"]) for message in smtp.messages)
    assert len(smtp.messages) == 1, "later periods had nothing new"


def test_a_bad_digest_cron_is_a_one_line_config_error(serve, tmp_path):
    server = serve("tverduma")
    config = write_config(tmp_path, [source_entry(server, "tverduma")],
                          alerts={"urls": ["mailto://127.0.0.1:9?to=a@example.org"], "digest": "0 25 * * *"})
    result = run_cli("schedule", "--config", config, "--once")
    assert result.returncode == 2 and not (tmp_path / "data").exists()
    [line] = result.stderr.strip().splitlines()
    assert "alerts: digest: bad cron '0 25 * * *'" in line
