"""Build a larger windows-1251 legislature site whose news and legal acts share one URL shape (``/folder/N``),
listed together in one dated, paginated «Архив новостей» (Bitrix ``?PAGEN_1=N``), for the discovery tests
at scale (tests/test_discover_e2e.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

COMMITTEES = ["по бюджету и налогам", "по образованию", "по здравоохранению", "по аграрной политике",
              "по строительству и ЖКХ", "по социальной политике", "по экологии"]
SUBJECTS = ["ремонт сельских клубов", "строительство поликлиники", "школьные автобусы", "поддержку фермеров",
            "модернизацию котельных", "благоустройство дворов", "детский спорт", "тарифы на вывоз мусора",
            "очистку рек", "ремонт мостов", "газификацию посёлков"]
MENU = ('<table class="top"><tr><td><a href="/">Законодательное Собрание</a></td><td class="menu">'
        '<a href="/folder/100">О Собрании</a> | <a href="/folder/101">Депутаты</a> | '
        '<a href="/folder/102">Законодательство</a> | <a href="/press/arhiv-novostey/">Архив новостей</a> | '
        '<a href="/folder/103">Контакты</a></td></tr></table>')


def page(title: str, body: str) -> str:
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            f'<title>{title}</title></head><body>{MENU}<div class="content">{body}</div>'
            '<div class="bottom">© Законодательное Собрание области, 1994–2026</div></body></html>')


def build_site(root: Path, pages: int = 25, per_page: int = 10, law_every: int = 5) -> tuple[list[str], list[str]]:
    """Write the site; returns (news paths, law paths). Every ``law_every``-th listing row is a legal act."""
    news, laws = [], []
    rows_by_page: list[list[str]] = [[] for _ in range(pages)]
    start = date(2026, 11, 30)
    for n in range(pages * per_page):
        path = f"/folder/{2917000 + n * 7}"
        day = (start - timedelta(days=n // 2)).strftime("%d.%m.%Y")
        if n % law_every == law_every - 1:
            title = f"Закон области от {day} № {300 + n}-ЗО «О внесении изменений в Закон о {SUBJECTS[n % 11]}»"
            body = (f"<h1>{title}</h1><p>Принят Законодательным Собранием {day}.</p>"
                    f"<p>Статья 1. Внести в Закон области изменения, касающиеся {SUBJECTS[n % 11]}, изложив "
                    "пункт 2 статьи 4 в новой редакции согласно приложению к настоящему Закону.</p>"
                    "<p>Статья 2. Настоящий Закон вступает в силу через десять дней после его официального "
                    "опубликования в средствах массовой информации области.</p>")
            laws.append(path)
        else:
            committee, subject = COMMITTEES[n % 7], SUBJECTS[(n * 3) % 11]
            title = f"Комитет {committee} обсудил {subject} (заседание {n + 1})"
            body = (f"<h1>{title}</h1><div class='date'>{day}</div>"
                    f"<p>На заседании комитета {committee} депутаты обсудили {subject}. По данным министерства, "
                    f"на эти цели в текущем году направлено {n * 3 + 17} миллионов рублей из областного бюджета, "
                    f"работы идут на {n % 9 + 2} объектах.</p>"
                    f"<p>Депутаты попросили представить подробный отчёт о ходе работ и вернуться к вопросу на "
                    f"одном из следующих заседаний комитета. Заседание стало {n + 1}-м в этом году.</p>")
            news.append(path)
        target = root / path.lstrip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page(title, body).encode("cp1251"))
        rows_by_page[n // per_page].append(
            f'<tr><td class="data">{day}</td><td><a href="{path}">{title}</a></td></tr>')
    routes = []
    for p, rows in enumerate(rows_by_page, start=1):
        pager = "".join(f'<a href="/press/arhiv-novostey/?PAGEN_1={q}">{q}</a> ' for q in range(1, pages + 1)
                        if q != p)
        html = page("Архив новостей", "<h2>Архив новостей</h2><table class='news'>" + "".join(rows)
                    + f"</table><div class='pager'>{pager}</div>")
        name = "index.html" if p == 1 else f"page-{p}.html"
        (root / "press" / "arhiv-novostey").mkdir(parents=True, exist_ok=True)
        (root / "press" / "arhiv-novostey" / name).write_bytes(html.encode("cp1251"))
        if p > 1:
            routes.append(f'  "/press/arhiv-novostey/?PAGEN_1={p}": press/arhiv-novostey/{name}\n')
    (root / "index.html").write_bytes(page("Законодательное Собрание области", "<p>Официальный сайт.</p>")
                                      .encode("cp1251"))
    (root / "site.yaml").write_text("name: Законодательное Собрание области (тест)\ncharset: windows-1251\n"
                                    "routes:\n" + "".join(routes), encoding="utf-8")
    return news, laws
