"""Alerts through apprise, delivered by the real service to a local SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket

import pytest
from test_health import redesign_to_empty_pages

from conftest import TEST_SITES, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

WATCHLIST = {"names": [], "topics": [{"name": "Бюджет", "keywords": ["бюджет области"]}]}


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"mailto://127.0.0.1:{port}?from=dumawatch@example.org&to=editor@example.org&mode=insecure"
    yield inbox
    controller.stop()


def subjects(inbox: Inbox) -> list[str]:
    return [str(message["subject"]) for message in inbox.messages]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_new_mentions_and_new_health_flags_arrive_by_email(serve, tmp_path, smtp):
    site = tmp_path / "site"
    shutil.copytree(TEST_SITES / "tverduma", site)
    server = serve(site)
    config = write_config(tmp_path / "run", [source_entry(server, "tverduma")], watchlist=WATCHLIST,
                          health={"stale_runs": 1}, alerts={"urls": [smtp.url], "on": ["mentions", "health"]})
    first = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert first.returncode == 0, first.stderr
    [subject] = subjects(smtp)
    assert subject.startswith("dumawatch: ") and "new mention" in subject and "Бюджет" in subject
    text = body(smtp.messages[0])
    assert f"{server.base_url}/news/5100/" in text and "бюджет области" in text.casefold()
    assert smtp.messages[0]["to"] == "editor@example.org"

    redesign_to_empty_pages(site, range(5200, 5203))
    second = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert second.returncode == 0, second.stderr
    assert len(smtp.messages) == 2  # no mention is new; the health flags are
    assert "source health: tverduma" in subjects(smtp)[1]
    assert "without extractable text" in body(smtp.messages[1])

    third = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert third.returncode == 0, third.stderr
    assert len(smtp.messages) == 2, "a flag that persists is not sent again"


def test_alerts_are_off_by_default(serve, tmp_path, smtp):
    server = serve("tverduma")
    config = write_config(tmp_path, [source_entry(server, "tverduma")], watchlist=WATCHLIST)
    result = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert result.returncode == 0, result.stderr
    assert smtp.messages == []
