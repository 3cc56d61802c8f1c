"""Find mentions of watched people and topics in an article, in any Russian grammatical form.

``WatchMatcher(watchlist)`` compiles the whole watchlist once into one Aho–Corasick automaton (pyahocorasick)
whose keys are every generated form (see :mod:`pipelines.morphology`) of every surname, one-word alias and
phrase. ``matcher.find(title, text)`` runs that automaton over the normalised text (lower case, «ё» → «е») and
only then looks at the few words around each hit, so its cost depends on the article, not on the size of the
watchlist. It returns one :class:`Mention` per watch entry per article, in order of first appearance.

Names. An entry is parsed into first name, optional middle name/patronymic, surname and initials
(«Александр Блошкин», «Блошкин А.В.», «Александр Владимирович Блошкин»). A surname form found in the text
is a mention when
- a form of the entry's first name stands right before or after it, possibly with a patronymic or the
  entry's middle name between («Александру Блошкину», «Блошкиным Александром», «Александр Владимирович
  Блошкин»), or initials agreeing with the first name (and patronymic, when known) do («А.В. Блошкин»,
  «Блошкин А.В.», «А. В. Блошкину»);
- or it stands alone and the entry allows it (``surname_alone``, default true). Not alone but another person:
  a different first name or initials right before/after it («Ольга Блошкина» is not «Александр Блошкин»).
  Not a person: a surname followed by a capitalised word that is not part of the entry, as in a place name
  («Бочаров Ручей», «Бочарова Ручья»). A surname that is also a common word («Орёл», «Зима», «Хан») counts
  alone only when capitalised, and not as the first word of a sentence unless pymorphy3 reads the word mostly
  as a name («Путин»).
One-word aliases that are not the surname (e.g. a first name) follow the rules of a surname standing alone.
Names of four words or more, or with lower-case/non-name words («Елизавета II», «пророк Мухаммед»), are
matched as phrases.

Topics. Phrases are matched in every case and number, their adjectives agreeing with the head noun.
- ``keywords`` / ``any``: the topic needs at least one of these phrases;
- ``all``: the topic needs every one of these phrases (anywhere in title or body);
- ``none``: an occurrence of a ``none`` phrase that overlaps an occurrence of a positive (any/all) phrase
  cancels that occurrence only («газификация Европы» cancels its «газификация», but the article still
  matches if it also speaks of «газификация района»); a ``none`` phrase that overlaps no positive phrase
  excludes the article from the topic.
Matches never cross a line break or punctuation; title and body are matched separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick
from razdel import sentenize

from pipelines import morphology as morph
from pipelines.watchlist import NameWatch, TopicWatch, Watchlist

_SPACE_TRANSLATION = {ord(ch): " " for ch in "\t\r\v\f\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                      "\u2008\u2009\u200a\u202f\u205f\u3000"}
_SPACE_TRANSLATION.update({ord("ё"): "е", ord("\u2011"): "-", ord("\u2010"): "-", ord("\u00ad"): ""})
# the characters other than «ё» that the translation changes: most texts hold none, and then «ё» → «е» is
# a str.replace (a translate() walks the text character by character in Python's slow path)
_TRANSLATED_RARELY = re.compile("[" + "".join(re.escape(chr(code)) for code in _SPACE_TRANSLATION
                                              if code != ord("ё")) + "]")
_WORD = r"[^\W\d_]+(?:-[^\W\d_]+)*"
_LEFT_WORD = re.compile(rf"(?<![\w-])({_WORD})[ ]+$")
_RIGHT_WORD = re.compile(rf"[ ]+({_WORD})(?![\w-])")
_LEFT_INITIALS = re.compile(r"(?<![\w.])([^\W\d_])\.[ ]?(?:([^\W\d_])\.[ ]?)?$")
_RIGHT_INITIALS = re.compile(r"[ ]?([^\W\d_])\.(?:[ ]?([^\W\d_])\.)?")
_NAME_TOKEN = re.compile(r"[^\W\d_]\.|[^\W\d_]+(?:-[^\W\d_]+)*|\S+")
_PARENTHESISED = re.compile(r"\([^)]*\)")
_OPENERS = "«\"„“'(—–-"
_CONTEXT = 60
_SNIPPET_WINDOW = 1500

# payload kinds stored in the automaton
_SURNAME, _NAME_PHRASE, _TOPIC = 0, 1, 2
# topic term roles
_ANY, _ALL, _NONE = 0, 1, 2


@dataclass(frozen=True)
class Mention:
    kind: str      # "name" | "topic"
    watch: str     # canonical name of the watch entry
    matched: str   # the form as written in the text
    snippet: str   # the whole sentence around the first match

    def as_dict(self) -> dict:
        return {"kind": self.kind, "watch": self.watch, "matched": self.matched, "snippet": self.snippet}


@dataclass(frozen=True)
class _NameSpec:
    """One way of writing one watched person, compiled."""

    entry: int
    first_forms: frozenset[str]      # forms of the first name; empty when the spec has none
    first_initial: str | None
    patr_initial: str | None
    middle_forms: frozenset[str]     # middle names / particles that may stand between first name and surname
    own_forms: frozenset[str]        # every form of every part of the entry (never "another person")
    alone_ok: bool


@dataclass(frozen=True)
class _ParsedName:
    first: str | None
    middle: tuple[str, ...]
    surname: str
    first_initial: str | None
    patr_initial: str | None


def normalize_text(text: str) -> str:
    """Lower case, «ё» → «е», every space but the line break → " "; keeps offsets (same length)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    if _TRANSLATED_RARELY.search(low) is None:
        return low.replace("ё", "е")
    out = low.translate(_SPACE_TRANSLATION)
    if len(out) != len(text):  # soft hyphens were removed: keep offsets, write a non-word char instead
        out = low.translate({**_SPACE_TRANSLATION, ord("\u00ad"): "\u00ad"})
    return out


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _is_titlecase_at(text: str, start: int, end: int) -> bool:
    """A capitalised word that is not written in capitals throughout («Ручей», not «РУЧЕЙ»)."""
    return text[start].isupper() and not (end - start > 1 and text[start:end].isupper())


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in ".!?…"


def parse_name(name: str) -> _ParsedName | None:
    """Split a written name into its parts; None when it is better matched as a phrase."""
    tokens = _NAME_TOKEN.findall(_PARENTHESISED.sub(" ", name))
    initials = [morph.normalize(t[0]) for t in tokens if len(t) == 2 and t[1] == "."]
    words = [t for t in tokens if not (len(t) == 2 and t[1] == ".")]
    particles = tuple(morph.normalize(w) for w in words if morph.normalize(w) in morph.NAME_PARTICLES
                      and not _is_capitalised(w))
    words = [w for w in words if morph.normalize(w) not in particles]
    if not words or any(not _is_capitalised(w) or (len(w) > 1 and w.isupper()) or not w[0].isalpha()
                        for w in words):
        return None
    if initials:
        if len(words) == 1 and len(initials) <= 2:
            return _ParsedName(None, particles, words[0], initials[0], initials[1] if len(initials) > 1 else None)
        if len(words) == 2 and len(initials) == 1:
            return _ParsedName(words[0], particles, words[1], morph.normalize(words[0][0]), initials[0])
        return None
    if len(words) == 1:
        return _ParsedName(None, particles, words[0], None, None)
    if len(words) == 2:
        first, surname = words
        if (morph.is_given_name(morph.normalize(surname)) and not morph.is_given_name(morph.normalize(first))
                and morph.is_surname(morph.normalize(first))):  # «Блошкин Александр»
            first, surname = surname, first
        return _ParsedName(first, particles, surname, morph.normalize(first[0]), None)
    if len(words) == 3:
        if morph.is_patronymic(words[1]):
            return _ParsedName(words[0], particles, words[2], morph.normalize(words[0][0]),
                               morph.normalize(words[1][0]))
        if morph.is_patronymic(words[2]):
            return _ParsedName(words[1], particles, words[0], morph.normalize(words[1][0]),
                               morph.normalize(words[2][0]))
        return _ParsedName(words[0], (*particles, words[1]), words[2], morph.normalize(words[0][0]), None)
    return None


class _Compiler:
    """Collects automaton keys → payloads while the watchlist is compiled."""

    def __init__(self) -> None:
        self.keys: dict[str, list[tuple]] = {}

    def add(self, form: str, payload: tuple) -> None:
        form = form.strip()
        if form:
            bucket = self.keys.setdefault(form, [])
            if payload not in bucket:
                bucket.append(payload)

    def automaton(self) -> ahocorasick.Automaton | None:
        if not self.keys:
            return None
        automaton = ahocorasick.Automaton()
        for key, payloads in self.keys.items():
            automaton.add_word(key, (len(key), tuple(payloads)))
        automaton.make_automaton()
        return automaton


class WatchMatcher:
    """The compiled watchlist. Build once per process; ``find`` is thread-safe and cheap."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._names: list[NameWatch] = list(watchlist.names)
        self._topics: list[TopicWatch] = list(watchlist.topics)
        self._specs: list[_NameSpec] = []
        compiler = _Compiler()
        for index, entry in enumerate(self._names):
            self._compile_name(index, entry, compiler)
        for index, topic in enumerate(self._topics):
            self._compile_topic(index, topic, compiler)
        self._automaton = compiler.automaton()
        self.key_count = len(compiler.keys)

    # ------------------------------------------------------------------------------------------ compile

    def _compile_name(self, index: int, entry: NameWatch, compiler: _Compiler) -> None:
        parsed: list[tuple[_ParsedName, bool]] = []
        phrases: list[str] = []
        for position, written in enumerate((entry.name, *entry.aliases)):
            name = parse_name(written)
            if name is None:
                phrases.append(written)
            else:
                parsed.append((name, position == 0 or name.first is not None or name.first_initial is not None))
        surnames = {morph.normalize(p.surname) for p, _ in parsed if p.first or p.first_initial}
        # a one-word alias equal to a surname already known adds nothing
        parsed = [(p, full) for p, full in parsed
                  if p.first or p.first_initial or not (morph.normalize(p.surname) in surnames and not full)]
        built = []
        for name, _ in parsed:
            gender = morph.guess_gender(name.first) if name.first else None
            first_forms = morph.given_name_forms(name.first, gender) if name.first else frozenset()
            if name.first is None and name.first_initial is None and morph.is_given_name(
                    morph.normalize(name.surname)):
                surname_forms = morph.given_name_forms(name.surname) | morph.surname_forms(name.surname, None)
                one_word_alias = True
            else:
                surname_forms = morph.surname_forms(name.surname, gender)
                one_word_alias = False
            middle_forms = frozenset().union(*(morph.given_name_forms(m) for m in name.middle)) if name.middle \
                else frozenset()
            built.append((name, first_forms, surname_forms, middle_forms, one_word_alias))
        own = frozenset().union(*(f | s | m for _, f, s, m, _ in built)) if built else frozenset()
        # «Александр Блошкин» with the alias «Блошкин А.В.»: the patronymic initial is known for both
        known_patr = {(n.first_initial, n.patr_initial) for n, *_ in built if n.patr_initial}
        for name, first_forms, surname_forms, middle_forms, one_word_alias in built:
            patr_initial = name.patr_initial or next(
                (p for f, p in known_patr if f == name.first_initial and len(known_patr) == 1), None)
            is_alias_word = one_word_alias or (name.first is None and name.first_initial is None
                                               and morph.normalize(name.surname) not in surnames)
            spec = _NameSpec(entry=index, first_forms=first_forms, first_initial=name.first_initial,
                             patr_initial=patr_initial, middle_forms=middle_forms, own_forms=own,
                             alone_ok=entry.surname_alone or is_alias_word)
            spec_index = len(self._specs)
            self._specs.append(spec)
            for form in surname_forms:
                compiler.add(form, (_SURNAME, spec_index))
        for phrase in phrases:
            for form in morph.phrase_forms(_PARENTHESISED.sub(" ", phrase)):
                compiler.add(form, (_NAME_PHRASE, index))

    def _compile_topic(self, index: int, topic: TopicWatch, compiler: _Compiler) -> None:
        for role, phrases in ((_ANY, topic.any), (_ALL, topic.all), (_NONE, topic.none)):
            for term, phrase in enumerate(phrases):
                for form in morph.phrase_forms(phrase):
                    compiler.add(form, (_TOPIC, index, role, term))

    # ------------------------------------------------------------------------------------------ match

    def find(self, title: str, text: str) -> list[Mention]:
        """Mentions in the article, one per watch entry, in order of first appearance (title first)."""
        if self._automaton is None:
            return []
        names: dict[int, tuple] = {}
        topic_hits: dict[int, list[tuple]] = {}
        sources = (title or "", text or "")
        full: set[int] = set()            # entries named with first name or initials somewhere
        alone: dict[int, set[int]] = {}    # entry → entries sharing the surname it was found alone with
        for source_index, source in enumerate(sources):
            if source:
                self._scan(source_index, source, names, topic_hits, full, alone)
        for entry, sharing in alone.items():
            # a surname shared by several watched people, standing alone, is the one named in full
            if entry not in full and any(other in full for other in sharing if other != entry):
                names.pop(entry, None)
        found: list[tuple] = [(position, "name", index) for index, position in names.items()]
        for index, hits in topic_hits.items():
            position = self._judge_topic(self._topics[index], hits)
            if position is not None:
                found.append((position, "topic", index))
        found.sort(key=lambda item: (item[0][0], item[0][1], -item[0][2]))
        mentions = []
        for (source_index, start, end), kind, index in found:
            source = sources[source_index]
            watch = self._names[index].name if kind == "name" else self._topics[index].name
            mentions.append(Mention(kind=kind, watch=watch, matched=source[start:end],
                                    snippet=_snippet(source, start, end)))
        return mentions

    def _scan(self, source_index: int, text: str, names: dict, topic_hits: dict, full: set, alone: dict) -> None:
        norm = normalize_text(text)
        size = len(norm)
        for end_index, (length, payloads) in self._automaton.iter(norm):
            start, end = end_index - length + 1, end_index + 1
            if (start > 0 and (norm[start - 1].isalnum() or norm[start - 1] == "-")) or (
                    end < size and (norm[end].isalnum() or norm[end] == "-")):
                continue
            context = None
            for payload in payloads:
                kind = payload[0]
                if kind == _TOPIC:
                    topic_hits.setdefault(payload[1], []).append((source_index, start, end, payload[2], payload[3]))
                    continue
                if kind == _NAME_PHRASE:
                    span = (start, end)
                    entry = payload[1]
                else:
                    spec = self._specs[payload[1]]
                    entry = spec.entry
                    previous = names.get(entry)
                    if entry in full and (previous[0] < source_index or previous[2] < start - _CONTEXT):
                        continue  # already found earlier; this hit cannot give an earlier or longer match
                    if context is None:
                        context = _Context(text, norm, start, end)
                    span = _judge_name(spec, context)
                    if span is None:
                        continue
                    one_word_entry = not spec.first_forms and spec.first_initial is None
                    if span == (start, end) and not one_word_entry:  # the surname alone
                        alone.setdefault(entry, set()).update(
                            self._specs[p[1]].entry for p in payloads if p[0] == _SURNAME)
                        self._keep(names, entry, (source_index, start, end))
                        continue
                full.add(entry)
                self._keep(names, entry, (source_index, span[0], span[1]))

    @staticmethod
    def _keep(names: dict, entry: int, position: tuple) -> None:
        previous = names.get(entry)
        if previous is None or (position[0], position[1], -position[2]) < (previous[0], previous[1], -previous[2]):
            names[entry] = position

    @staticmethod
    def _judge_topic(topic: TopicWatch, hits: list[tuple]) -> tuple | None:
        positives = [h for h in hits if h[3] != _NONE]
        negatives = [h for h in hits if h[3] == _NONE]
        masked: set[int] = set()
        for source, start, end, _, _ in negatives:
            overlapping = [i for i, h in enumerate(positives) if h[0] == source and h[1] < end and start < h[2]]
            if not overlapping:
                return None  # a `none` phrase on its own excludes the article
            masked.update(overlapping)
        kept = [h for i, h in enumerate(positives) if i not in masked]
        if topic.any and not any(h[3] == _ANY for h in kept):
            return None
        if topic.all and {h[4] for h in kept if h[3] == _ALL} != set(range(len(topic.all))):
            return None
        if not kept:
            return None
        first = min(kept, key=lambda h: (h[0], h[1], -h[2]))
        return first[0], first[1], first[2]


class _Context:
    """The words and initials right around one surname hit (computed once per hit)."""

    __slots__ = ("text", "norm", "start", "end", "left_initials", "left_words", "right_initials", "right_word",
                 "_sentence_initial")

    def __init__(self, text: str, norm: str, start: int, end: int) -> None:
        self.text, self.norm, self.start, self.end = text, norm, start, end
        lo = max(0, start - _CONTEXT)
        self.left_initials = None
        m = _LEFT_INITIALS.search(norm, max(0, start - 8), start)
        if m and text[m.start(1)].isupper():
            self.left_initials = (m.group(1), m.group(2), m.start())
        self.left_words: list[tuple[str, int, bool]] = []
        cursor = start
        for _ in range(3):
            m = _LEFT_WORD.search(norm, lo, cursor)
            if not m:
                break
            self.left_words.append((m.group(1), m.start(1), _is_titlecase_at(text, m.start(1), m.end(1))))
            cursor = m.start(1)
        hi = min(len(norm), end + _CONTEXT)
        self.right_initials = None
        m = _RIGHT_INITIALS.match(norm, end, min(hi, end + 8))
        if m and text[m.start(1)].isupper() and (m.end() >= len(norm) or not norm[m.end()].isalnum()):
            self.right_initials = (m.group(1), m.group(2), m.end())
        self.right_word = None
        m = _RIGHT_WORD.match(norm, end, hi)
        if m:
            self.right_word = (m.group(1), m.end(1), _is_titlecase_at(text, m.start(1), m.end(1)))
        self._sentence_initial = None

    @property
    def sentence_initial(self) -> bool:
        if self._sentence_initial is None:
            self._sentence_initial = _sentence_initial(self.text, self.start)
        return self._sentence_initial


def _initials_agree(spec: _NameSpec, first: str, patr: str | None) -> bool | None:
    """True/False when the spec knows the first initial; None when it cannot tell."""
    if spec.first_initial is None:
        return None
    if first != spec.first_initial:
        return False
    return not (patr and spec.patr_initial and patr != spec.patr_initial)


def _judge_name(spec: _NameSpec, ctx: _Context) -> tuple[int, int] | None:
    """The span of the mention around a surname hit, or None when it is not this person."""
    start, end = ctx.start, ctx.end
    has_first = bool(spec.first_forms) or spec.first_initial is not None
    # initials before: «А.В. Блошкин», «А. В. Блошкину»
    if ctx.left_initials:
        first, patr, at = ctx.left_initials
        agree = _initials_agree(spec, first, patr)
        if agree:
            return at, end
        if agree is False:
            return None
    # first name (patronymic / middle name) before: «Александру Блошкину», «Александр Владимирович Блошкин»
    words = ctx.left_words
    if words:
        w1, at1, cap1 = words[0]
        if w1 in spec.first_forms:
            return at1, end
        if len(words) > 1 and (w1 in spec.middle_forms or (cap1 and morph.is_patronymic(w1))):
            w2, at2, cap2 = words[1]
            if w2 in spec.first_forms:
                return at2, end
            if cap2 and has_first and morph.is_given_name(w2) and w2 not in spec.own_forms:
                return None
        if cap1 and w1 not in spec.own_forms and morph.is_given_name(w1) and morph.common_word_weight(w1) < 0.5:
            if has_first:
                return None  # «Ольга Блошкина» is not «Александр Блошкин»
            return at1, end  # the entry has no first name: any first name will do
    # first name or initials after: «Блошкиным Александром», «Блошкин А.В.»
    if ctx.right_word and ctx.right_word[0] in spec.first_forms:
        return start, ctx.right_word[1]
    if ctx.right_initials:
        first, patr, at = ctx.right_initials
        agree = _initials_agree(spec, first, patr)
        if agree is False:
            return None
        return start, at
    # alone
    if not spec.alone_ok:
        return None
    if ctx.right_word and ctx.right_word[2] and ctx.right_word[0] not in spec.own_forms:
        return None  # part of another proper name: «Бочаров Ручей», «Сергей Лавров» for the alias «Сергей»
    weight = morph.common_word_weight(ctx.norm[start:end])
    if weight > 0:
        if not ctx.text[start].isupper():
            return None
        if weight >= 0.5 and ctx.sentence_initial:
            return None
    return start, end


def _snippet(text: str, start: int, end: int) -> str:
    """The sentence (razdel) that contains text[start:end], searched in its paragraph (a sentence never
    spans a line break of the cleaned text), within a window around it."""
    lo = max(0, start - _SNIPPET_WINDOW, text.rfind("\n", 0, start) + 1)
    line_end = text.find("\n", end)
    hi = min(len(text), end + _SNIPPET_WINDOW, line_end if line_end >= 0 else len(text))
    window = text[lo:hi]
    for sentence in sentenize(window):
        if sentence.start <= start - lo < sentence.stop:
            return " ".join(window[sentence.start:max(sentence.stop, end - lo)].split())
        if sentence.start > start - lo:
            break
    return " ".join(text[start:end].split())
