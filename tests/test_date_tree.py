"""``find_published(..., tree=)``: the caller's parsed page gives the same dates as parsing it again, unchanged.

Every page of ``tests/sites/`` and of the bench date fixtures, plus pages written to catch the ways the
caller's tree (``pipelines.clean.parse_page``: comments kept) differs from date_evidence's own parse (comments
dropped): each is dated without and with ``tree=``, and the tree is serialized before and after.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from w3lib.encoding import html_to_unicode

from pipelines import date_evidence
from pipelines.clean import parse_page
from pipelines.date_evidence import find_published
from pipelines.date_patterns import Window

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "tests" / "sites"
FIXTURES = ROOT / "bench" / "date_fixtures"
FETCHED = (datetime(2022, 11, 2, 10, 0, tzinfo=UTC), datetime(2024, 3, 5, 21, 0, tzinfo=UTC))

# Pages where a tree with comments, read as it is, would date differently from date_evidence's own parse.
WRITTEN = {
    "comment inside a bare date": "<!DOCTYPE html><html><body><h1>Сессия Законодательного Собрания</h1>"
    "<p>1 ноября<!-- дата --> 2022 г.</p><p>Депутаты приняли закон о бюджете.</p></body></html>",
    "comment before an update label": "<html><body><h1>Закон принят</h1><div class='news-detail'>"
    "<p><b>Обновлено:</b><!-- x --> 05.11.2022</p><p>Опубликовано 01.11.2022</p></div></body></html>",
    "comment between a heading and other news": "<html><body><h1>Закон принят</h1><p>Текст новости.</p>"
    "<div><div><h3>Другие новости</h3><!-- список --></div><p>03.11.2022</p></div></body></html>",
    "fragment": "<p>Новость от 1 ноября 2022 г.</p>",
    "processing instruction": "<html><body><?php echo 1; ?><h1>Закон</h1><p>Сессия прошла 29.10.2022</p>"
    "</body></html>",
    "xml declaration": '<?xml version="1.0" encoding="utf-8"?><html><body><h1>Закон</h1>'
    "<p>Вчера, 14:35</p></body></html>",
    "self-closed html": '<!DOCTYPE html>\n<html lang="ru"/>\n<body><h1>Закон</h1><p>Сессия 29.10.2022</p></body>',
    "doctype cut by htmldate": '<!DOCTYPE html><html><head><meta charset="utf-8"/></head><body><h1>Закон</h1>'
    "<p>Заседание прошло 28 октября 2022 года в 10:00</p></body></html>",
    "only a comment": "<!-- nothing -->",
}


def _decode(path: Path) -> str:
    return html_to_unicode(None, path.read_bytes())[1]


def _cases() -> list[tuple[str, str, str, str, datetime, list[str]]]:
    """(name, html, url, time zone, fetch time, hints) of every page."""
    cases = []
    for entry in json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8")):
        cases.append((f"fixture {entry['file']}", _decode(FIXTURES / entry["file"]), entry["url"],
                      entry["timezone"], datetime.fromisoformat(entry["fetched_at"]), entry.get("hints", [])))
    for path in sorted(SITES.rglob("*.html")):
        relative = path.relative_to(SITES)
        url = f"http://{relative.parts[0].replace('_', '-')}.example.ru/{'/'.join(relative.parts[1:])}"
        for fetched in FETCHED:
            cases.append((f"{relative} at {fetched:%Y-%m-%d}", _decode(path), url, "Europe/Moscow", fetched, []))
    for name, html in WRITTEN.items():
        for fetched in FETCHED:
            cases.append((f"{name} at {fetched:%Y-%m-%d}", html, "http://zs.example.ru/news/7/", "Asia/Omsk",
                          fetched, []))
    return cases


CASES = _cases()


def _snapshot(tree: lxml.html.HtmlElement) -> tuple[str, list[str]]:
    """The whole tree, comments and all, and each of its nodes in order (a text split in two shows)."""
    nodes = [node if isinstance(node, str) else f"{node.tag} {node.text!r}" for node in tree.xpath("//node()")]
    return lxml.etree.tostring(tree.getroottree(), encoding="unicode"), nodes


def test_the_caller_tree_gives_the_same_dates_and_stays_unchanged():
    differing, changed, dated, commented = [], [], 0, 0
    for name, html, url, tz, fetched, hints in CASES:
        tree = parse_page(html)
        if tree is None:
            continue
        before = _snapshot(tree)
        own = find_published(html, url, tz, fetched, hints)
        given = find_published(html, url, tz, fetched, hints, tree=tree)
        if own != given:
            differing.append(f"{name}: {own or '—'} parsed here, {given or '—'} from the caller's tree")
        if _snapshot(tree) != before:
            changed.append(name)
        dated += bool(own)
        commented += next(tree.iter(lxml.etree.Comment), None) is not None
    assert not differing, "\n".join(differing)
    assert not changed, f"the caller's tree was changed: {changed}"
    # the comparison covers dated pages, and pages whose tree must be copied without its comments
    assert dated >= 60 and commented >= 6, (dated, commented)


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_written_pages_are_dated_alike(name):
    html = WRITTEN[name]
    tree = parse_page(html)
    for fetched in FETCHED:
        args = (html, "http://zs.example.ru/news/7/", "Asia/Omsk", fetched)
        assert find_published(*args, tree=tree) == find_published(*args), name


def test_a_page_cut_short_is_dated_from_the_part_read():
    """Past ``MAX_HTML_CHARS`` the text is cut: a tree of the whole page must not add a date from its end."""
    filler = "<p>" + "Текст сессии. " * 200 + "</p>"
    html = "<html><body><h1>Закон принят</h1>" + filler * (date_evidence.MAX_HTML_CHARS // len(filler) + 1)
    html += "<p>29.10.2022</p></body></html>"
    args = (html, "http://zs.example.ru/news/2022/10/20/", "Europe/Moscow", FETCHED[0])
    assert find_published(*args, tree=parse_page(html)) == find_published(*args) == "2022-10-20"


def test_htmldate_reads_the_caller_tree_alike():
    """The last resort on its own: htmldate given the caller's tree (where it may be) answers as given the text."""
    differing, passed = [], 0
    for name, html, url, _tz, fetched, _hints in CASES:
        tree = parse_page(html)
        if tree is None or not html.strip() or fetched == FETCHED[1]:  # the same page again
            continue
        window = Window(fetched)
        before = _snapshot(tree)
        own = date_evidence._htmldate(html, url, window, None)
        given = date_evidence._htmldate(html, url, window, tree)
        if own != given:
            differing.append(f"{name}: {own} from the text, {given} from the tree")
        assert _snapshot(tree) == before, name
        passed += date_evidence._htmldate_parses_alike(html)
    assert not differing, "\n".join(differing)
    assert passed >= 100, passed  # most pages do reach htmldate as a tree
