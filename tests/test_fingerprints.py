"""Content fingerprints and the store's hot path: sketch pre-check, shingle hashes, old stores, rollbacks."""

from __future__ import annotations

import random
import sqlite3

import pytest

from crawler.storage.store import COMMON_ANCHOR, ArticleExists, Store
from pipelines.fingerprints import (
    REPRINT_RESEMBLANCE,
    Fingerprint,
    content_hash,
    jaccard,
    parse_sketch,
    resemblance,
    shingle_sketch,
    sketch_may_match,
    sketch_resemblance,
)

WORDS = ("депутаты комитет бюджет область район закон поправка заседание школа больница дорога мост "
         "фермер субсидия тариф отопление газ вода жилье семья ветеран спорт культура музей театр "
         "экология река лес транспорт автобус село город поселок налог льгота программа проект").split()


def random_text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(40)) for _ in range(n_words))


def rewrite(rng: random.Random, text: str, share: float) -> str:
    """The text with about ``share`` of its words replaced (a reprint edited by another site)."""
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(WORDS) + "x"
    return " ".join(words)


def test_fingerprint_agrees_with_the_one_text_functions():
    text = random_text(random.Random(1), 300)
    fingerprint = Fingerprint(text)
    assert fingerprint.content_hash == content_hash(text)
    assert fingerprint.sketch == shingle_sketch(text)
    assert 0 < len(fingerprint.sketch) <= 64
    assert set(fingerprint.sketch) <= fingerprint.shingle_hashes
    assert parse_sketch(" ".join(map(str, fingerprint.sketch))) == fingerprint.sketch
    assert parse_sketch("") == []


def test_jaccard_of_shingle_hashes_equals_jaccard_of_shingles():
    rng = random.Random(2)
    for _ in range(30):
        text = random_text(rng, rng.randrange(80, 400))
        other = rewrite(rng, text, rng.random() * 0.5)
        assert jaccard(Fingerprint(text).shingle_hashes, Fingerprint(other).shingle_hashes) == pytest.approx(
            resemblance(text, other))


def test_sketch_estimate_of_identical_and_unrelated_texts():
    rng = random.Random(3)
    text = random_text(rng, 400)
    sketch = Fingerprint(text).sketch
    assert sketch_resemblance(sketch, sketch) == (1.0, len(sketch))
    unrelated = Fingerprint(random_text(rng, 400)).sketch
    estimate, k = sketch_resemblance(sketch, unrelated)
    assert estimate < 0.1 and k == min(len(sketch), len(unrelated))
    assert not sketch_may_match(sketch, unrelated)
    assert sketch_may_match(sketch, []) and sketch_resemblance([], sketch) == (0.0, 0)  # nothing to go by


def test_sketch_precheck_never_sets_a_reprint_aside():
    """Over many edited copies, every pair whose true resemblance reaches the reprint threshold passes the
    pre-check, and the estimate tracks the true value."""
    rng = random.Random(4)
    passed = set_aside = 0
    errors = []
    for _ in range(400):
        text = random_text(rng, rng.randrange(60, 700))
        other = rewrite(rng, text, rng.random() * 0.6)
        a, b = Fingerprint(text), Fingerprint(other)
        true = jaccard(a.shingle_hashes, b.shingle_hashes)
        estimate, k = sketch_resemblance(a.sketch, b.sketch)
        errors.append(abs(estimate - true))
        if true >= REPRINT_RESEMBLANCE:
            assert sketch_may_match(a.sketch, b.sketch), (true, estimate, k)
            passed += 1
        elif not sketch_may_match(a.sketch, b.sketch):
            set_aside += 1
    assert passed > 50 and set_aside > 50  # both kinds occurred: the check was exercised both ways
    assert sum(errors) / len(errors) < 0.1


def _article(url_key: str, text: str, source: str = "a") -> dict:
    fingerprint = Fingerprint(text)
    return {"url_key": url_key, "url": f"http://{url_key}", "source_id": source, "title": "t", "text": text,
            "content_hash": fingerprint.content_hash, "sketch": fingerprint.sketch,
            "mentions": [{"kind": "name", "watch": "Блошкин Александр", "matched": "Блошкину",
                          "snippet": "…"}]}


def test_a_second_row_for_one_url_key_is_refused_whole(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    text = random_text(random.Random(5), 200)
    first = store.add_article(_article("site/news/1", text), ["site/news/1?print=1"])
    with pytest.raises(ArticleExists):
        store.add_article(_article("site/news/1", text + " другое"), ["site/news/1?utm=x"])
    store.close()
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM mentions").fetchone()[0] == 1
    # the refused article's other key was rolled back with it; the first article's keys stand
    assert sorted(db.execute("SELECT url_key, article_id FROM seen_urls")) == [
        ("site/news/1", first), ("site/news/1?print=1", first)]


def test_an_old_store_gets_the_sketch_column_and_its_articles_stay_candidates(tmp_path):
    path = tmp_path / "old.sqlite3"
    text = random_text(random.Random(6), 300)
    old = Store(f"sqlite:///{path}")
    old.add_article(_article("old.example/1", text, source="old"), [])
    old.close()
    db = sqlite3.connect(path)  # as a store written before the column existed (and before migrations)
    db.execute("ALTER TABLE articles DROP COLUMN sketch")
    db.execute("DROP TABLE alembic_version")
    db.commit()
    db.close()
    store = Store(f"sqlite:///{path}")
    reprint = Fingerprint(rewrite(random.Random(7), text, 0.05))
    candidates = store.near_duplicate_candidates(reprint.sketch, other_than="new")
    assert [c["url"] for c in candidates] == ["http://old.example/1"]
    assert candidates[0]["sketch"] == ""  # unknown: the pre-check lets the full comparison decide
    assert sketch_may_match(reprint.sketch, parse_sketch(candidates[0]["sketch"]))
    assert store.near_duplicate_candidates(reprint.sketch, other_than="old") == []
    store.close()


def test_writes_are_committed_in_groups_and_a_killed_group_leaves_nothing_half_done(tmp_path):
    """Group commit: what a reader sees is whole articles only, flushed by the group size, by flush() (the
    crawl's timer and its end) or by close; a group never committed is gone whole, its URL keys with it."""
    from crawler.storage.hotpath import GROUP_ARTICLES

    path = tmp_path / "state.sqlite3"
    store = Store(f"sqlite:///{path}")
    rng = random.Random(8)

    def committed() -> tuple[int, int]:
        with sqlite3.connect(path) as db:
            return (db.execute("SELECT count(*) FROM articles").fetchone()[0],
                    db.execute("SELECT count(*) FROM seen_urls").fetchone()[0])

    for n in range(GROUP_ARTICLES - 1):
        store.add_article(_article(f"site/news/{n}", random_text(rng, 80)), [f"site/news/{n}?print=1"])
    assert committed() == (0, 0)
    assert store.is_known("site/news/5?print=1")  # the crawl itself sees its open group
    store.add_article(_article("site/news/last", random_text(rng, 80)), [])
    assert committed() == (GROUP_ARTICLES, 2 * GROUP_ARTICLES - 1)
    store.mark_seen(["site/list?page=2"], "a")
    store.flush(older_than=3600)  # too young: stays open
    assert committed()[1] == 2 * GROUP_ARTICLES - 1
    store.flush()
    assert committed()[1] == 2 * GROUP_ARTICLES
    store.add_article(_article("site/news/lost", random_text(rng, 80)), ["site/news/lost?utm_source=x"])
    store.hot.connection.rollback()  # as a killed process's open group: never committed
    store.close()
    again = Store(f"sqlite:///{path}")
    assert not again.is_known("site/news/lost") and not again.is_known("site/news/lost?utm_source=x")
    assert committed() == (GROUP_ARTICLES, 2 * GROUP_ARTICLES)
    again.close()


def test_fingerprint_parts_sent_from_a_worker_give_the_same_fingerprint():
    """The offload workers send (hash, sketch, shingle hashes) through a pipe; dedupe rebuilds the same thing."""
    import pickle

    text = random_text(random.Random(9), 250)
    here = Fingerprint(text)
    there = Fingerprint.from_parts(text, pickle.loads(pickle.dumps(Fingerprint(text).parts())))
    assert (there.content_hash, there.sketch, there.shingle_hashes) == (
        here.content_hash, here.sketch, here.shingle_hashes)
    assert there.shingles == here.shingles  # built from the text on demand
    assert "tokens" not in Fingerprint.from_parts(text, here.parts()).__dict__  # nothing split unless asked


def test_a_hash_common_in_the_store_stays_common_while_the_open_group_holds_it_too(tmp_path):
    """The open group's own articles add to a hash's stored holders: a template phrase held by more than
    COMMON_ANCHOR stored articles is never ranked as rare because an uncommitted article holds it as well (it
    was: every template article became a candidate, and the ranking scanned all of their anchors)."""
    store = Store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    common, own = [11, 12], [901, 902]
    for n in range(COMMON_ANCHOR + 1):  # «на заседании комитета…»: in every article of a template source
        store.add_article({**_article(f"tmpl.example/{n}", f"Шаблон {n}.", source="tmpl"),
                           "sketch": [*common, 1000 + n]}, [])
    store.flush()
    store.add_article({**_article("first.example/1", "Пресс-релиз.", source="first"), "sketch": [*common, *own]}, [])
    # the open group holds the first publication: a reprint of it finds it, and none of the template articles
    candidates = store.near_duplicate_candidates([*common, *own], other_than="reprint")
    assert [c["url"] for c in candidates] == ["http://first.example/1"]
    assert store.near_duplicate_candidates(common, other_than="reprint") == []
    store.flush()
    assert [c["url"] for c in store.near_duplicate_candidates([*common, *own], other_than="reprint")] == [
        "http://first.example/1"]
    store.close()
