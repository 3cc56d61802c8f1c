"""Peers: the benchmark corpus through newspaper4k's and Fundus' extraction, beside trafilatura and ours.

Extraction only (no dates, dedupe or store), CPU time of this process over the same pages as
``bench/bench_pipeline.py``; a peer that is not installed, or does not import, is skipped with the reason.
newspaper4k is given each page's HTML (``Article.download(input_html=...)``, then ``parse()``). Fundus only
parses the publishers it ships parsers for, none of them a Russian regional parliament; it is run when it
offers a generic parser and otherwise listed as not applicable. Neither is a dependency of dumawatch:
``pip install newspaper4k fundus`` to include them.

    python bench/bench_peers.py [--pages N]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

import trafilatura
from corpus import pipeline_items
from harness import print_table, write_results

from pipelines.clean import extract


def newspaper4k():
    import newspaper

    def run(item: dict) -> str:
        article = newspaper.Article(item["url"], language="ru", fetch_images=False)
        article.download(input_html=item["html"])
        article.parse()
        return article.text or ""

    return run


def fundus():
    import fundus  # noqa: F401  (ImportError → skipped)

    raise LookupError("Fundus has parsers for its listed publishers only, none for these sites")


PEERS = {
    "dumawatch clean.extract": lambda: (lambda item: extract(item["html"], item["url"])[1]),
    "trafilatura.extract": lambda: (lambda item: trafilatura.extract(item["html"], url=item["url"]) or ""),
    "newspaper4k": newspaper4k,
    "Fundus": fundus,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1200)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    _sites, items = pipeline_items(args.pages)
    rows, results = [], {}
    for name, make in PEERS.items():
        try:
            run = make()
            run(items[0])
        except Exception as exc:  # not installed, does not import, or not applicable: skip with the reason
            reason = f"skipped: {type(exc).__name__}: {str(exc).splitlines()[0][:90] if str(exc) else ''}"
            rows.append([name, "-", "-", "-", reason])
            results[name] = {"skipped": reason}
            continue
        started = time.process_time()
        texts = [run(item) for item in items]
        seconds = time.process_time() - started
        nonempty = sum(1 for text in texts if len(text) >= 200)
        rows.append([name, f"{len(items) / seconds:.0f}", f"{1000 * seconds / len(items):.2f}",
                     f"{100 * nonempty / len(items):.0f} %", ""])
        results[name] = {"articles_per_s_core": round(len(items) / seconds, 1),
                         "ms_per_article": round(1000 * seconds / len(items), 3),
                         "share_with_text": round(nonempty / len(items), 3)}
    print_table(f"Extraction only, {len(items)} pages (CPU time, one core)",
                ["extractor", "articles/s/core", "ms/article", "body found", "note"], rows)
    write_results("peers", {"command": "python bench/bench_peers.py", "pages": len(items), "peers": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
