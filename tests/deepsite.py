"""Build duma sites with deep listings (50+ pages) in four CMS shapes, for the completeness tests.

- ``bitrix``: 1C-Bitrix, articles ``/press/news/10001/``, listing ``/press/news/`` → ``?PAGEN_1=2``;
- ``aspx``: a home-grown ASP.NET CMS, articles ``/Info.aspx?id=10001&type=news``, listing ``/News.aspx?page=2``;
- ``drupal``: articles ``/node/10001``, listing ``/news`` → ``/news?page=1`` (0-based, a «следующая ›» link),
  an RSS feed ``/rss.xml`` of the ten newest;
- ``wordpress``: slugs ``/2026/11/03/komitet-obsudil-…-10001/``, listing ``/novosti/`` → ``/novosti/page/2/``.

Any style can also have a sitemap of its newest articles (``sitemap_size``), named in ``robots.txt``.

Every article has its own text (``tests/bigsite.py``'s generator, numbered from ``first``), a date on its page
and, unless ``dated_rows`` is false, beside its headline in the listing. The listing is newest first; the home page's menu links to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bigsite import COMMITTEES, SUBJECTS, article_text, recent

STYLES = ("bitrix", "aspx", "drupal", "wordpress")
TRANSLIT = ["byudzhet", "shkoly", "dorogi", "zdravoohranenie", "fermery", "kotelnye", "dvory", "sport", "tarify",
            "reki", "mosty", "gaz", "zhile"]


@dataclass
class DeepSite:
    style: str
    articles: list[str]     # URL targets (path + query), newest first
    listing: str            # the first page of the listing
    pages: int

    def urls(self, base_url: str) -> set[str]:
        return {base_url + target for target in self.articles}

    def page(self, p: int) -> str:
        """The URL target of listing page ``p`` (1-based)."""
        if p == 1:
            return self.listing
        return {"bitrix": f"/press/news/?PAGEN_1={p}", "aspx": f"/News.aspx?page={p}",
                "drupal": f"/news?page={p - 1}", "wordpress": f"/novosti/page/{p}/"}[self.style]


def _article_target(style: str, nid: int, day: date) -> str:
    if style == "bitrix":
        return f"/press/news/{nid}/"
    if style == "aspx":
        return f"/Info.aspx?id={nid}&type=news"
    if style == "drupal":
        return f"/node/{nid}"
    return f"/{day:%Y/%m/%d}/komitet-obsudil-{TRANSLIT[nid % len(TRANSLIT)]}-{nid}/"


def _file_for(target: str) -> str:
    """Where the file answering ``target`` lives in the site directory."""
    safe = target.strip("/").replace("?", "_q_").replace("&", "_").replace("=", "-") or "home"
    return f"files/{safe}.html"


def build_deep_site(root: Path, style: str, articles: int, per_page: int = 10, first: int = 0,
                    published: Callable[[int], date] = recent, feed_size: int = 10, dated_rows: bool = True,
                    sitemap_size: int = 0,
                    name: str = "Законодательное собрание (глубокий архив)") -> DeepSite:
    """Write the site into ``root`` and return what it holds."""
    root.mkdir(parents=True, exist_ok=True)
    routes: dict[str, str] = {}

    def put(target: str, html: str) -> None:
        relative = _file_for(target)
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(html, encoding="utf-8")
        routes[target] = relative

    listing = {"bitrix": "/press/news/", "aspx": "/News.aspx", "drupal": "/news", "wordpress": "/novosti/"}[style]
    feed = '<link rel="alternate" type="application/rss+xml" href="/rss.xml">' if style == "drupal" else ""
    menu = (f'<nav class="mega-menu"><ul><li><a href="/">Главная</a></li><li><a href="{listing}">Новости</a></li>'
            '<li><a href="/deputies/">Депутаты</a></li><li><a href="/documents/">Документы</a></li>'
            '<li><a href="/contacts/">Контакты</a></li></ul></nav>')
    shell = ('<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>' + feed +
             '</head><body><header>' + menu + '</header><main>{body}</main><footer>© 2026 ' + name +
             '</footer></body></html>')
    targets, days = [], []
    for i in range(articles):
        n = first + i
        day = published(i)
        target = _article_target(style, 10000 + n, day)
        targets.append(target)
        days.append(day)
        title = f"Комитет {COMMITTEES[n % len(COMMITTEES)]} обсудил {SUBJECTS[(n * 7) % len(SUBJECTS)]} (№ {n})"
        body = (f'<article><h1>{title}</h1><div class="date">{day:%d.%m.%Y}</div>'
                + "".join(f"<p>{p}</p>" for p in article_text(n)) + "</article>"
                '<aside><h3>Другие новости</h3><ul><li><a href="/deputies/">Депутаты о работе комитетов</a></li>'
                "</ul></aside>")
        put(target, shell.format(title=title, body=body))
    pages = max(1, (articles + per_page - 1) // per_page)
    site = DeepSite(style, targets, listing, pages)
    for p in range(1, pages + 1):
        rows = "".join('<div class="news-item">'
                       + (f'<span class="news-date">{days[i]:%d.%m.%Y}</span> ' if dated_rows else "")
                       + f'<a href="{targets[i]}">Новость № {first + i}</a></div>'
                       for i in range((p - 1) * per_page, min(p * per_page, articles)))
        if style == "drupal":  # a Drupal pager: «следующая ›» only
            nav = f'<a rel="next" href="{site.page(p + 1)}">следующая ›</a>' if p < pages else ""
        else:  # a numbered pager around the current page
            nav = " ".join(f'<a href="{site.page(q)}">{q}</a>' for q in range(max(1, p - 3), min(pages, p + 3) + 1)
                           if q != p)
        put(site.page(p), shell.format(title="Новости", body=f'<h1>Новости</h1>{rows}<div class="pager">{nav}</div>'))
    put("/", shell.format(title=name, body="<h1>Добро пожаловать на сайт</h1>"))
    if style == "drupal":
        items = "".join(f"<item><title>Новость № {first + i}</title><link>{{{{base}}}}{targets[i]}</link>"
                        f"<pubDate>{days[i]:%a, %d %b %Y} 10:00:00 +0300</pubDate></item>"
                        for i in range(min(feed_size, articles)))
        (root / "rss.xml").write_text(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                      f"<title>{name}</title>{items}</channel></rss>", encoding="utf-8")
    if sitemap_size:  # a sitemap of the newest articles, named in robots.txt
        locs = "".join(f"<url><loc>{{{{base}}}}{targets[i]}</loc><lastmod>{days[i].isoformat()}</lastmod></url>"
                       for i in range(min(sitemap_size, articles)))
        (root / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                                          f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
                                          encoding="utf-8")
        (root / "robots.txt").write_text("User-agent: *\nDisallow: /bitrix/\nSitemap: {{base}}/sitemap.xml\n",
                                         encoding="utf-8")
    import yaml

    (root / "site.yaml").write_text(yaml.safe_dump({"name": name, "charset": "utf-8", "routes": routes},
                                                   allow_unicode=True), encoding="utf-8")
    return site
