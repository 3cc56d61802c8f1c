"""URL keys: every variant of one article URL folds to one key; different articles stay apart."""

import pytest

from pipelines.urlkeys import same_site, url_key

BASE = "duma.ru/news/12"


@pytest.mark.parametrize("variant", [
    "https://duma.ru/news/12/",
    "http://duma.ru/news/12/",
    "https://www.duma.ru/news/12",
    "https://duma.ru/news/12/?utm_source=vk&utm_medium=social&utm_campaign=x",
    "https://duma.ru/news/12/?yclid=998877",
    "https://duma.ru/news/12/?fbclid=IwAR0abc",
    "https://duma.ru/news/12/?from=main",
    "https://duma.ru/news/12/?print=Y",
    "https://duma.ru/news/12/print/",
    "https://duma.ru/news/12/#comments",
    "https://DUMA.ru/news/12/index.php",
    "https://duma.ru:443/news/12/",
])
def test_variants_fold_to_one_key(variant):
    assert url_key(variant) == BASE


def test_parameter_order_and_joomla_print_version():
    assert url_key("http://x.ru/index.php?option=com_content&id=5&view=article") == \
        url_key("http://x.ru/index.php?view=article&id=5&option=com_content")
    assert url_key("http://x.ru/press/news/187-spiker?tmpl=component&print=1&layout=default") == \
        url_key("http://x.ru/press/news/187-spiker")


def test_different_articles_keep_different_keys():
    assert url_key("https://duma.ru/news/12/") != url_key("https://duma.ru/news/13/")
    assert url_key("https://duma.ru/news.php?id=12") != url_key("https://duma.ru/news.php?id=13")
    assert url_key("https://duma.ru/news/?PAGEN_1=2") != url_key("https://duma.ru/news/")


def test_same_site():
    assert same_site("https://www.duma.ru/a", "http://duma.ru/b")
    assert same_site("https://old.duma.ru/a", "https://duma.ru/")
    assert not same_site("https://duma.ru/", "https://gov.ru/")
