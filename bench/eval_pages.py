"""Find, date and clean real pages on a site dumawatch has never seen: ``../shared/eval/pages`` as one site.

The 18 real Russian-language pages of ``../shared/eval/pages`` (``truth.json``: URL, true date on 14, true
body on 6) are served on one loopback address, each at its own original path and query
(``/news/showNews.do?…&objectId=1503302``, ``/politics/world/otrezat_golovu_…``, ``/dieta-atkinsa.html``,
``/moskva/8836033``…), with a home page whose menu links to «Новости» (``/novosti.html``) and that listing of
their headlines over two pages (``?page=2``). The listing prints no dates, so that the dates scored are the
pages' own. The source entry has only ``url`` and ``timezone`` (no ``listing``, no ``article_pattern``): the
real ``dumawatch crawl`` (a subprocess, the CLI a user runs) must find the news by itself.

Figures: pages found (stored in ``articles.csv``), pages requested, dates to the day (of the 14 dated), mean
token F1 of the body (of the 6 with a true body), exact titles (of the 3 with a true title), and the run's
``not_news`` count. Targets: 18 of 18 found,
dates ≥ 0.9, body F1 ≥ 0.85.

``--repo PATH`` runs another checkout's CLI instead (e.g. ``--repo ../main`` for the figures before a change).
Run from the repo root: ``python bench/eval_pages.py``. Writes ``bench/results/eval_pages.json``.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from crawler.commands.demo_server import serve_site

REPO = Path(__file__).resolve().parent.parent
SHARED = next((base / "shared" / "eval" / "pages" for base in (REPO.parent, REPO.parent.parent)
               if (base / "shared" / "eval" / "pages").is_dir()), REPO.parent / "shared" / "eval" / "pages")
RESULTS = REPO / "bench" / "results" / "eval_pages.json"
PER_PAGE = 10
TOKEN = re.compile(r"\w+")


def target_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def headline_of(page: bytes, entry: dict) -> str:
    """What a listing would print for the page: its og:title or <title> as the site wrote it."""
    text = page.decode("utf-8", "replace")
    found = re.search(r'<meta[^>]+property=["\']og:title["\'][^>]+content=["\']([^"\']+)', text) or \
        re.search(r"<title[^>]*>([^<]+)</title>", text)
    return " ".join(html.unescape(found.group(1)).split()) if found else entry["url"]


def build_site(root: Path, truth: list[dict]) -> None:
    """The site directory: the pages at their own paths (routes), a home page, a two-page listing."""
    routes = {}
    items = []
    for number, entry in enumerate(truth):
        page = (SHARED / entry["file"]).read_bytes()
        name = f"pages/{number:02d}.html"
        (root / "pages").mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(page)
        routes[target_of(entry["url"])] = name
        items.append((target_of(entry["url"]), headline_of(page, entry)))
    pages = [items[i:i + PER_PAGE] for i in range(0, len(items), PER_PAGE)]
    for number, chunk in enumerate(pages, start=1):
        rows = "\n".join(f'<div class="news-item"><a class="news-title" href="{html.escape(target)}">'
                         f"{html.escape(title)}</a></div>" for target, title in chunk)
        pager = f'<div class="pages"><a href="/novosti.html?page={number + 1}">Следующая</a></div>' \
            if number < len(pages) else ""
        listing = (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Новости — Обозреватель'
                   f'</title></head><body><nav class="menu"><a href="/">Главная</a> <a href="/novosti.html">Новости'
                   f'</a> <a href="/kontakty.html">Контакты</a></nav><h1>Новости</h1><div class="news-list">{rows}'
                   f'</div>{pager}<footer>© Обозреватель</footer></body></html>')
        file = "novosti.html" if number == 1 else f"novosti-{number}.html"
        (root / file).write_text(listing, encoding="utf-8")
        if number > 1:
            routes[f"/novosti.html?page={number}"] = file
    (root / "index.html").write_text(
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Обозреватель</title></head><body>'
        '<nav class="menu"><a href="/">Главная</a> <a href="/novosti.html">Новости</a> '
        '<a href="/kontakty.html">Контакты</a></nav><p>Обозреватель: новости регионов.</p></body></html>',
        encoding="utf-8")
    (root / "site.yaml").write_text(yaml.safe_dump({"name": "Обозреватель", "charset": "utf-8", "routes": routes},
                                                   allow_unicode=True), encoding="utf-8")


def token_f1(got: str, truth: str) -> float:
    got_tokens, truth_tokens = Counter(TOKEN.findall(got.lower())), Counter(TOKEN.findall(truth.lower()))
    common = sum((got_tokens & truth_tokens).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got_tokens.values()), common / sum(truth_tokens.values())
    return 2 * precision * recall / (precision + recall)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose CLI runs the crawl")
    args = parser.parse_args()
    if not (SHARED / "truth.json").is_file():
        print(f"skipped: {SHARED} not found")
        return 0
    truth = json.loads((SHARED / "truth.json").read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="eval-pages-"))
    try:
        build_site(work / "site", truth)
        server = serve_site(work / "site", host="127.0.0.231")
        try:
            config = work / "config"
            config.mkdir()
            source = {"id": "obozrevatel", "name": "Обозреватель", "region": "—", "url": server.base_url + "/",
                      "timezone": "Europe/Moscow"}
            (config / "sources.yaml").write_text(yaml.safe_dump({"sources": [source]}, allow_unicode=True),
                                                 encoding="utf-8")
            (config / "watchlist.yaml").write_text("names: []\ntopics: []\n", encoding="utf-8")
            (config / "dumawatch.yaml").write_text(yaml.safe_dump({
                "sources": "sources.yaml", "watchlist": "watchlist.yaml", "state": "state.sqlite3",
                "feeds": "feeds", "max_age_days": 100_000, "workers": 0,
                "scrapy": {"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 4}}), encoding="utf-8")
            run = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--config", str(config / "dumawatch.yaml")],
                                 cwd=args.repo, capture_output=True, text=True, timeout=600)
            if run.returncode != 0:
                print(run.stdout, run.stderr)
                return 1
            requested = {path for _method, path, _status in server.requests}
        finally:
            server.stop()
        rows = {target_of(row["url"]): row for row in read_csv(config / "feeds" / "articles.csv")}
        runs = read_csv(config / "feeds" / "runs.csv")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found, asked, dated_right, dated, f1s, misses = 0, 0, 0, 0, [], []
    titled, titled_right = 0, 0
    for entry in truth:
        target = target_of(entry["url"])
        asked += target in requested
        row = rows.get(target)
        found += row is not None
        if row is None:
            misses.append(f"not found: {target[:70]} ({'requested' if target in requested else 'never requested'})")
        if entry.get("date"):
            dated += 1
            if row is not None and row["published_at"][:10] == entry["date"]:
                dated_right += 1
            elif row is not None:
                misses.append(f"date: {entry['file']}: {row['published_at'] or '(none)'} (truth {entry['date']})")
        if entry.get("title"):
            titled += 1
            if row is not None and " ".join(row["title"].split()) == " ".join(entry["title"].split()):
                titled_right += 1
            elif row is not None:
                misses.append(f"title: {entry['file']}: «{row['title']}» (truth «{entry['title']}»)")
        if entry.get("body"):
            f1s.append(token_f1(row["text"] if row else "", entry["body"]))
    figures = {
        "pages": len(truth), "requested": asked, "found": found, "dated_pages": dated,
        "dates_to_the_day": round(dated_right / dated, 3) if dated else None,
        "body_pages": len(f1s), "mean_body_f1": round(sum(f1s) / len(f1s), 3) if f1s else None,
        "body_f1": [round(f, 3) for f in f1s], "titled_pages": titled, "titles_exact": titled_right, "not_news": runs[0].get("not_news", "") if runs else "",
        "repo": str(args.repo),
    }
    print(f"../shared/eval/pages served as one site with a listing and no article_pattern ({args.repo})")
    print(f"  found (stored)      {found} of {len(truth)}   target 18 of 18  "
          f"{'met' if found == len(truth) else 'NOT met'}")
    print(f"  requested           {asked} of {len(truth)}")
    print(f"  dates to the day    {dated_right} of {dated} = {figures['dates_to_the_day']}   target ≥ 0.9  "
          f"{'met' if dated and dated_right / dated >= 0.9 else 'NOT met'}")
    print(f"  mean body token F1  {figures['mean_body_f1']} on {len(f1s)} pages ({', '.join(map(str, figures['body_f1']))})"
          f"   target ≥ 0.85  {'met' if f1s and sum(f1s) / len(f1s) >= 0.85 else 'NOT met'}")
    print(f"  titles exact        {titled_right} of {titled}")
    print(f"  not_news            {figures['not_news'] or '(no such column)'}")
    for line in misses:
        print(f"  {line}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
