"""The page stages as plain functions (pipelines/stages.py): a fetched page in, the article's fields out, or a
counted reason to drop it; no Scrapy crawler, spider or store involved. The crawl runs the same list
(tests/test_workers_e2e.py compares the worker and in-process paths of a real crawl row by row)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.config import Source
from crawler.items import ArticleItem
from pipelines.article_evidence import NotNews
from pipelines.clean import EmptyPage
from pipelines.errors import CountedDrop
from pipelines.page import Page
from pipelines.stages import PAGE_STAGES, PageStages

SITE = Path(__file__).parent / "sites" / "check_wordpress_feed"
ARTICLE = SITE / "2026/11/18/komitet-obsudil-gazifikaciyu-gornyh-sel/index.html"
FETCHED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _item(path: Path, url: str) -> ArticleItem:
    return ArticleItem(source_id="wp", url=url, html=path.read_text(encoding="utf-8"), fetched_at=FETCHED,
                       timezone="Europe/Moscow", date_hints=[], listed=False)


@pytest.fixture(scope="module")
def stages() -> PageStages:
    source = Source(id="wp", name="Тестовый парламент", url="http://127.0.0.1/", timezone="Europe/Moscow",
                    region="Тестовая область")
    return PageStages({"wp": source}, {"topics": [{"name": "Газификация", "keywords": ["газификация"]}]},
                      "watchlist.yaml")


def test_the_stages_in_their_order():
    assert [name for name, _ in PAGE_STAGES] == ["clean", "date", "judge", "mention", "fingerprint", "index_forms"]


def test_an_article_page_gets_every_field(stages):
    item = stages.run(_item(ARTICLE, "http://127.0.0.1/2026/11/18/komitet-obsudil-gazifikaciyu-gornyh-sel/"))
    assert "газ" in item["title"].lower()
    assert len(item["text"]) >= 200 and item["title"] not in item["text"].split("\n")[0]
    assert item["published_at"].startswith("2026-11-18")
    assert item["topics"] == ["Газификация"]
    assert item["mentions"] and item["mentions"][0]["watch"] == "Газификация"
    content_hash, sketch, _shingles = item["fingerprint"]
    assert content_hash and sketch
    assert all(item["normal_forms"])


def test_stage_seconds_are_kept_per_stage(stages):
    seconds: dict[str, float] = {}
    stages.run(_item(ARTICLE, "http://127.0.0.1/a/"), seconds)
    assert set(seconds) == {name for name, _ in PAGE_STAGES}


@pytest.mark.parametrize("page, reason, counter", [
    (SITE / "deputaty/index.html", EmptyPage, "empty_pages"),      # the deputies page: a few names, no text
    (SITE.parent / "discover_portal/folder/2950001/index.html", NotNews, "not_news"),   # a law: text, not news
])
def test_pages_that_are_no_article_are_dropped_with_a_counted_reason(stages, page, reason, counter):
    with pytest.raises(reason) as dropped:
        stages.run(_item(page, "http://127.0.0.1/folder/2950001"))
    assert isinstance(dropped.value, CountedDrop) and dropped.value.counter == counter
    assert "http://127.0.0.1/folder/2950001" in str(dropped.value)


def test_a_page_that_is_not_html_is_an_empty_page(stages):
    item = ArticleItem(source_id="wp", url="http://127.0.0.1/x", html="\x00\x01", fetched_at=FETCHED,
                       timezone="Europe/Moscow")
    with pytest.raises(EmptyPage, match="no article text"):
        stages.run(item)


def test_a_drop_crosses_a_process_boundary_as_it_is():
    """Workers send the stage's drop back pickled: class, counter and message survive."""
    again = pickle.loads(pickle.dumps(NotNews("not news: http://x/ (a form)")))
    assert type(again) is NotNews and again.counter == "not_news" and str(again) == "not news: http://x/ (a form)"


def test_the_page_tree_is_parsed_once_and_left_as_fetched(stages):
    page = Page(ARTICLE.read_text(encoding="utf-8"), "http://127.0.0.1/a/")
    before = len(list(page.tree.iter()))
    working = page.working_tree()
    working.find("body").clear()
    assert len(list(page.tree.iter())) == before and page.tree is page.tree
