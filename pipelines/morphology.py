"""Russian word-form generation for the watchlist matcher.

The matcher never lemmatises the article: it compiles, once, every form a watched name or phrase can take
and looks those forms up in the text. This module produces the forms:

- :func:`surname_forms` — all singular (and family-plural) forms of a surname of a given gender. It uses the
  pymorphy3 parse tagged ``Surn`` (never the first parse: pymorphy3 reads a rare «Блошкину» as the verb
  «блошкинуть») and adds rule-based forms for what the dictionary does not know (-ов/-ев/-ин, -ский/-ой,
  noun-like and indeclinable surnames: -ко, -их/-ых, -аго, vowel-final foreign names, female consonant-final).
- :func:`given_name_forms` — forms of a first name / middle name (pymorphy3 ``Name`` lexeme, else rules).
- :func:`phrase_forms` — a topic phrase in every case and number with its adjectives agreeing with the head
  noun («капитальный ремонт школ» → «капитального ремонта школ», «капитальные ремонты школ», …).
- word classifiers used at match time: :func:`is_given_name`, :func:`is_patronymic`, :func:`common_word_weight`.

All strings returned are normalised with :func:`normalize` (lower case, «ё» → «е»). The pymorphy3 analyser is
created once per process (:func:`analyzer`).
"""

from __future__ import annotations

import functools
import re

import pymorphy3

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
# lower-case particles inside foreign names: «Людвиг ван Бетховен», «Саиф уль-Малук»
NAME_PARTICLES = frozenset({"ван", "фон", "дер", "де", "ди", "да", "дю", "ла", "ле", "дель", "уль", "аль", "эль",
                            "бен", "ибн", "бин", "оглы", "кызы", "van", "von", "de", "der", "di", "da", "du", "la",
                            "le", "al", "bin", "ibn"})
_PATRONYMIC_RE = re.compile(r"(?:[оеё]вич|[оеё]вн|ьич|инич|ичн)(?:а|у|ем|ом|е|ой|ою|ы|и|ей)?$")
_CYRILLIC_RE = re.compile(r"[а-яё]")
_HARD_VELAR_SIBILANT = "гкхжшчщ"
_SIBILANT = "жшчщц"
_INDECLINABLE_ENDINGS = ("ко", "их", "ых", "аго", "яго", "ово", "ени", "ели")


def normalize(text: str) -> str:
    """Lower-case and fold «ё» to «е» (same length as the input for Cyrillic/Latin text)."""
    return text.lower().replace("ё", "е")


@functools.cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The process-wide pymorphy3 analyser (its dictionaries are loaded once per process: not cheap)."""
    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=65536)
def _parses(word: str) -> tuple:
    return tuple(analyzer().parse(word))


def _is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC_RE.search(word))


def _gender_ok(tag, gender: str | None) -> bool:
    if gender is None:
        return True
    if tag.number == "plur":
        return True
    return gender in tag.grammemes or "ms-f" in tag.grammemes


def _lexeme_forms(parse, gender: str | None) -> set[str]:
    return {normalize(form.word) for form in parse.lexeme if _gender_ok(form.tag, gender)}


# ---------------------------------------------------------------------------------------------- rules

def _a_declension(word: str) -> set[str]:
    """Forms of a noun-like name ending in -а/-я («Раджа», «Саква», «Тереза»)."""
    stem, last = word[:-1], word[-1]
    soft = last == "я" or stem[-1:] in _HARD_VELAR_SIBILANT
    forms = {word, stem + ("и" if soft else "ы"), stem + ("ю" if last == "я" else "у"), stem + "е"}
    if last == "я" or stem[-1:] in _SIBILANT:
        forms |= {stem + "ей", stem + "ею", stem + "ой"}
    else:
        forms |= {stem + "ой", stem + "ою"}
    if last == "я" and stem.endswith("и"):
        forms.add(stem + "и")
    return forms


def _masc_noun_declension(word: str) -> set[str]:
    """Forms of a masculine consonant-final name declined as a noun («Джонсон», «Скрипаль», «Хант»)."""
    if word[-1] in "ьй":
        stem = word[:-1]
        return {word, stem + "я", stem + "ю", stem + "ем", stem + "е"}
    forms = {word, word + "а", word + "у", word + "е"}
    forms.add(word + ("ем" if word[-1] in _SIBILANT else "ом"))
    return forms


def _family_plural(word: str) -> set[str]:
    """Plural of a noun-like surname, for the family: «Скрипали», «Скрипалей», «Джонсоны»."""
    if word[-1] in "ьй":
        stem = word[:-1]
        return {stem + "и", stem + "ей", stem + "ям", stem + "ями", stem + "ях"}
    forms = {word + "ам", word + "ами", word + "ах"}
    forms |= {word + "и", word + "ей"} if word[-1] in _HARD_VELAR_SIBILANT else {word + "ы", word + "ов"}
    return forms


def rule_surname_forms(word: str, gender: str | None) -> set[str]:
    """Surname forms by rule, for surnames pymorphy3 does not know. ``word`` is normalised."""
    if not _is_cyrillic(word) or len(word) < 2:
        return {word}
    forms = {word}
    genders = ("masc", "femn") if gender is None else (gender,)
    for g in genders:
        forms |= _rule_surname_forms_gendered(word, g)
    return forms


def _rule_surname_forms_gendered(w: str, gender: str) -> set[str]:
    if w.endswith(_INDECLINABLE_ENDINGS):
        return {w}
    if gender == "femn":
        if w.endswith(("ова", "ева", "ина", "ына")):
            stem = w[:-1]
            return {w, stem + "ой", stem + "у", stem + "ы", stem + "ым", stem + "ых"}
        if w.endswith(("ая", "яя")):
            stem = w[:-2]
            return {w, stem + "ой", stem + "ую", stem + "ей", stem + "юю"}
        if w[-1] in "ая":
            return _a_declension(w)
        if w[-1] not in "оеиуюэыа":
            return {w} | _family_plural(w)  # no singular declension: «Меркель», «Мэй»; the family: «Скрипалей»
        return {w}
    # masculine
    if w.endswith(("ов", "ев", "ин", "ын")):
        return {w, w + "а", w + "у", w + "ым", w + "е", w + "ы", w + "ых", w + "ыми"}
    if w.endswith(("ский", "цкий", "ской", "цкой")):
        stem = w[:-2]
        return {w, stem + "ого", stem + "ому", stem + "им", stem + "ом"}
    if w.endswith(("ый", "ой")):
        stem = w[:-2]
        return {w, stem + "ого", stem + "ому", stem + "ым", stem + "ом"}
    if w.endswith("ий") and len(w) > 4 and w[-3] in _HARD_VELAR_SIBILANT:
        stem = w[:-2]
        return {w, stem + "ого", stem + "ому", stem + "им", stem + "ом"}
    if w[-1] in "ая":
        return _a_declension(w)
    if w[-1] in "оеиуюэы":
        return {w}  # «Шойгу», «Трюдо», «Саркози»
    return _masc_noun_declension(w) | _family_plural(w)


def rule_given_name_forms(word: str, gender: str | None) -> set[str]:
    """First-name forms by rule (foreign names pymorphy3 does not know)."""
    if not _is_cyrillic(word) or len(word) < 2:
        return {word}
    if word[-1] in "ая":
        return _a_declension(word)
    if word[-1] in "оеиуюэы" or gender == "femn":
        return {word}
    return _masc_noun_declension(word)


# ---------------------------------------------------------------------------------------------- names

def guess_gender(word: str) -> str | None:
    """Gender of a first name from pymorphy3 (``Name`` parse in the nominative), else from its ending."""
    w = normalize(word)
    for p in _parses(w):
        if "Name" in p.tag and p.tag.case == "nomn" and p.tag.number == "sing" and p.tag.gender is not None:
            return str(p.tag.gender)
    if not _is_cyrillic(w):
        return None
    return "femn" if w[-1] in "ая" else "masc"


@functools.lru_cache(maxsize=65536)
def surname_forms(word: str, gender: str | None) -> frozenset[str]:
    """Every form of the surname ``word`` (given in the nominative) for a person of ``gender``."""
    w = normalize(word)
    if "-" in w:  # «Рис-Могг»: the last part declines («Римский-Корсаков», declining both, is not handled)
        head, _, last = w.rpartition("-")
        return frozenset({w} | {f"{head}-{form}" for form in surname_forms(last, gender)})
    forms = rule_surname_forms(w, gender)
    known_surname = False
    for p in _parses(w):
        tag = p.tag
        if "Surn" in tag and tag.case == "nomn" and _gender_ok(tag, gender):
            forms |= _lexeme_forms(p, gender)
            known_surname = True
    if not known_surname:
        # a surname that is also a common noun declines like it, fleeting vowel included: «Орёл» → «Орла»
        for p in _parses(w):
            tag = p.tag
            if tag.POS == "NOUN" and tag.case == "nomn" and tag.number == "sing" and _gender_ok(tag, gender):
                forms |= {normalize(f.word) for f in p.lexeme if f.tag.number == "sing"}
                break
    if len(forms) == 1 and _is_cyrillic(w):
        # unknown to the rules as well: fall back on a Name parse's lexeme («Джонсон» is tagged Name)
        for p in _parses(w):
            if "Name" in p.tag and p.tag.case == "nomn" and _gender_ok(p.tag, gender):
                forms |= _lexeme_forms(p, gender)
    return frozenset(forms)


@functools.lru_cache(maxsize=65536)
def given_name_forms(word: str, gender: str | None = None) -> frozenset[str]:
    """Every singular form of a first name (or middle name) given in the nominative."""
    w = normalize(word)
    if "-" in w:  # «Жан-Клод»: the last part declines
        head, _, last = w.rpartition("-")
        return frozenset({f"{head}-{form}" for form in given_name_forms(last, gender)})
    forms = {w}
    found = False
    for p in _parses(w):
        tag = p.tag
        if "Name" in tag and tag.case == "nomn" and tag.number == "sing" and _gender_ok(tag, gender):
            forms |= {normalize(f.word) for f in p.lexeme if f.tag.number == "sing"}
            found = True
    if not found:
        forms |= rule_given_name_forms(w, gender)
    return frozenset(forms)


@functools.lru_cache(maxsize=65536)
def is_given_name(word: str) -> bool:
    """True when some parse of the (normalised) word is a first name in pymorphy3's dictionary."""
    return any("Name" in p.tag for p in _parses(word))


@functools.lru_cache(maxsize=65536)
def is_surname(word: str) -> bool:
    """True when pymorphy3 can read the (normalised) word as a surname in the nominative."""
    return any("Surn" in p.tag and p.tag.case == "nomn" for p in _parses(word))


def is_patronymic(word: str) -> bool:
    """True for a patronymic in any case («Владимирович», «Николаевной»)."""
    w = normalize(word)
    return len(w) > 5 and bool(_PATRONYMIC_RE.search(w))


@functools.lru_cache(maxsize=65536)
def common_word_weight(word: str) -> float:
    """Share (0..1) of pymorphy3's dictionary parses of ``word`` that are not a person's name.

    0 means the word is only a name or unknown to the dictionary («блошкину», «мэй»); «зима» gives 1.0,
    «путина» (also the fishing season) a little, «орлов» (also «орёл») about 0.3.
    """
    analyzer_ = analyzer()
    if not analyzer_.word_is_known(word):
        return 0.0
    weight = 0.0
    for p in _parses(word):
        if not (NAME_TAGS & p.tag.grammemes) and p.tag.POS is not None:
            weight += p.score
    return min(weight, 1.0)


# ---------------------------------------------------------------------------------------------- phrases

def _pick(parses, predicate):
    for p in parses:
        if predicate(p.tag):
            return p
    return None


@functools.lru_cache(maxsize=16384)
def phrase_forms(phrase: str) -> frozenset[str]:
    """All case/number forms of a phrase whose adjectives agree with its head noun.

    The head is the first noun in the nominative; adjectives/participles right before it agree with it;
    every other word (dependents such as «школ», «Европы», prepositions, numbers) stays as written.
    A one-word phrase gives the whole lexeme of its best noun/adjective parse.
    """
    words = normalize(phrase).split()
    if not words:
        return frozenset()
    forms = {" ".join(words)}
    parses = [_parses(w) for w in words]
    if len(words) == 1:
        p = _pick(parses[0], lambda t: t.POS in ("NOUN", "ADJF", "PRTF") and t.case == "nomn") or (
            parses[0][0] if parses[0] and parses[0][0].tag.POS else None)
        if p is not None:
            forms |= {normalize(f.word) for f in p.lexeme if f.tag.POS == p.tag.POS}
        return frozenset(forms)
    head_index = None
    head = None
    for i, ps in enumerate(parses):
        p = _pick(ps, lambda t: t.POS == "NOUN" and t.case == "nomn")
        if p is not None:
            head_index, head = i, p
            break
        if _pick(ps, lambda t: t.POS in ("ADJF", "PRTF") and t.case == "nomn") is None:
            break  # the phrase does not start with an agreeing group
    if head is None:
        return frozenset(forms)
    modifiers = {}
    for i in range(head_index):
        p = _pick(parses[i], lambda t: t.POS in ("ADJF", "PRTF") and t.case == "nomn"
                  and (t.number == "plur" or head.tag.gender is None or t.gender == head.tag.gender))
        if p is None:
            p = _pick(parses[i], lambda t: t.POS in ("ADJF", "PRTF") and t.case == "nomn")
        if p is None:
            return frozenset(forms)
        modifiers[i] = p
    animacy = head.tag.animacy or "inan"
    for number in ("sing", "plur"):
        for case in CASES:
            head_form = head.inflect({case, number})
            if head_form is None:
                continue
            out = list(words)
            out[head_index] = normalize(head_form.word)
            ok = True
            for i, p in modifiers.items():
                grammemes = {case, number}
                if number == "sing" and head_form.tag.gender:
                    grammemes.add(head_form.tag.gender)
                if case == "accs" and (number == "plur" or head_form.tag.gender == "masc"):
                    grammemes.add(animacy)
                form = p.inflect(grammemes) or p.inflect({case, number})
                if form is None:
                    ok = False
                    break
                out[i] = normalize(form.word)
            if ok:
                forms.add(" ".join(out))
    return frozenset(forms)
