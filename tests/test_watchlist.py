"""Validation of the watchlist file (pipelines.watchlist.load_watchlist)."""

import pytest

from crawler.errors import ConfigError
from pipelines.watchlist import NameWatch, TopicWatch, Watchlist, load_watchlist

PATH = "config/watchlist.yaml"


def load(data):
    return load_watchlist(data, PATH)


def test_full_example_loads():
    wl = load({
        "names": [{"name": "Александр Блошкин", "aliases": ["Блошкин А.В."], "surname_alone": True},
                  {"name": "Ольга Пыжова", "surname_alone": False}],
        "topics": [{"name": "Память о Сталинградской битве",
                    "keywords": ["Сталинградская битва", "Сталинградская победа"]},
                   {"name": "Газификация", "any": ["газификация", "газоснабжение"], "none": ["газификация Европы"]}],
    })
    assert wl.names[0] == NameWatch("Александр Блошкин", ("Блошкин А.В.",), True)
    assert wl.names[1].surname_alone is False
    assert wl.topics[0] == TopicWatch("Память о Сталинградской битве",
                                      any=("Сталинградская битва", "Сталинградская победа"))
    assert wl.topics[1].none == ("газификация Европы",)


@pytest.mark.parametrize("data", [None, {}, {"names": [], "topics": []}, {"names": None}])
def test_empty_watchlist_is_valid(data):
    assert load(data) == Watchlist()


def error(data) -> str:
    with pytest.raises(ConfigError) as info:
        load(data)
    message = str(info.value)
    assert "\n" not in message and message.startswith(PATH + ": ")
    return message


def test_unknown_key_names_file_entry_and_key():
    message = error({"names": [{"name": "А Б"}, {"name": "В Г"}, {"name": "Ольга Пыжова", "alias": ["x"]}]})
    assert message.startswith("config/watchlist.yaml: names[2] (Ольга Пыжова): unknown key 'alias'")


def test_unknown_top_level_key():
    assert "unknown key 'people'" in error({"people": []})


def test_wrong_types():
    assert "'aliases' must be a list of strings" in error({"names": [{"name": "Иван Орёл", "aliases": 5}]})
    assert "'surname_alone' must be true or false" in error(
        {"names": [{"name": "Иван Орёл", "surname_alone": "no"}]})
    assert "'name' must be a string" in error({"names": [{"name": 12}]})
    assert "names[0]: must be a mapping" in error({"names": ["Иван Орёл"]})
    assert "'names' must be a list" in error({"names": {"name": "Иван Орёл"}})
    assert "'keywords[1]' must be a string" in error({"topics": [{"name": "T", "keywords": ["a", 3]}]})


def test_empty_name_and_missing_name():
    assert "'name' is empty" in error({"names": [{"name": "   "}]})
    assert "missing 'name'" in error({"names": [{"aliases": ["Блошкин"]}]})
    assert "'aliases[0]' is empty" in error({"names": [{"name": "Иван Орёл", "aliases": [""]}]})


def test_duplicate_names_ignore_case_and_yo():
    message = error({"names": [{"name": "Иван Орёл"}, {"name": "иван орел"}]})
    assert "names[1] (иван орел): duplicate name (already names[0])" in message
    assert "duplicate topic name" in error({"topics": [{"name": "Т", "any": ["а"]}, {"name": "т", "any": ["б"]}]})


def test_topic_needs_phrases_and_not_both_synonyms():
    assert "needs 'keywords', 'any' or 'all'" in error({"topics": [{"name": "Т", "none": ["а"]}]})
    assert "give only one of them" in error({"topics": [{"name": "Т", "keywords": ["а"], "any": ["б"]}]})


def test_all_only_topic_is_valid():
    wl = load({"topics": [{"name": "Т", "all": ["газ", "село"]}]})
    assert wl.topics[0].all == ("газ", "село") and wl.topics[0].any == ()
