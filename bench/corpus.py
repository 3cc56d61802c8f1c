"""Generate realistic duma news sites and pages for the benchmarks, in three CMS styles.

- ``bitrix``: 1C-Bitrix (``/news/12345/``, ``news-detail``, ``news-date-time``, ``?PAGEN_1=N``, sitemap);
- ``wordpress``: WordPress (``/2026/05/12/slug/``, ``entry-content``, JSON-LD and ``article:published_time``,
  a canonical link, ``/category/news/page/N/``, sitemap);
- ``table``: a home-grown table layout in windows-1251 (``/news.php?id=N``, ``/news.php?page=N``, no sitemap).

Texts are generated from sentence templates with varied committees, subjects, figures, places and
watched people (the first names of :func:`watch_names`), 3 to 9 paragraphs; no two articles are the
same. A share of articles (``reprint_share``) reprints an earlier article of another site with its first
sentence rewritten, as regional portals do with press releases. Everything is deterministic (seeded).

The benchmarks' watchlist is generated here too (:func:`synthetic_watchlist`): realistic Russian names,
real first names with generated surnames (Russian stems + -ов/-ев/-ин/-ский/-енко/-их endings, both
genders), plus a few topics.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

STYLES = ("bitrix", "wordpress", "table")
ZONES = ("Europe/Moscow", "Asia/Novokuznetsk", "Europe/Kirov", "Asia/Yekaterinburg", "Europe/Volgograd",
         "Asia/Vladivostok", "Asia/Krasnoyarsk")
REGIONS = ("Волгоградская", "Кемеровская", "Кировская", "Свердловская", "Томская", "Омская", "Курская",
           "Тверская", "Амурская", "Пензенская")
COMMITTEES = ("по бюджету, налогам и сборам", "по образованию и науке", "по здравоохранению",
              "по аграрной политике", "по строительству и ЖКХ", "по социальной политике",
              "по экономической политике", "по законодательству и местному самоуправлению",
              "по молодёжной политике", "по экологии и природопользованию", "по транспорту и связи",
              "по культуре и туризму")
SUBJECTS = ("ремонт сельских клубов", "строительство поликлиники", "обновление школьных автобусов",
            "поддержку фермерских хозяйств", "модернизацию котельных", "благоустройство дворов",
            "развитие детского спорта", "тарифы на вывоз мусора", "очистку рек", "ремонт мостов",
            "газификацию посёлков", "обеспечение жильём молодых семей", "работу центров занятости",
            "капитальный ремонт школ", "дорожный фонд", "лекарственное обеспечение", "поддержку участников СВО",
            "развитие малого бизнеса", "цифровизацию муниципалитетов", "программу «Земский доктор»")
PLACES = ("Волжский", "Камышин", "Новокузнецк", "Белово", "Слободской", "Кирово-Чепецк", "Нижний Тагил",
          "Каменск-Уральский", "Урюпинск", "Михайловка", "Прокопьевск", "Котельнич", "Серов", "Ирбит")
OPENERS = (
    "На заседании комитета {committee} депутаты обсудили {subject}.",
    "Комитет {committee} рассмотрел вопрос о том, как идёт {subject_alt} в районах области.",
    "Депутаты областной думы провели выездное совещание в городе {place}, посвящённое теме: {subject}.",
    "Вопрос про {subject} стал главным на очередном заседании комитета {committee}.",
    "В {place_pre} состоялось расширенное заседание комитета {committee}.",
)
BODY = (
    "Участники заседания отметили, что в текущем году на эти цели направлено {money} миллионов рублей из "
    "областного бюджета, а в следующем году финансирование планируется увеличить на {pct} процентов.",
    "Представители профильного министерства доложили о ходе работ на {k} объектах. По словам докладчика, "
    "подрядчики выполнили {pct} процентов запланированного объёма, остальные работы завершат до {month}.",
    "{person} напомнил, что жители {place_gen} неоднократно обращались к депутатам с просьбой решить "
    "этот вопрос, и подчеркнул, что контроль за исполнением решений останется за комитетом.",
    "«Мы должны добиться, чтобы каждый рубль, выделенный на {subject}, дошёл до конкретного результата», "
    "— подчеркнул {person}.",
    "По данным регионального правительства, в программе участвуют {k} муниципальных образований, "
    "а общее число получателей поддержки превысило {people} человек.",
    "Отдельно депутаты затронули тему: {other}. Решено запросить у правительства области подробную "
    "информацию и вернуться к вопросу в {month_pre} следующего года.",
    "Глава муниципалитета {place_gen} рассказал о проблемах, с которыми столкнулись подрядчики: рост цен "
    "на материалы, нехватка рабочих и сжатые сроки проведения торгов.",
    "В обсуждении приняли участие {person} и представители общественной палаты региона. Они предложили "
    "создать рабочую группу, которая подготовит изменения в областной закон к {month_dat}.",
    "Комитет рекомендовал правительству области предусмотреть в бюджете на {year} год дополнительные "
    "{money} миллионов рублей и ежеквартально информировать депутатов о ходе работ.",
    "Как сообщили в пресс-службе думы, итоги обсуждения будут рассмотрены на ближайшей сессии, "
    "запланированной на {day} {month}.",
)
CLOSERS = (
    "Протокол заседания № {n} будет опубликован в разделе «Документы» после подписания.",
    "Следующее заседание комитета состоится в {month_pre}.",
    "Видеозапись заседания доступна на официальном сайте думы.",
)
SUBJECT_ALT = ("ремонт дорог", "строительство школ", "газификация сёл", "переселение из аварийного жилья",
               "благоустройство парков", "обновление подвижного состава")
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря")
MONTHS_PRE = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре", "октябре",
              "ноябре", "декабре")
MONTHS_DAT = ("январю", "февралю", "марту", "апрелю", "маю", "июню", "июлю", "августу", "сентябрю", "октябрю",
              "ноябрю", "декабрю")
TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "j", "k", "l", "m", "n", "o", "p", "r",
                     "s", "t", "u", "f", "h", "c", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


MALE = ["Александр", "Алексей", "Андрей", "Владимир", "Дмитрий", "Евгений", "Иван", "Игорь", "Константин",
        "Михаил", "Николай", "Олег", "Павел", "Сергей", "Юрий", "Виктор", "Геннадий", "Роман", "Артём", "Василий"]
FEMALE = ["Анна", "Валентина", "Галина", "Екатерина", "Елена", "Ирина", "Людмила", "Мария", "Наталья", "Ольга",
          "Светлана", "Татьяна", "Юлия", "Вера", "Марина", "Лариса", "Нина", "Оксана", "Дарья", "Ксения"]
STEMS = ["Блош", "Пыж", "Крот", "Бел", "Сух", "Мороз", "Кузнец", "Лебед", "Гром", "Жар", "Свет", "Полян", "Кулаг",
         "Дубр", "Ветл", "Бугр", "Жук", "Клен", "Рыб", "Сорок", "Тарас", "Шмел", "Яснец", "Хмел", "Гребн", "Зорк"]
MIDDLES = ["а", "о", "у", "и", "е", "ин", "ан", "ен", "ач", "уш", "ик", "ар", "ал", "ор", "ул", "ет"]
ENDINGS_M = ["ов", "ев", "ин", "ский", "енко", "их", "ков", "цев"]
ENDINGS_F = {"ов": "ова", "ев": "ева", "ин": "ина", "ский": "ская", "енко": "енко", "их": "их", "ков": "кова",
             "цев": "цева"}
TOPICS = ["капитальный ремонт школ", "Сталинградская битва", "газификация", "дорожный фонд", "областной бюджет",
          "молодёжная политика", "тарифы ЖКХ", "детский отдых", "национальный проект", "сельское хозяйство"]


def synthetic_watchlist(size: int, seed: int = 4) -> dict:
    """A watchlist of ``size`` entries: people, and one topic per ten entries (at most ten topics)."""
    rng = random.Random(seed)
    names, seen = [], set()
    while len(names) < size - min(size // 10, len(TOPICS)):
        stem = rng.choice(STEMS) + rng.choice(MIDDLES) + rng.choice(["", "л", "н", "р", "ш", "к"])
        ending = rng.choice(ENDINGS_M)
        female = rng.random() < 0.4
        first = rng.choice(FEMALE if female else MALE)
        surname = stem + (ENDINGS_F[ending] if female else ending)
        full = f"{first} {surname}"
        if full.casefold() in seen:
            continue
        seen.add(full.casefold())
        names.append({"name": full})
    topics = [{"name": f"Тема {i}", "keywords": [phrase]} for i, phrase in enumerate(TOPICS[: size - len(names)])]
    return {"names": names, "topics": topics}


def watch_names(size: int = 1000) -> list[str]:
    """The watched people's names of the 1,000-entry benchmark watchlist (:func:`synthetic_watchlist`)."""
    return [entry["name"] for entry in synthetic_watchlist(size)["names"]]


def slugify(text: str, limit: int = 6) -> str:
    words = ["".join(TRANSLIT.get(ch, ch if ch.isascii() and ch.isalnum() else "") for ch in word.lower())
             for word in text.split()]
    return "-".join(w for w in words if w)[:60].strip("-") or "news"


@dataclass
class Article:
    n: int
    site: int
    nid: int
    title: str
    paragraphs: list[str]
    published: datetime                       # aware, in the site's time zone
    reprint_of: int | None = None             # index of the article this one reprints


@dataclass
class Site:
    index: int
    style: str
    name: str
    timezone: str
    articles: list[Article] = field(default_factory=list)

    @property
    def source_id(self) -> str:
        return f"duma{self.index}"

    @property
    def charset(self) -> str:
        return "windows-1251" if self.style == "table" else "utf-8"

    def path(self, article: Article) -> str:
        if self.style == "bitrix":
            return f"/news/{article.nid}/"
        if self.style == "wordpress":
            day = article.published
            return f"/{day:%Y/%m/%d}/{slugify(article.title)}-{article.nid}/"
        return f"/news.php?id={article.nid}"


def _fill(template: str, rng: random.Random, names: list[str], subject: str, committee: str, n: int,
          year: int) -> str:
    place = rng.choice(PLACES)
    return template.format(
        committee=committee, subject=subject, subject_alt=rng.choice(SUBJECT_ALT), place=place,
        place_pre=f"городе {place}", place_gen=f"города {place}", money=rng.randint(3, 900), pct=rng.randint(5, 95),
        k=rng.randint(2, 60), month=rng.choice(MONTHS), month_pre=rng.choice(MONTHS_PRE),
        month_dat=rng.choice(MONTHS_DAT), person=rng.choice(names), people=rng.randint(200, 90000),
        other=rng.choice(SUBJECTS), day=rng.randint(1, 28), n=n, year=year + 1)


def article_text(n: int, rng: random.Random, names: list[str], year: int) -> tuple[str, list[str]]:
    """A title and 3-9 paragraphs of 1-3 sentences each."""
    committee, subject = rng.choice(COMMITTEES), rng.choice(SUBJECTS)
    paragraphs = [_fill(rng.choice(OPENERS), rng, names, subject, committee, n, year) + " "
                  + _fill(rng.choice(BODY), rng, names, subject, committee, n, year)]
    for _ in range(rng.randint(2, 7)):
        sentences = rng.sample(BODY, rng.randint(1, 3))
        paragraphs.append(" ".join(_fill(s, rng, names, subject, committee, n, year) for s in sentences))
    paragraphs.append(_fill(rng.choice(CLOSERS), rng, names, subject, committee, n, year))
    title = f"Комитет {committee} обсудил {subject}" if n % 3 else f"{rng.choice(names)}: {subject} — на контроле"
    return title, paragraphs


def build_sites(n_articles: int, n_sites: int = 5, styles: tuple[str, ...] = STYLES, seed: int = 7,
                reprint_share: float = 0.04, now: datetime | None = None, days: int = 300) -> list[Site]:
    """``n_articles`` articles spread over ``n_sites`` sites (styles in turn), newest first on each site."""
    rng = random.Random(seed)
    names = watch_names()
    now = now or datetime.now(ZoneInfo("UTC"))
    sites = [Site(i, styles[i % len(styles)], f"{REGIONS[i % len(REGIONS)]} областная дума (стенд {i})",
                  ZONES[i % len(ZONES)]) for i in range(n_sites)]
    every: list[Article] = []
    for n in range(n_articles):
        site = sites[n % n_sites]
        zone = ZoneInfo(site.timezone)
        published = (now - timedelta(minutes=int((n_articles - n) * days * 1440 / max(1, n_articles)))
                     - timedelta(days=1)).astimezone(zone).replace(second=0, microsecond=0)
        reprint = None
        if every and n_sites > 1 and rng.random() < reprint_share:
            pool = [a for a in every[-200:] if a.site != site.index and a.reprint_of is None]
            reprint = rng.choice(pool) if pool else None
        if reprint is not None:
            title = reprint.title
            opener = f"Как сообщает пресс-служба соседнего парламента, {reprint.paragraphs[0][0].lower()}" \
                     f"{reprint.paragraphs[0][1:]}"
            paragraphs = [opener, *reprint.paragraphs[1:]]
        else:
            title, paragraphs = article_text(n, rng, names, published.year)
        article = Article(n, site.index, 10000 + n, title, paragraphs, published,
                          reprint.n if reprint is not None else None)
        site.articles.append(article)
        every.append(article)
    for site in sites:
        site.articles.reverse()
    return sites


# -- rendering ------------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def render_article(site: Site, article: Article, base: str) -> str:
    """The article page as a str (the table style declares windows-1251; encode it so to serve it)."""
    others = [a for a in site.articles[:6] if a is not article][:5]
    if site.style == "bitrix":
        return _bitrix(site, article, others, base)
    if site.style == "wordpress":
        return _wordpress(site, article, others, base)
    return _table(site, article, others, base)


def _bitrix(site: Site, a: Article, others: list[Article], base: str) -> str:
    day = a.published.strftime("%d.%m.%Y %H:%M")
    side = "".join(f'<div class="news-item"><span class="news-date-time">{o.published:%d.%m.%Y}</span>'
                   f'<a href="{site.path(o)}">{_esc(o.title)}</a></div>' for o in others)
    body = "".join(f"<p>{_esc(p)}</p>" for p in a.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="UTF-8"><title>{_esc(a.title)}</title>'
        f'<meta name="description" content="{_esc(a.paragraphs[0][:150])}">'
        f'<link href="/bitrix/templates/duma/styles.css?{a.nid}" rel="stylesheet">'
        '<script src="/bitrix/js/main/core/core.js"></script></head><body>'
        f'<div class="header"><div class="logo"><a href="/">{_esc(site.name)}</a></div>'
        '<ul class="top-menu"><li><a href="/">Главная</a></li><li><a href="/news/">Новости</a></li>'
        '<li><a href="/deputies/">Депутаты</a></li><li><a href="/documents/">Документы</a></li>'
        '<li><a href="/contacts/">Контакты</a></li></ul>'
        '<form action="/search/"><input type="text" name="q"><input type="submit" value="Найти"></form></div>'
        '<div class="breadcrumbs"><a href="/">Главная</a> / <a href="/news/">Новости</a></div>'
        '<div class="workarea"><div class="main-column"><div class="news-detail">'
        f'<h1>{_esc(a.title)}</h1><span class="news-date-time">{day}</span>'
        f'<div class="news-text">{body}</div>'
        '<div class="share"><a href="https://vk.com/share.php">ВКонтакте</a> <a href="https://t.me/share">Telegram</a>'
        '</div></div></div>'
        f'<div class="sidebar"><h3>Другие новости</h3>{side}</div></div>'
        f'<div class="footer">© 2003–{a.published.year} {_esc(site.name)}. Все права защищены. '
        'Адрес: г. Волгоград, пр. Ленина, 9. Тел.: (8442) 30-77-00</div></body></html>'
    )


def _wordpress(site: Site, a: Article, others: list[Article], base: str) -> str:
    iso = a.published.isoformat()
    url = base + site.path(a)
    side = "".join(f'<li><a href="{site.path(o)}">{_esc(o.title)}</a></li>' for o in others)
    body = "".join(f"<p>{_esc(p)}</p>" for p in a.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="ru-RU"><head><meta charset="UTF-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_esc(a.title)} &#8212; {_esc(site.name)}</title>'
        f'<link rel="canonical" href="{url}" /><meta property="og:type" content="article" />'
        f'<meta property="og:title" content="{_esc(a.title)}" /><meta property="og:url" content="{url}" />'
        f'<meta property="article:published_time" content="{iso}" />'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": '
        f'"NewsArticle", "headline": "{_esc(a.title)}", "datePublished": "{iso}", "dateModified": "{iso}"'
        '}]}</script>'
        f'<link rel="alternate" type="application/rss+xml" title="Лента" href="{base}/feed/" />'
        "<link rel='stylesheet' href='/wp-content/themes/duma/style.css?ver=1.4.2' media='all' /></head>"
        f'<body class="post-template-default single single-post postid-{a.nid}"><div id="page" class="site">'
        f'<header class="site-header"><p class="site-title"><a href="/" rel="home">{_esc(site.name)}</a></p>'
        '<nav class="main-navigation"><ul class="menu"><li><a href="/">Главная</a></li>'
        '<li><a href="/o-dume/">О думе</a></li><li><a href="/deputaty/">Депутаты</a></li>'
        '<li><a href="/category/news/">Новости</a></li><li><a href="/kontakty/">Контакты</a></li></ul></nav>'
        '</header><div id="content" class="site-content"><main id="main" class="site-main">'
        f'<article id="post-{a.nid}" class="post type-post status-publish format-standard hentry">'
        f'<header class="entry-header"><h1 class="entry-title">{_esc(a.title)}</h1>'
        f'<div class="entry-meta"><time class="entry-date published" datetime="{iso}">'
        f'{a.published.day} {MONTHS[a.published.month - 1]} {a.published.year}</time></div></header>'
        f'<div class="entry-content">{body}</div>'
        '<footer class="entry-footer"><span class="cat-links">Рубрика: <a href="/category/news/">Новости</a>'
        '</span></footer></article></main>'
        f'<aside class="widget-area"><section class="widget"><h2 class="widget-title">Последние записи</h2>'
        f'<ul>{side}</ul></section></aside></div>'
        f'<footer class="site-footer">© {a.published.year} {_esc(site.name)}. Работает на WordPress.</footer>'
        '</div></body></html>'
    )


def _table(site: Site, a: Article, others: list[Article], base: str) -> str:
    when = f"{a.published.day} {MONTHS[a.published.month - 1]} {a.published.year} г., {a.published:%H:%M}"
    side = "".join(f'<TR><TD><SPAN class="date">{o.published.day} {MONTHS[o.published.month - 1]} '
                   f'{o.published.year} г.</SPAN><BR><A href="{site.path(o)}">{_esc(o.title)}</A></TD></TR>'
                   for o in others)
    body = "".join(f'<P align="justify">{_esc(p)}</P>' for p in a.paragraphs)
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><HTML><HEAD>'
        '<META http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        f'<TITLE>{_esc(site.name)} :: {_esc(a.title)}</TITLE></HEAD><BODY bgcolor="#E8EEF4">'
        '<TABLE width="960" align="center" cellpadding="0" cellspacing="0" border="0">'
        f'<TR><TD colspan="3" bgcolor="#003366"><FONT color="#FFFFFF" size="5"><B>{_esc(site.name.upper())}'
        '</B></FONT></TD></TR><TR><TD width="180" valign="top" class="menu">'
        '<A href="/">Главная</A><BR><A href="/news.php">Новости</A><BR><A href="/deputies.php">Депутаты</A><BR>'
        '<A href="/laws.php">Законы</A><BR><A href="/contacts.php">Контакты</A><BR>'
        '<FONT size="1">Посетителей сегодня: 318</FONT></TD><TD valign="top">'
        '<TABLE width="100%"><TR><TD><A href="/">Главная</A> &raquo; <A href="/news.php">Новости</A></TD></TR>'
        f'<TR><TD><B class="ntitle">{_esc(a.title)}</B>&nbsp;<SPAN class="date">{when}</SPAN></TD></TR>'
        f'<TR><TD>{body}</TD></TR><TR><TD><A href="/news.php">&laquo; Все новости</A></TD></TR></TABLE></TD>'
        f'<TD width="220" valign="top"><TABLE width="100%"><TR><TD><B>Другие новости</B></TD></TR>{side}'
        '</TABLE></TD></TR><TR><TD colspan="3" align="center"><FONT size="1">&copy; 2003-2026 '
        f'{_esc(site.name)}. Тел. (8332) 27-27-00</FONT></TD></TR></TABLE></BODY></HTML>'
    )


def listing_path(site: Site, page: int) -> str:
    if site.style == "bitrix":
        return "/news/" if page == 1 else f"/news/?PAGEN_1={page}"
    if site.style == "wordpress":
        return "/category/news/" if page == 1 else f"/category/news/page/{page}/"
    return "/news.php" if page == 1 else f"/news.php?page={page}"


def per_page(site: Site) -> int:
    """Rows per listing page; the table site (no sitemap) fits its archive into the spider's 30 pages."""
    return max(20, -(-len(site.articles) // 25)) if site.style == "table" else 20


def render_listing(site: Site, page: int) -> str:
    size = per_page(site)
    chunk = site.articles[(page - 1) * size:page * size]
    pages = -(-len(site.articles) // size)
    rows = "".join(f'<div class="news-item"><span class="date">{a.published:%d.%m.%Y}</span> '
                   f'<a href="{site.path(a)}">{_esc(a.title)}</a></div>' for a in chunk)
    window = [q for q in range(max(1, page - 2), min(pages, page + 2) + 1) if q != page]
    nav = "".join(f'<a href="{listing_path(site, q)}">{q}</a> ' for q in window)
    if page < pages:
        nav += f'<a href="{listing_path(site, page + 1)}">Следующая</a>'
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="{site.charset}"><title>Новости</title></head>'
            f'<body><a href="/">Главная</a> <a href="{listing_path(site, 1)}">Новости</a>'
            f'<h1>Новости</h1>{rows}<div class="nav">{nav}</div></body></html>')


def render_home(site: Site) -> str:
    news = listing_path(site, 1)
    latest = "".join(f'<li><a href="{site.path(a)}">{_esc(a.title)}</a></li>' for a in site.articles[:5])
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="{site.charset}"><title>{_esc(site.name)}</title>'
            f'</head><body><ul class="menu"><li><a href="/">Главная</a></li><li><a href="{news}">Новости</a></li>'
            f'<li><a href="/contacts/">Контакты</a></li></ul><h1>{_esc(site.name)}</h1><ul>{latest}</ul></body></html>')


def site_files(site: Site, base: str) -> dict[str, tuple[bytes, str]]:
    """Every URL target (path + query) of the site → (body, content type), ready to serve."""
    html_type = f"text/html; charset={site.charset}"

    def encode(text: str) -> bytes:
        return text.encode(site.charset, "xmlcharrefreplace")

    files = {"/": (encode(render_home(site)), html_type)}
    pages = -(-len(site.articles) // per_page(site))
    for page in range(1, pages + 1):
        files[listing_path(site, page)] = (encode(render_listing(site, page)), html_type)
    for article in site.articles:
        files[site.path(article)] = (encode(render_article(site, article, base)), html_type)
    if site.style == "table":
        files["/robots.txt"] = (b"User-agent: *\nDisallow: /admin/\n", "text/plain")
    else:
        locs = "".join(f"<url><loc>{base}{site.path(a)}</loc><lastmod>{a.published.date().isoformat()}</lastmod>"
                       f"</url>" for a in site.articles)
        files["/sitemap.xml"] = (('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                                  f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>').encode(),
                                 "application/xml")
        files["/robots.txt"] = (f"User-agent: *\nDisallow: /bitrix/\nSitemap: {base}/sitemap.xml\n".encode(),
                                "text/plain")
    return files


def reprint_truth(sites: list[Site]) -> dict[str, str]:
    """URL path of each reprint → URL path of the article it reprints (the ground truth of the corpus)."""
    by_n = {article.n: (site, article) for site in sites for article in site.articles}
    truth = {}
    for site in sites:
        for article in site.articles:
            if article.reprint_of is not None and article.reprint_of in by_n:
                source_site, source = by_n[article.reprint_of]
                truth[f"{site.index}{site.path(article)}"] = f"{source_site.index}{source_site.path(source)}"
    return truth


def pipeline_items(n_articles: int, n_sites: int = 6, seed: int = 7,
                   now: datetime | None = None) -> tuple[list[Site], list[dict]]:
    """Items as the spider yields them (html decoded, as Scrapy delivers it), oldest first."""
    now = now or datetime.now(ZoneInfo("UTC"))
    sites = build_sites(n_articles, n_sites, seed=seed, now=now)
    items = []
    for site in sites:
        base = f"http://127.0.0.{site.index + 2}:8000"
        for article in site.articles:
            html = render_article(site, article, base)
            if site.style == "table":  # served in windows-1251, decoded by Scrapy
                html = html.encode("cp1251", "xmlcharrefreplace").decode("cp1251")
            url = base + site.path(article)
            hint = f"{article.published:%d.%m.%Y}"
            items.append({"source_id": site.source_id, "url": url, "html": html, "timezone": site.timezone,
                          "canonical_url": url if site.style == "wordpress" else None, "date_hints": [hint],
                          "fetched_at": now, "seen_keys": [], "_n": article.n})
    items.sort(key=lambda item: item.pop("_n"))
    return sites, items
