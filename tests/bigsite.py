"""Build a larger Bitrix-style duma site in a directory, for crash, lock and benchmark runs.

Each article has its own text (a committee, a subject, figures and a closing line differ), so no two
are duplicates; the listing paginates Bitrix-style (``?PAGEN_1=N``), 10 rows a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

COMMITTEES = ["по бюджету, налогам и сборам", "по образованию и науке", "по здравоохранению", "по аграрной политике",
              "по строительству и ЖКХ", "по социальной политике", "по экономической политике",
              "по законодательству и местному самоуправлению", "по молодёжной политике", "по экологии"]
SUBJECTS = ["ремонт сельских клубов", "строительство поликлиники", "обновление школьных автобусов",
            "поддержку фермерских хозяйств", "модернизацию котельных", "благоустройство дворов",
            "развитие детского спорта", "тарифы на вывоз мусора", "очистку рек", "ремонт мостов",
            "газификацию посёлков", "обеспечение жильём молодых семей", "работу центров занятости"]
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря"]


def article_text(n: int) -> list[str]:
    committee = COMMITTEES[n % len(COMMITTEES)]
    subject = SUBJECTS[(n * 7) % len(SUBJECTS)]
    other = SUBJECTS[(n * 3 + 5) % len(SUBJECTS)]
    return [
        f"На заседании комитета {committee} депутаты обсудили {subject}. Участники заседания отметили, "
        f"что в текущем году на эти цели направлено {n * 3 + 17} миллионов рублей из областного бюджета.",
        f"Представители профильного министерства доложили о ходе работ на {n % 9 + 2} объектах. По словам "
        f"докладчика, подрядчики выполнили {40 + n % 50} процентов запланированного объёма.",
        f"Отдельно депутаты затронули тему: {other}. Решено запросить у правительства области подробную "
        f"информацию и вернуться к вопросу в {MONTHS[n % 12]}е следующего года.",
        f"Протокол заседания № {n} будет опубликован в разделе «Документы» после подписания.",
    ]


def recent(n: int) -> date:
    """Default publication dates: two articles a day, back from yesterday."""
    return date.today() - timedelta(days=1 + n // 2)


def build_site(root: Path, articles: int, per_page: int = 10, name: str = "Областная дума (нагрузочный стенд)",
               published: Callable[[int], date] = recent) -> list[str]:
    """Write the site into ``root``; returns the article paths (newest first)."""
    root.mkdir(parents=True, exist_ok=True)
    pages = (articles + per_page - 1) // per_page
    routes = "".join(f'  "/news/?PAGEN_1={p}": news/page-{p}.html\n' for p in range(2, pages + 1))
    (root / "site.yaml").write_text(f"name: {name}\ncharset: utf-8\nroutes:\n{routes or '  {}'}\n",
                                    encoding="utf-8")
    menu = ('<ul class="menu"><li><a href="/">Главная</a></li><li><a href="/news/">Новости</a></li>'
            '<li><a href="/deputies/">Депутаты</a></li><li><a href="/contacts/">Контакты</a></li></ul>')
    shell = ('<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
             '<body><header>' + menu + '</header><div class="content">{body}</div>'
             '<footer>© 2026 ' + name + '</footer></body></html>')
    paths = []
    for n in range(articles):
        nid = 10000 + n
        path = f"/news/{nid}/"
        paths.append(path)
        day = published(n).strftime("%d.%m.%Y")
        title = f"Комитет {COMMITTEES[n % len(COMMITTEES)]} обсудил {SUBJECTS[(n * 7) % len(SUBJECTS)]} ({n})"
        body = (f'<div class="news-detail"><h1>{title}</h1><span class="news-date-time">{day}</span>'
                + "".join(f"<p>{p}</p>" for p in article_text(n)) + "</div>")
        target = root / "news" / str(nid)
        target.mkdir(parents=True, exist_ok=True)
        (target / "index.html").write_text(shell.format(title=title, head="", body=body), encoding="utf-8")
    for p in range(1, pages + 1):
        chunk = paths[(p - 1) * per_page:p * per_page]
        rows = "".join(f'<div class="news-item"><span class="news-date-time">{published(n).strftime("%d.%m.%Y")}'
                       f'</span> <a href="{path}">Новость {path}</a></div>'
                       for n, path in enumerate(chunk, start=(p - 1) * per_page))
        nav = "".join(f'<a href="/news/?PAGEN_1={q}">{q}</a> ' for q in range(1, pages + 1) if q != p)
        html = shell.format(title="Новости", head="", body=f"<h1>Новости</h1>{rows}<div class='nav'>{nav}</div>")
        (root / "news" / ("index.html" if p == 1 else f"page-{p}.html")).write_text(html, encoding="utf-8")
    (root / "index.html").write_text(shell.format(title=name, head="", body="<h1>Добро пожаловать</h1>"),
                                     encoding="utf-8")
    return paths
