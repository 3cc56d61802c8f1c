"""The watchlist: people and topics to flag in articles, loaded from the parsed ``watchlist.yaml``.

Format::

    names:
      - name: Александр Блошкин        # canonical name (required)
        aliases: [Блошкин А.В.]         # optional: other ways to write the name
        surname_alone: true             # optional, default true: match the surname without first name/initials
    topics:
      - name: Память о Сталинградской битве
        keywords: [Сталинградская битва, Сталинградская победа]
      - name: Газификация
        any: [газификация, газоснабжение]
        none: [газификация Европы]

A topic needs at least one of ``keywords``, ``any`` or ``all`` (``keywords`` and ``any`` are synonyms and may
not be given together); ``none`` is optional. Their meaning is documented in :mod:`pipelines.matcher`.

:func:`load_watchlist` validates everything and raises :class:`crawler.errors.ConfigError` with one line naming
the file, the entry and the problem, e.g.
``config/watchlist.yaml: names[2] (Ольга Пыжова): unknown key 'alias'``. An empty watchlist is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.errors import ConfigError

_NAME_KEYS = frozenset({"name", "aliases", "surname_alone"})
_TOPIC_KEYS = frozenset({"name", "keywords", "any", "all", "none"})
_TOP_KEYS = frozenset({"names", "topics"})


@dataclass(frozen=True)
class NameWatch:
    name: str
    aliases: tuple[str, ...] = ()
    surname_alone: bool = True


@dataclass(frozen=True)
class TopicWatch:
    name: str
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()


@dataclass(frozen=True)
class Watchlist:
    names: tuple[NameWatch, ...] = field(default_factory=tuple)
    topics: tuple[TopicWatch, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.names) + len(self.topics)


def _where(section: str, index: int, entry: object) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    label = f" ({name.strip()})" if isinstance(name, str) and name.strip() else ""
    return f"{section}[{index}]{label}"


def _string(value: object, path: str, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {where}: '{key}' must be a string, not {type(value).__name__}")
    text = " ".join(value.split())
    if not text:
        raise ConfigError(f"{path}: {where}: '{key}' is empty")
    return text


def _strings(value: object, path: str, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {where}: '{key}' must be a list of strings, not {type(value).__name__}")
    return tuple(_string(item, path, where, f"{key}[{i}]") for i, item in enumerate(value))


def _check_keys(entry: dict, allowed: frozenset[str], path: str, where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise ConfigError(f"{path}: {where}: unknown key '{key}' (expected one of: {', '.join(sorted(allowed))})")


def _entries(data: dict, section: str, path: str) -> list:
    entries = data.get(section)
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: '{section}' must be a list, not {type(entries).__name__}")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: {section}[{i}]: must be a mapping with a 'name', not {type(entry).__name__}")
    return entries


def _load_name(entry: dict, path: str, where: str) -> NameWatch:
    _check_keys(entry, _NAME_KEYS, path, where)
    if "name" not in entry:
        raise ConfigError(f"{path}: {where}: missing 'name'")
    name = _string(entry["name"], path, where, "name")
    aliases = _strings(entry.get("aliases", []) or [], path, where, "aliases")
    surname_alone = entry.get("surname_alone", True)
    if not isinstance(surname_alone, bool):
        raise ConfigError(f"{path}: {where}: 'surname_alone' must be true or false, not {surname_alone!r}")
    if not any(ch.isalpha() for ch in name):
        raise ConfigError(f"{path}: {where}: 'name' has no letters")
    return NameWatch(name=name, aliases=aliases, surname_alone=surname_alone)


def _load_topic(entry: dict, path: str, where: str) -> TopicWatch:
    _check_keys(entry, _TOPIC_KEYS, path, where)
    if "name" not in entry:
        raise ConfigError(f"{path}: {where}: missing 'name'")
    name = _string(entry["name"], path, where, "name")
    if "keywords" in entry and "any" in entry:
        raise ConfigError(f"{path}: {where}: 'keywords' and 'any' mean the same; give only one of them")
    lists = {key: _strings(entry[key], path, where, key) if entry.get(key) is not None else ()
             for key in ("keywords", "any", "all", "none")}
    any_ = lists["keywords"] or lists["any"]
    if not any_ and not lists["all"]:
        raise ConfigError(f"{path}: {where}: needs 'keywords', 'any' or 'all' with at least one phrase")
    return TopicWatch(name=name, any=any_, all=lists["all"], none=lists["none"])


def load_watchlist(data: dict | None, path: str) -> Watchlist:
    """Validate the parsed watchlist YAML (``None`` or ``{}`` is an empty watchlist)."""
    if data is None:
        return Watchlist()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the watchlist must be a mapping with 'names' and/or 'topics'")
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(f"{path}: unknown key '{key}' (expected 'names' and/or 'topics')")
    names: list[NameWatch] = []
    seen: dict[str, str] = {}
    for i, entry in enumerate(_entries(data, "names", path)):
        where = _where("names", i, entry)
        watch = _load_name(entry, path, where)
        key = watch.name.casefold().replace("ё", "е")
        if key in seen:
            raise ConfigError(f"{path}: {where}: duplicate name (already {seen[key]})")
        seen[key] = where.split(" ")[0]
        names.append(watch)
    topics: list[TopicWatch] = []
    seen_topics: dict[str, str] = {}
    for i, entry in enumerate(_entries(data, "topics", path)):
        where = _where("topics", i, entry)
        topic = _load_topic(entry, path, where)
        key = topic.name.casefold().replace("ё", "е")
        if key in seen_topics:
            raise ConfigError(f"{path}: {where}: duplicate topic name (already {seen_topics[key]})")
        seen_topics[key] = where.split(" ")[0]
        topics.append(topic)
    return Watchlist(names=tuple(names), topics=tuple(topics))
