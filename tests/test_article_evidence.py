"""The page-evidence decision (pipelines/article_evidence.py) on whole pages, cleaned and dated by the real code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.spiders.discovery import parse_html
from crawler.spiders.listing_blocks import headline_blocks
from crawler.spiders.url_templates import LearnedTemplates, suggested_pattern, template_of
from pipelines.article_evidence import add_listing_signal, judge, page_signals
from pipelines.clean import extract_from_tree, parse_page
from pipelines.date_evidence import find_published

MENU = ('<nav class="main-menu"><a href="/">Главная</a> <a href="/deputaty/">Депутаты</a> <a href="/zakony/">Законы</a>'
        ' <a href="/press/">Пресс-служба</a> <a href="/kontakty/">Контакты</a></nav>')
PROSE = ("<p>Депутаты областной Думы рассмотрели на заседании комитета ход подготовки к зимнему сезону. По данным "
         "министерства, котельные готовы на девяносто восемь процентов, а запасы угля созданы на сорок пять суток.</p>"
         "<p>Председатель комитета попросил уделить особое внимание сельским школам и больницам, где замена котлов "
         "ещё не завершена. Комитет вернётся к вопросу в декабре.</p>")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def page(title: str, content: str) -> str:
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title} — Областная Дума</title>'
            f'</head><body><header><a class="logo" href="/"></a>Областная Дума</header>{MENU}<main>{content}</main>'
            '<footer>© 2026 Областная Дума</footer></body></html>')


def verdict(html: str, url: str = "http://duma.example.ru/folder/123", listed: bool = False):
    tree = parse_page(html)
    signals = page_signals(tree)
    title, text = extract_from_tree(tree, html, url)
    add_listing_signal(signals, tree, text)  # as the clean stage does, once its «Другие новости» blocks are gone
    return judge(signals, title, text, find_published(html, url, "Europe/Moscow", NOW, []), listed=listed)


def test_a_news_page_is_news():
    html = page("Комитет проверил подготовку к зиме",
                f'<h1>Комитет проверил подготовку к зиме</h1><div class="news-date">24.11.2026</div>{PROSE}')
    assert verdict(html).is_news


@pytest.mark.parametrize(("title", "content", "reason"), [
    ("Депутаты", "<h1>Депутаты</h1><ul>" + "".join(
        f'<li><a href="/deputaty/{n}/">{name}</a></li>' for n, name in enumerate(
            ["Иванов Сергей Петрович", "Петрова Анна Викторовна", "Сидоров Константин Львович"])) + "</ul>",
     "section page"),
    ("Закон области от 12.11.2026 № 45-ЗО «Об областном бюджете на 2027 год»",
     "<h1>Закон области от 12.11.2026 № 45-ЗО «Об областном бюджете на 2027 год»</h1>" + PROSE, "document"),
    ("Иванов Сергей Петрович", "<h1>Иванов Сергей Петрович</h1><p>Дата рождения: 12.03.1971.</p>" + PROSE,
     "person"),
    ("Заседание Думы 12 ноября 2026 года", "<h1>Заседание Думы 12 ноября 2026 года</h1>" + "".join(
        f"<p>{who} Коллеги, переходим к следующему вопросу повестки, прошу докладчика выйти к трибуне и начать.</p>"
        for who in ["Председательствующий.", "ИВАНОВ С.П.", "Председательствующий.", "ПЕТРОВА А.В.",
                    "СИДОРОВ К.Л.", "Председательствующий."]), "stenogram"),
    ("Фоторепортаж с заседания", "<h1>Фоторепортаж с заседания</h1><div>12.11.2026</div>"
     + "".join(f'<img src="/upload/{n}.jpg" alt="">' for n in range(15)), "gallery"),
    ("Обращение к депутату", '<h1>Обращение к депутату</h1><p>Заполните форму.</p><form action="/send/">'
     + "".join(f'<input name="f{n}">' for n in range(5)) + '<textarea name="text"></textarea></form>', "form"),
    ("О комитете по бюджету", "<h1>О комитете по бюджету</h1>" + PROSE, "no publication date"),
])
def test_pages_that_are_not_news(title, content, reason):
    result = verdict(page(title, content))
    assert not result.is_news and result.reason, result


def test_a_rubric_listing_with_teasers_is_a_list_of_links():
    items = "".join(
        f'<div class="item"><span class="date">2{n}.11.2026</span> <a href="/node/{n}">Депутаты обсудили вопрос '
        f'номер {n} на заседании комитета</a><p>{PROSE[3:200]}.</p></div>' for n in range(6))
    result = verdict(page("Комитеты", f"<h1>Комитеты: новости</h1>{items}"), "http://duma.example.ru/news/rubric/986/")
    assert not result.is_news


def test_an_undated_page_from_a_listing_is_news():
    html = page("Комитет проверил подготовку к зиме", f"<h1>Комитет проверил подготовку к зиме</h1>{PROSE}")
    assert not verdict(html).is_news and verdict(html, listed=True).is_news


def test_listing_blocks_take_dated_headlines_not_menus():
    rows = "".join(f'<li><span class="date">2{n}.11.2026</span> <a href="/politics/slug-{n}">Депутаты обсудили '
                   f"вопрос номер {n}</a></li>" for n in range(4))
    root = parse_html(page("Новости", f'<ul class="list">{rows}</ul><a href="/press/archive/">Архив новостей</a>'))
    blocks = headline_blocks(root, "http://duma.example.ru/")
    assert len(blocks) == 1
    assert list(blocks[0].links) == [f"http://duma.example.ru/politics/slug-{n}" for n in range(4)]
    assert blocks[0].dated == 4 and blocks[0].more == ["http://duma.example.ru/press/archive/"]


def test_templates_and_the_suggested_pattern():
    assert template_of("http://x.ru/Info.aspx?type=news&id=1091416") == r"/Info\.aspx\?id=\d+&type=news"
    assert template_of("http://x.ru/politics/world/otrezat_golovu_vo_imya") == r"/politics/world/[^/]+"
    assert template_of("http://x.ru/dieta-atkinsa.html") == r"/[^/]+\.html"
    learned = LearnedTemplates()
    for n in range(3):
        learned.vote(f"http://x.ru/node/{n}", is_news=True)
        learned.vote(f"http://x.ru/zakony/{n}", is_news=False)
    assert learned.verdict("http://x.ru/node/77") is True and learned.verdict("http://x.ru/zakony/9") is False
    learned.vote("http://x.ru/node/99", is_news=False)        # a template that led to both decides nothing
    assert learned.verdict("http://x.ru/node/77") is None
    import re

    pattern = suggested_pattern(LearnedTemplates(news=learned.news).news)
    assert re.search(pattern, "https://x.ru/node/12345") and not re.search(pattern, "https://x.ru/node/1/edit")


@pytest.mark.parametrize(("html", "title"), [
    # the <h1> is the section's name on every page; the headline is in <title>
    ('<html><head><title>Депутаты приняли бюджет в первом чтении | Законодательное Собрание</title></head><body>'
     '<a href="/news/">Новости</a><h1>Новости</h1><div>Законодательное Собрание</div></body></html>',
     "Депутаты приняли бюджет в первом чтении"),
    # a dash inside «…» is the headline's; the one before the site's name (in header and footer) is not
    ('<html><head><title>Объявлен конкурс детского рисунка «Мой край — моя гордость» — Правительство области'
     '</title></head><body><div>Правительство области</div><footer>© Правительство области</footer></body></html>',
     "Объявлен конкурс детского рисунка «Мой край — моя гордость»"),
    # a dash between the headline's words, the site named by og:site_name
    ('<html><head><meta property="og:site_name" content="Дума"><title>Бюджет — итоги года - Дума</title></head>'
     '<body></body></html>', "Бюджет — итоги года"),
    # «Новости» in <h1> and <title>: the title-classed headline
    ('<html><head><title>Новости</title></head><body><h1>Новости</h1><div class="news-title">Депутаты обсудили '
     'тарифы на тепло</div></body></html>', "Депутаты обсудили тарифы на тепло"),
])
def test_titles_on_government_pages(html, title):
    from pipelines.clean import title_from_tree

    assert title_from_tree(parse_page(html)) == title
