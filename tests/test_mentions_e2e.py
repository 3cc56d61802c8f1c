"""Mentions through a real crawl: every name rule and trap of the matcher, on pages served on loopback.

The site's mega-menu, «Другие новости» sidebar and footer name watched people on every page: those
are not mentions. ``tests/sites/mentions/expected.json`` gives the watch entries each article's body
really mentions.
"""

from __future__ import annotations

import json

import pytest

from conftest import TEST_SITES, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

WATCHLIST = {
    "names": [
        {"name": "Александр Блошкин", "aliases": ["Блошкин А.В."]},
        {"name": "Ольга Пыжова"},
        {"name": "Андрей Бочаров"},
        {"name": "Сергей Шойгу"},
        {"name": "Валентина Матвиенко"},
        {"name": "Тереза Мэй"},
        {"name": "Игорь Орёл"},
        {"name": "Пётр Зима"},
        {"name": "Иван Седых"},
        {"name": "Михаил Живаго"},
        {"name": "Андрей Кошевой"},
        {"name": "Владимир Вишневский", "surname_alone": False},
    ],
    "topics": [
        {"name": "Сталинградская битва", "keywords": ["Сталинградская битва"]},
        {"name": "Ремонт школ", "keywords": ["капитальный ремонт школ"]},
        {"name": "Газификация", "any": ["газификация"], "none": ["газификация Европы"]},
    ],
}


def test_every_rule_and_trap_through_the_crawl(serve, tmp_path):
    site = serve("mentions")
    config = write_config(tmp_path, [source_entry(site, "mentions")], watchlist=WATCHLIST)
    run_cli("crawl", "--config", config, check=True)
    expected = json.loads((TEST_SITES / "mentions" / "expected.json").read_text(encoding="utf-8"))
    articles = {row["url"].removeprefix(site.base_url): row for row in read_csv(tmp_path / "feeds" / "articles.csv")}
    assert set(articles) == set(expected)
    for path, watches in expected.items():
        row = articles[path]
        found = sorted(filter(None, row["names"].split("; ") + row["topics"].split("; ")))
        assert found == watches, (path, row["title"])

    mentions = read_csv(tmp_path / "feeds" / "mentions.csv")
    assert len(mentions) == sum(len(w) for w in expected.values())  # one row per (article, watch entry)
    matched = {(m["watch"], m["matched"]) for m in mentions}
    for form in [("Александр Блошкин", "Блошкину"), ("Андрей Кошевой", "Андрея Кошевого"), ("Александр Блошкин", "А.В. Блошкин"),
                 ("Александр Блошкин", "Блошкин"), ("Ольга Пыжова", "Пыжова"),
                 ("Тереза Мэй", "Терезой Мэй"), ("Игорь Орёл", "Игорю Орлу"),
                 ("Сталинградская битва", "Сталинградской битвы"), ("Ремонт школ", "капитального ремонта школ"),
                 ("Газификация", "газификацию")]:
        assert form in matched, form
    for mention in mentions:
        assert mention["matched"] in mention["snippet"] or mention["matched"] in mention["title"]
        assert mention["kind"] == ("topic" if mention["watch"] in {"Сталинградская битва", "Ремонт школ",
                                                                   "Газификация"} else "name")
