"""Two duma sites whose articles hold one word each in one inflected form, for the search tests.

``write_homegrown`` writes a home-grown ASP.NET-style site (``Info.aspx?id=N&type=news``, windows-1251, a
table layout with a mega-menu and a «Другие новости» sidebar); ``write_wordpress`` a WordPress site with slug
URLs (``/2026/11/20/slug/``). The sidebars and menus of every page name people and topics too: those are no
part of an article's text, and a search must not find them.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from html import escape
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli, source_entry, write_config

FILLER = ("На заседании присутствовали депутаты профильных комитетов, представители правительства области и "
          "глав муниципальных образований. Обсуждение продолжалось более двух часов, по его итогам приняты "
          "рекомендации для исполнительной власти региона и определены сроки их исполнения.")

# (id, date, title, body): each body holds the searched word in one form only
HOMEGROWN = [
    (11, "2026-11-02", "Приём граждан в региональной приёмной",
     "Председатель думы Александр Блошкин провёл личный приём граждан в региональной приёмной."),
    (12, "2026-11-03", "Встреча с ветеранами труда",
     "Ветераны труда встретились с депутатами. Слово было предоставлено Александру Блошкину."),
    (13, "2026-11-05", "Награды вручены работникам культуры",
     "Благодарственные письма работникам культуры передали от имени председателя думы. Ответный адрес "
     "участники торжества вручили А.В. Блошкину."),
    (14, "2026-11-06", "Совещание по бюджету",
     "На совещании с Блошкиным А.В. обсудили поправки к областному бюджету на 2027 год."),
    (15, "2026-11-09", "Молодёжный парламент подвёл итоги года",
     "Молодёжный парламент рассказал о Блошкине как о наставнике нового созыва."),
    (16, "2026-11-10", "Рабочая поездка в район",
     "В рабочей поездке депутаты посетили котельную и школу. Поездку организовали по поручению Блошкина."),
    (17, "2026-11-12", "Депутат встретился с избирателями",
     "Депутат Закир Тхагалегов провёл встречу с избирателями в сельском доме культуры."),
    (18, "2026-11-13", "Подписано соглашение о сотрудничестве",
     "Соглашение о сотрудничестве с Тхагалеговым подписали представители районной администрации."),
    (19, "2026-11-16", "Комитет обсудил ход газификации",
     "Комитет по строительству обсудил ход газификации сельских поселений и сроки подключения домов."),
    (20, "2026-11-17", "Итоги программ газификаций прошлых лет",
     "Депутаты сравнили итоги программ газификаций прошлых лет и потребность в новых газопроводах."),
    (21, "2026-11-19", "Новогодняя ёлка для детей",
     "В думе установили новогоднюю ёлку для детей из многодетных семей и провели праздник."),
    (22, "2026-11-20", "Ремонт поликлиник",
     "Областной бюджет предусматривает средства на ремонт поликлиник в трёх районах."),
]
WORDPRESS = [
    ("gazifikaciya-poselka", "2026-11-18", "Газификация посёлка завершена",
     "Газификация посёлка Светлый завершена: к сети подключены сто двадцать домов."),
    ("vstrecha-s-blochkinym", "2026-11-21", "Парламентарии соседнего региона приехали с визитом",
     "Делегация соседнего региона провела встречу с Александром Блошкиным и членами президиума."),
    ("elka-na-ploschadi", "2026-11-23", "На площади поставили елку",
     "На центральной площади поставили елку, праздничное убранство подготовили волонтёры."),
]
SIDEBAR = ("Тхагалегов принял участие в форуме", "Блошкину вручили медаль", "Газификация: итоги года")


def write_homegrown(root: Path) -> Path:
    """The home-grown site: listing at /Info.aspx?type=list, articles at /Info.aspx?id=N&type=news."""
    root.mkdir(parents=True)
    routes = {"/Info.aspx?type=list": "list.html"}
    rows = []
    for number, day, title, body in HOMEGROWN:
        routes[f"/Info.aspx?id={number}&type=news"] = f"news-{number}.html"
        rows.append(f'<tr><td class="data">{_dmy(day)}</td><td><a href="/Info.aspx?id={number}&amp;type=news">'
                    f"{escape(title)}</a></td></tr>")
        (root / f"news-{number}.html").write_bytes(_homegrown_page(day, title, body).encode("cp1251"))
    (root / "list.html").write_bytes(_homegrown_frame("Новости", "<table class='news-list'>" + "".join(rows)
                                                      + "</table>").encode("cp1251"))
    (root / "index.html").write_bytes(_homegrown_frame("Главная", '<a href="/Info.aspx?type=list">Новости</a>')
                                      .encode("cp1251"))
    (root / "site.yaml").write_text(yaml.safe_dump({"name": "Государственный совет (тест поиска)",
                                                    "charset": "windows-1251", "routes": routes},
                                                   allow_unicode=True), encoding="utf-8")
    return root


def _dmy(day: str) -> str:
    year, month, date = day.split("-")
    return f"{date}.{month}.{year}"


def _homegrown_frame(title: str, content: str) -> str:
    menu = ('<td class="menu"><ul><li><a href="/">Главная</a></li><li><a href="/Info.aspx?type=list">Новости</a>'
            '</li><li>Председатель — Александр Блошкин</li><li>Комиссия по газификации</li></ul></td>')
    sidebar = ('<td class="side"><h3>Другие новости</h3><ul>'
               + "".join(f"<li><a href='/Info.aspx?type=list'>{escape(t)}</a></li>" for t in SIDEBAR)
               + "</ul></td>")
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            f"<title>{escape(title)} — Государственный совет</title></head><body><table width='100%'><tr>"
            f"{menu}<td class='content'>{content}</td>{sidebar}</tr></table>"
            "<div class='footer'>© 2026 Государственный совет. Все права защищены.</div></body></html>")


def _homegrown_page(day: str, title: str, body: str) -> str:
    content = (f"<h1>{escape(title)}</h1><div class='date'>{_dmy(day)}</div><div class='news-text'>"
               f"<p>{escape(body)}</p><p>{FILLER}</p></div>")
    return _homegrown_frame(title, content)


def write_wordpress(root: Path, articles: list[tuple[str, str, str, str]] = WORDPRESS) -> Path:
    """The WordPress site: listing at /news/, articles at /YYYY/MM/DD/slug/ (written again with more articles)."""
    root.mkdir(parents=True, exist_ok=True)
    items = []
    for slug, day, title, body in sorted(articles, key=lambda article: article[1], reverse=True):
        path = f"/{day.replace('-', '/')}/{slug}/"
        items.append(f'<article><h2 class="entry-title"><a href="{path}">{escape(title)}</a></h2>'
                     f'<time datetime="{day}T10:00:00+03:00">{_dmy(day)}</time></article>')
        page = root / path.strip("/") / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta property="article:published_time" content="{day}T10:00:00+03:00"></head>'
            '<body class="single"><nav class="mega-menu"><a href="/">Главная</a> <a href="/news/">Новости</a> '
            'Газификация региона</nav><div id="primary"><article class="post">'
            f'<h1 class="entry-title">{escape(title)}</h1><div class="entry-content"><p>{escape(body)}</p>'
            f"<p>{FILLER}</p></div></article></div>"
            '<aside class="widget"><h3>Другие новости</h3><ul><li>Тхагалеговым довольны избиратели</li></ul>'
            "</aside></body></html>", encoding="utf-8")
    (root / "news").mkdir(exist_ok=True)
    (root / "news" / "index.html").write_text(
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Новости</title></head><body>'
        + "".join(items) + "</body></html>", encoding="utf-8")
    (root / "index.html").write_text('<html><head><meta charset="utf-8"></head><body><a href="/news/">Новости</a>'
                                     "</body></html>", encoding="utf-8")
    (root / "site.yaml").write_text(yaml.safe_dump({"name": "Законодательное собрание (тест поиска)"},
                                                   allow_unicode=True), encoding="utf-8")
    return root


WATCHLIST = {"names": [{"name": "Александр Блошкин"}, {"name": "Закир Тхагалегов"}],
             "topics": [{"name": "Газификация", "any": ["газификация"]}]}


def crawl_sites(serve, tmp_path: Path, workers: int = 0, watchlist: dict | None = None, **extra) -> Path:
    """Serve both sites, crawl them with the real CLI; returns the config path (store and feeds beside it)."""
    homegrown = serve(write_homegrown(tmp_path / "homegrown"))
    wordpress = serve(write_wordpress(tmp_path / "wordpress"))
    sources = [
        source_entry(homegrown, "gossovet", listing=[homegrown.base_url + "/Info.aspx?type=list"],
                     article_pattern=r"Info\.aspx\?id=\d+"),
        source_entry(wordpress, "zswp", listing=[wordpress.base_url + "/news/"], region="Соседняя область"),
    ]
    config = write_config(tmp_path / "cfg", sources, watchlist=watchlist, workers=workers, **extra)
    run_cli("crawl", "--config", config, check=True)
    return config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def browse_server():
    """browse_server(config) → the base URL of a running ``dumawatch browse`` (stopped after the test)."""
    processes: list[subprocess.Popen] = []

    def start(config: Path) -> str:
        port = _free_port()
        process = subprocess.Popen([sys.executable, "-m", "crawler", "browse", "--config", str(config),
                                    "--port", str(port)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.2)
        raise AssertionError("dumawatch browse did not start listening")

    yield start
    for process in processes:
        process.terminate()
        process.communicate(timeout=30)
