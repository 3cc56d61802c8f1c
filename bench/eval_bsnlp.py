"""Evaluate person matching on the BSNLP Russian news texts (../shared/eval/bsnlp, relative to the repo root).

Builds a watchlist with one entry per PER entity id (canonical name = its most complete base form, i.e. the one
with the most words, then the longest; aliases = the other base forms), runs the matcher over every document
(title + body) and compares, per document, the entity ids found with those annotated. Prints micro and macro
precision/recall and a per-topic table; writes ``bench/results/bsnlp.json``.

Run: ``python bench/eval_bsnlp.py [--show-errors N]``. Targets: precision ≥ 0.97, recall ≥ 0.95.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from pipelines.matcher import WatchMatcher
from pipelines.watchlist import load_watchlist

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval" / "bsnlp"
RESULTS = ROOT / "bench" / "results" / "bsnlp.json"


def read_documents(data: Path) -> list[dict]:
    """Raw documents paired with their annotations by docId: {topic, doc_id, title, body, persons}."""
    documents = []
    for topic_dir in sorted(p for p in data.iterdir() if p.is_dir()):
        annotations: dict[str, list[tuple[str, str, str]]] = {}
        for path in sorted((topic_dir / "annotated" / "ru").glob("*")):
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            rows = []
            for line in lines[1:]:
                cells = line.split("\t")
                if len(cells) >= 4 and cells[2].strip() == "PER":
                    rows.append((cells[0].strip(), cells[1].strip(), cells[3].strip()))
            annotations[lines[0].strip()] = rows
        for path in sorted((topic_dir / "raw" / "ru").glob("*")):
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            doc_id = lines[0].strip()
            if doc_id not in annotations:
                continue
            documents.append({"topic": topic_dir.name, "doc_id": doc_id, "title": lines[4] if len(lines) > 4 else "",
                              "body": "\n".join(lines[5:]), "persons": annotations[doc_id]})
    return documents


def _is_group_noun(form: str) -> bool:
    """«британцы», «армяне»: a plural common noun annotated PER in a few documents, not a person."""
    from pipelines.morphology import NAME_TAGS, analyzer

    words = form.split()
    if len(words) != 1:
        return False
    parse = analyzer().parse(words[0])[0]
    return parse.tag.number == "plur" and parse.tag.POS == "NOUN" and not (NAME_TAGS & parse.tag.grammemes)


def _titlecase(form: str) -> str:
    """The ec topic writes base forms in lower case («дональд туск»); a watchlist writes names capitalised."""
    if form != form.lower():
        return form
    return " ".join("-".join(part[:1].upper() + part[1:] for part in word.split("-")) for word in form.split())


def person_key(entity: str, base_forms: set[str]) -> str:
    """The canonical name (Cyrillic, most words, then longest) of an entity, used to merge ids of the same person."""
    forms = sorted({_titlecase(f) for f in base_forms},
                   key=lambda f: (not re.search("[а-яё]", f, re.I), "(" in f, -len(f.split()), -len(f), f))
    return forms[0]


def build_watchlist(documents: list[dict]) -> tuple[dict, dict[str, str], list[str]]:
    """One names entry per person; returns (watchlist dict, entity id → canonical name, skipped ids).

    Decisions (the annotations are not a watchlist): entity ids that are not persons (GPE-/ORG-/LOC-… ids and
    plural group nouns like «британцы» typed PER) are skipped; ids whose canonical names coincide once
    capitalised (the ec topic numbers its entities: «дональд туск» is also PER-Donald-Tusk) are one entry;
    a base form shared by two different persons («Папа Римский», «Скрипали») is no one's alias.
    """
    base_forms: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        for _surface, base, entity in doc["persons"]:
            if base:
                base_forms[entity].add(" ".join(base.split()))
    skipped = [e for e, forms in base_forms.items()
               if e.split("-")[0] in {"GPE", "ORG", "LOC", "EVT", "PRO"} or all(_is_group_noun(f) for f in forms)]
    entity_to_name: dict[str, str] = {}
    merged: dict[str, set[str]] = defaultdict(set)
    for entity in sorted(set(base_forms) - set(skipped)):
        key = person_key(entity, base_forms[entity])
        entity_to_name[entity] = key
        merged[key] |= {_titlecase(f) for f in base_forms[entity]}
    owners: dict[str, set[str]] = defaultdict(set)
    for key, forms in merged.items():
        for form in forms:
            owners[form.casefold()].add(key)
    names = []
    for key in sorted(merged):
        aliases = sorted(f for f in merged[key] if f != key and len(owners[f.casefold()]) == 1)
        names.append({"name": key, "aliases": aliases})
    return {"names": names}, entity_to_name, sorted(skipped)


def gold_persons(doc: dict, entity_to_name: dict[str, str]) -> set[str]:
    return {entity_to_name[e] for _, _, e in doc["persons"] if e in entity_to_name}


def score(documents, found_by_doc, golds) -> dict:
    tp = fp = fn = 0
    precisions, recalls = [], []
    for found, gold in zip(found_by_doc, golds, strict=True):
        hit = len(found & gold)
        tp, fp, fn = tp + hit, fp + len(found - gold), fn + len(gold - found)
        precisions.append(hit / len(found) if found else 1.0)
        recalls.append(hit / len(gold) if gold else 1.0)
    return {
        "documents": len(documents), "tp": tp, "fp": fp, "fn": fn,
        "micro_precision": tp / (tp + fp) if tp + fp else 1.0,
        "micro_recall": tp / (tp + fn) if tp + fn else 1.0,
        "macro_precision": sum(precisions) / len(precisions) if precisions else 1.0,
        "macro_recall": sum(recalls) / len(recalls) if recalls else 1.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", type=int, default=0, help="print up to N false positives/negatives")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"SKIP: BSNLP data not found at {DATA} (see ../shared/eval/README.md)")
        return 0
    documents = read_documents(DATA)
    watchlist_data, entity_to_name, skipped = build_watchlist(documents)
    golds = [gold_persons(doc, entity_to_name) for doc in documents]
    started = time.perf_counter()
    matcher = WatchMatcher(load_watchlist(watchlist_data, "bsnlp-watchlist"))
    compile_seconds = time.perf_counter() - started
    found_by_doc = []
    started = time.perf_counter()
    for doc in documents:
        mentions = matcher.find(doc["title"], doc["body"])
        found_by_doc.append({m.watch for m in mentions if m.kind == "name"})
    match_seconds = time.perf_counter() - started

    overall = score(documents, found_by_doc, golds)
    by_topic = {}
    for topic in sorted({d["topic"] for d in documents}):
        idx = [i for i, d in enumerate(documents) if d["topic"] == topic]
        by_topic[topic] = score([documents[i] for i in idx], [found_by_doc[i] for i in idx], [golds[i] for i in idx])

    print(f"BSNLP persons: {len(documents)} documents, {len(watchlist_data['names'])} watch entries, "
          f"compile {compile_seconds:.2f} s, matching {1000 * match_seconds / max(len(documents), 1):.2f} ms/doc")
    print(f"skipped {len(skipped)} non-person ids typed PER: {', '.join(skipped)}")
    header = f"{'topic':<12}{'docs':>6}{'tp':>6}{'fp':>6}{'fn':>6}{'micro P':>9}{'micro R':>9}{'macro P':>9}{'macro R':>9}"
    print(header)
    print("-" * len(header))
    for name, s in [*by_topic.items(), ("ALL", overall)]:
        print(f"{name:<12}{s['documents']:>6}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}{s['micro_precision']:>9.3f}"
              f"{s['micro_recall']:>9.3f}{s['macro_precision']:>9.3f}{s['macro_recall']:>9.3f}")
    target = overall["micro_precision"] >= 0.97 and overall["micro_recall"] >= 0.95
    print(f"targets (micro precision >= 0.97, recall >= 0.95): {'met' if target else 'NOT met'}")

    if args.show_errors:
        shown = 0
        for doc, found, gold in zip(documents, found_by_doc, golds, strict=True):
            surfaces = {entity_to_name.get(e): s for s, _, e in doc["persons"]}
            for name in sorted(found - gold):
                print(f"FP {doc['topic']}/{doc['doc_id']}: {name}")
                shown += 1
            for name in sorted(gold - found):
                print(f"FN {doc['topic']}/{doc['doc_id']}: {name} (e.g. {surfaces[name]!r})")
                shown += 1
            if shown >= args.show_errors:
                break

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"overall": overall, "by_topic": by_topic, "entries": len(watchlist_data["names"]),
                                   "skipped_ids": skipped,
                                   "compile_seconds": compile_seconds, "match_seconds": match_seconds},
                                  ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
