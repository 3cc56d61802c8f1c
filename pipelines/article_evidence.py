"""Is a fetched page a news article? Decided from the page itself, not from its URL.

A page is stored as an article only when it says so: one headline, a publication date (near the headline
or in its metadata), a body of running text, and not a list of links. Deputies lists, laws and other
legal acts, stenograms, rubric listings, contacts, galleries and forms are not news: the article-evidence
stage (pipelines/stages.py) drops them as :class:`NotNews`, counted in the source's ``not_news`` counter (the
run summary and ``runs.csv`` show it), so the source's profile can be fixed.

:func:`page_signals` reads what the decision needs from the whole page (before the clean stage cuts it down
to its body), :func:`add_listing_signal` whether its clean text is the teasers of a dated list (after);
:func:`judge` is the decision, a plain function of those signals and the clean title, text and date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from lxml import etree

from pipelines.errors import CountedDrop

__all__ = ["NotNews", "Verdict", "add_listing_signal", "judge", "page_signals"]

MIN_PROSE_CHARS = 150       # running text a news item has at least (a two-sentence notice)
MIN_HEADLINE_CHARS = 20     # a link text this long is a headline (menus are shorter)
LIST_LINES = 3              # lines of the body that are headlines of other pages: a listing
FORM_FIELDS = 5             # visible fields of one form (not comments, search, login): a form page
GALLERY_IMAGES = 12
SPEAKER_LINES = 5           # «ИВАНОВ И.И.:» lines: a stenogram
ARTICLE_LINES = 2           # «Статья 1.» lines: a legal act
MIN_LISTING_ITEMS = 3       # link headlines a page needs before its text is looked for in list rows
LONG_LINE = 60              # the text's lines looked for in list rows are at least this long…
CHECKED_LINES = 3           # …and the first three of them
OPENING = 30                # found by their first 30 characters
ROW_LEVELS = 4
LONG_OWN_TEXT = etree.XPath(f".//*[self::p or self::div or self::span or self::td or self::li or self::dd]"
                            f"[string-length(text()) >= {OPENING}]")

SECTION_TITLE = re.compile(
    r"^(?:депутаты|депутатский корпус|состав(?:\s+\S+){0,3}|контакты|контактная информация|при[её]мная|"
    r"интернет-при[её]мная|структура|руководство|комитеты|комиссии|документы|законы|законодательство|"
    r"нормативные (?:правовые )?акты|постановления|стенограммы|протоколы|"
    r"фото|видео|фотогалерея|видеогалерея|галерея|медиа|обращения граждан|"
    r"карта сайта|поиск|о (?:думе|парламенте|собрании)|история|символика|вакансии|полезные ссылки)\.?$",
    re.IGNORECASE,
)
DOCUMENT_TITLE = re.compile(
    r"^(?:стенограмма|протокол|повестка|план работы|фотогалерея|фотоальбом|фоторепортаж:?$|"
    r"(?:закон|постановление|решение|распоряжение|приказ|указ)\b.{0,200}№)",
    re.IGNORECASE,
)
PERSON_NAME = re.compile(
    r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|ична|ич|оглы|кызы)$")
SPEAKER_LINE = re.compile(r"^(?:(?i:председательствующий)\s*[.:]|[А-ЯЁ]{3,}(?:\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.\s*[.:]?|\s*[.:]))")
ARTICLE_LINE = re.compile(r"^статья\s+\d+\.?", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?…»\"]\s*$|[.!?…]\s+[А-ЯЁA-Z«\"]")
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
                 "report", "pressrelease"}
NUMERIC_DATE = re.compile(r"\d[./]\d\d?[./]\d\d")
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
MONTHS_GENITIVE = (" января", " февраля", " марта", " апреля", " мая", " июня", " июля", " августа", " сентября",
                   " октября", " ноября", " декабря")
NON_FIELD_INPUTS = {"hidden", "submit", "button", "image", "reset"}
# forms an article page carries too: comments, search, subscription, login
SIDE_FORM = re.compile(r"comment|reply|search|poisk|subscri|login|auth|regist|vote|poll|opros", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    is_news: bool
    reason: str = ""    # why not, for the run's details ("a deputies list", "no publication date"…)


class NotNews(CountedDrop):
    """The page is not a news article (a list, a document, a form…): counted as ``not_news``, not stored."""

    counter = "not_news"


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _json_ld_types(tree) -> set[str]:
    found: set[str] = set()
    for script in JSON_LD(tree):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("@type")
                for value in kind if isinstance(kind, list) else [kind]:
                    if isinstance(value, str):
                        found.add(value.casefold())
                stack.extend(v for v in node.values() if isinstance(v, list | dict))
    return found


ARTICLE_MARKS = etree.XPath("//meta[@property='og:type']/@content | //*[@itemtype]/@itemtype")
PUBLISHED_META = etree.XPath("boolean(//meta[@property='article:published_time' or @itemprop='datePublished'])")
JSON_LD = etree.XPath("//script[@type='application/ld+json']")


def page_signals(tree) -> dict:
    """What the decision needs from the whole page (call before the clean stage changes the tree)."""
    marks = " ".join(ARTICLE_MARKS(tree)).casefold()   # og:type and itemtype values
    article_markup = (
        "article" in marks.split()
        or any(kind in marks for kind in ("schema.org/newsarticle", "schema.org/article", "schema.org/blogposting"))
        or PUBLISHED_META(tree)
        or bool(_json_ld_types(tree) & ARTICLE_TYPES)
    )
    fields = 0
    for form in tree.iter("form"):
        marks = " ".join(form.get(attr) or "" for attr in ("id", "class", "name", "action"))
        if SIDE_FORM.search(marks) or form.xpath(".//textarea[contains(@name, 'comment')]"):
            continue
        count = sum(1 for field in form.iter("input", "textarea", "select")
                    if field.tag != "input" or (field.get("type") or "text").lower() not in NON_FIELD_INPUTS)
        fields = max(fields, count)
    headlines = set()
    for anchor in tree.iter("a"):
        text = _fold((anchor.text or "") if len(anchor) == 0 else anchor.text_content())
        if len(text) >= MIN_HEADLINE_CHARS:
            headlines.add(text)
    body = tree.find("body")
    return {
        "article_markup": article_markup,
        "form_fields": fields,
        "images": sum(1 for _ in body.iter("img")) if body is not None else 0,
        "link_headlines": headlines,
    }


def _has_date(text: str) -> bool:
    """Does the text hold a date (numeric, ISO, «3 ноября»)? A cheap test, not a parse."""
    return NUMERIC_DATE.search(text) is not None or ISO_DATE.search(text) is not None or any(
        month in text for month in MONTHS_GENITIVE)


def add_listing_signal(signals: dict, tree, text: str) -> None:
    """Does the clean ``text`` stand in the rows of a dated list (a rubric listing's teasers), in ``tree`` as the
    clean stage leaves it (its «Другие новости» blocks dropped)? Looked at only when the page has enough link
    headlines for such a list: each of the text's first long lines is found by its opening words, and its row
    checked (one headline link, a date, and siblings of the same kind that link elsewhere)."""
    signals["text_in_list"] = False
    if len(signals.get("link_headlines") or ()) < MIN_LISTING_ITEMS:
        return
    lines = [line for line in text.split("\n") if len(line) >= LONG_LINE][:CHECKED_LINES]
    body = tree.find("body")
    if not lines or body is None:
        return
    openings = {line[:OPENING] for line in lines}
    in_rows = 0
    for element in LONG_OWN_TEXT(body):
        own = element.text or ""
        if " ".join(own[:2 * OPENING].split())[:OPENING] in openings and _in_list_row(element):
            in_rows += 1
    signals["text_in_list"] = in_rows * 2 > len(lines)


def _in_list_row(element) -> bool:
    """Is the element inside an item of a dated list: an ancestor among at least two siblings of its kind (tag
    and class) that holds one link and a date, its siblings holding links too?"""
    node = element
    for _ in range(ROW_LEVELS):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return False
        container = parent.getparent()
        node = parent
        if container is None:
            return False
        kind = (node.tag, node.get("class"))
        alike = [s for s in container if s is not node and (s.tag, s.get("class")) == kind]
        if len(alike) < 2:
            continue  # no repeated items at this level (cheap): climb on
        hrefs = {a.get("href") for a in node.iter("a") if a.get("href")}
        return len(hrefs) == 1 and _has_date(node.text_content()) and all(
            next(s.iter("a"), None) is not None for s in alike[:3])
    return False


def judge(signals: dict, title: str, text: str, published_at: str, listed: bool = False) -> Verdict:
    """Does the page say it is a news article? ``signals`` from :func:`page_signals`; the rest as cleaned.

    ``listed``: the link stood in a news listing block, a feed or a dated sitemap, which vouches for a page
    that prints no date of its own (it is stored undated).
    """
    headline = " ".join((title or "").split()).strip(" .")
    if SECTION_TITLE.match(headline):
        return Verdict(False, f"a section page («{headline}»)")
    if DOCUMENT_TITLE.match(headline):
        return Verdict(False, f"a document, not news («{headline[:60]}»)")
    if PERSON_NAME.match(headline):
        return Verdict(False, f"a person's page («{headline}»)")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    headlines = signals.get("link_headlines") or set()
    linked = [line for line in lines if _fold(line) in headlines and _fold(line) != _fold(headline)]
    if len(linked) >= LIST_LINES and sum(map(len, linked)) * 4 >= sum(map(len, lines)):
        return Verdict(False, f"a list of links ({len(linked)} headlines of other pages)")
    if sum(1 for line in lines if SPEAKER_LINE.match(line)) >= SPEAKER_LINES:
        return Verdict(False, "a stenogram")
    if sum(1 for line in lines if ARTICLE_LINE.match(line)) >= ARTICLE_LINES:
        return Verdict(False, "a legal act («Статья 1.»…)")
    if signals.get("text_in_list"):
        return Verdict(False, "a listing (its text is the teasers of a dated list)")
    prose = sum(len(line) for line in lines if len(line.split()) >= 8 and SENTENCE_END.search(line))
    if prose < MIN_PROSE_CHARS:
        if signals.get("images", 0) >= GALLERY_IMAGES:
            return Verdict(False, "a gallery (images, no running text)")
        return Verdict(False, "no running text")
    if signals.get("form_fields", 0) >= FORM_FIELDS and prose < 600:
        return Verdict(False, "a form")
    if not published_at and not signals.get("article_markup") and not listed:
        return Verdict(False, "no publication date")
    return Verdict(True)
