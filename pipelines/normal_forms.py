"""Words in normal form, for the full-text index and its queries: «Блошкиным» → «блошкин», «газификации» →
«газификация».

Every pymorphy3 lemma of a word counts (not only the likeliest parse), «ё» is folded to «е», and a word the
dictionary does not know also gets the nominatives the matcher's surname rules (``pipelines/morphology.py``) lead
back to. The crawl computes an article's normal forms beside its other per-page work (``pipelines/offload.py``);
the store's index and search are in ``crawler/storage/fulltext.py``.
"""

from __future__ import annotations

import functools
import re

from pipelines.morphology import analyzer, normalize, rule_surname_forms

WORD = re.compile(r"[^\W_]+")  # a word as FTS5's unicode61 sees it: letters and digits (hyphens split)

# the case endings a surname form can carry, and the nominative endings it may come from (reverse of the
# matcher's rules in pipelines/morphology.py, checked against them: a candidate counts only if its forms
# include the word)
_FORM_ENDINGS = ("ыми", "ами", "ями", "ого", "ому", "его", "ему", "ой", "ою", "ей", "ею", "ым", "им", "ом", "ем",
                 "ых", "их", "ую", "юю", "ам", "ах", "ям", "ях", "а", "у", "е", "ы", "и", "ю", "я", "")
_NOMINATIVE_ENDINGS = ("", "а", "ий", "ой", "ый", "ь", "й", "я")


@functools.lru_cache(maxsize=200_000)
def word_normal_forms(word: str) -> tuple[str, ...]:
    """The normal forms of one word (lower case, «ё» → «е»): every pymorphy3 lemma, plus surname rules.

    Every parse's lemma counts, not only the likeliest: pymorphy3 reads a rare «Блошкину» first as the verb
    «блошкинуть», and its ``Surn`` parse «блошкин» is what a search for the surname needs. A word the dictionary
    does not know also gets the nominatives the matcher's surname rules derive it from.
    """
    w = normalize(word)
    forms = dict.fromkeys(normalize(p.normal_form) for p in analyzer().parse(w))
    if len(w) > 3 and w.isalpha() and not analyzer().word_is_known(w):
        forms[w] = None
        for ending in _FORM_ENDINGS:
            if ending and not w.endswith(ending):
                continue
            stem = w[:len(w) - len(ending)]
            for nominative in _NOMINATIVE_ENDINGS:
                candidate = stem + nominative
                if candidate != w and len(candidate) > 3 and w in rule_surname_forms(candidate, None):
                    forms[candidate] = None
    return tuple(forms)


def normal_forms(text: str) -> str:
    """``text`` in normal form, for the ``articles_lemmas`` index: each word's normal forms, space-separated."""
    return " ".join(form for word in WORD.findall(text) for form in word_normal_forms(word))


def article_normal_forms(title: str, text: str) -> tuple[str, str]:
    """(title, text) in normal form: what the crawl stores in ``articles_lemmas`` for one article."""
    return normal_forms(title or ""), normal_forms(text or "")
