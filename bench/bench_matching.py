"""Benchmark ``WatchMatcher.find`` at 10, 1,000 and 10,000 watch entries.

Watch entries are synthetic but realistic Russian names: real first names combined with generated surnames
(Russian stems + -ов/-ев/-ин/-ский/-енко/-их endings, both genders), plus a few topics. The corpus is the BSNLP
news texts (``../shared/eval/bsnlp``) when present, else generated Russian paragraphs. Prints the one-off
compile time, articles per second for each size and the 10,000 / 10 time ratio (target ≤ 2), and writes
``bench/results/matching.json``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.matcher import WatchMatcher  # noqa: E402
from pipelines.watchlist import load_watchlist  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "bsnlp"
RESULTS = ROOT / "bench" / "results" / "matching.json"
SIZES = (10, 1_000, 10_000)

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


def corpus() -> tuple[list[tuple[str, str]], str]:
    if DATA.is_dir():
        docs = []
        for path in sorted(DATA.glob("*/raw/ru/*")):
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            docs.append((lines[4] if len(lines) > 4 else "", "\n".join(lines[5:])))
        return docs, f"bsnlp ({len(docs)} texts)"
    rng = random.Random(1)
    sentences = ["Депутаты областной думы обсудили капитальный ремонт школ и дорожный фонд.",
                 "Александр Блошкин отметил, что газификация сёл продолжится в следующем году.",
                 "На заседании комитета выступила Ольга Пыжова, рассказавшая о тарифах ЖКХ.",
                 "Председатель напомнил о подготовке к юбилею Сталинградской битвы.",
                 "Бюджет региона на следующий год принят во втором чтении большинством голосов."]
    docs = [("Новости думы", " ".join(rng.choice(sentences) for _ in range(30))) for _ in range(300)]
    return docs, "generated (300 texts)"


def run(size: int, docs, repeats: int) -> dict:
    data = synthetic_watchlist(size)
    started = time.perf_counter()
    matcher = WatchMatcher(load_watchlist(data, f"synthetic-{size}"))
    compile_seconds = time.perf_counter() - started
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for title, text in docs:
            matcher.find(title, text)
        best = min(best, time.perf_counter() - started)
    return {"entries": size, "keys": matcher.key_count, "compile_seconds": round(compile_seconds, 3),
            "seconds": best, "articles_per_second": round(len(docs) / best, 1),
            "ms_per_article": round(1000 * best / len(docs), 3)}


def main() -> int:
    docs, label = corpus()
    chars = sum(len(t) + len(b) for t, b in docs)
    print(f"corpus: {label}, {chars / len(docs):.0f} characters per article on average")
    WatchMatcher(load_watchlist(synthetic_watchlist(10), "warm-up"))  # load pymorphy3 dictionaries once
    rows = [run(size, docs, repeats=3) for size in SIZES]
    print(f"{'entries':>8}{'keys':>9}{'compile s':>11}{'articles/s':>12}{'ms/article':>12}")
    for r in rows:
        print(f"{r['entries']:>8}{r['keys']:>9}{r['compile_seconds']:>11.2f}{r['articles_per_second']:>12.0f}"
              f"{r['ms_per_article']:>12.3f}")
    ratio = rows[-1]["seconds"] / rows[0]["seconds"]
    print(f"time ratio {SIZES[-1]} / {SIZES[0]} entries: {ratio:.2f} (target <= 2): {'met' if ratio <= 2 else 'NOT met'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"corpus": label, "rows": rows, "ratio": ratio}, ensure_ascii=False, indent=2),
                       encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
