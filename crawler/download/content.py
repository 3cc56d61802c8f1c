"""What a fetched body really is: binary files served as ``text/html``, and the charset a Russian page really uses.

Regional sites lie about their content: PDFs and images go out as ``text/html``, pages saved in
windows-1251 are declared UTF-8 (and the other way round, after a CMS migration), and some pages mix
both (a UTF-8 template around a windows-1251 news text). The rules, in order:

1. a byte-order mark decides (Scrapy already honours it);
2. a body whose non-ASCII bytes are valid UTF-8 is UTF-8, whatever the header says (a windows-1251 or
   KOI8-R text of any length is never valid UTF-8 by accident);
3. a body declared UTF-8 (or undeclared) that is not valid UTF-8 is read as UTF-8 where it is, and each
   invalid run as the legacy Cyrillic code page it looks like (windows-1251 or KOI8-R, told apart by
   which byte range carries the lowercase letters);
4. otherwise the declared charset stands.
"""

from __future__ import annotations

import codecs
import re

from pipelines.markup import CONTROL_CHARS

BINARY_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"RIFF", "a media file"),
    (b"\x00\x00\x00", "a media file"),
)
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
UTF8_NAMES = {"utf-8", "utf8", "utf_8", "ascii", "us-ascii", "cp65001"}
NON_ASCII = re.compile(rb"[\x80-\xff]")
SNIFF_BYTES = 4096
MAX_BINARY_SHARE = 0.1   # share of NUL and C0 control bytes above which a "page" is a binary file
CONTROL_BYTES = bytes(range(9)) + bytes(range(14, 32))  # C0 controls but tab, line feed, VT, form feed, CR


def binary_kind(body: bytes) -> str | None:
    """What binary file ``body`` is ("a PDF document"...), or None when it may be a text page."""
    head = body[:SNIFF_BYTES]
    stripped = head.lstrip()
    for magic, kind in BINARY_MAGIC:
        if stripped.startswith(magic):
            return kind
    if head.startswith(BOMS[1:]):
        return None  # UTF-16 text has NULs everywhere
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))  # counted in C: this runs on every page
    if head and controls / len(head) > MAX_BINARY_SHARE:
        return "a binary file"
    return None


def _legacy_cyrillic(data: bytes) -> str:
    """windows-1251 or KOI8-R: in running Russian text most letters are lowercase.

    Lowercase letters are bytes 0xE0-0xFF in windows-1251 and 0xC0-0xDF in KOI8-R (and the other way
    round for capitals).
    """
    high = sum(1 for byte in data if byte >= 0xE0)
    low = sum(1 for byte in data if 0xC0 <= byte < 0xE0)
    return "cp1251" if high >= low else "koi8_r"


def _normalised(encoding: str | None) -> str:
    if not encoding:
        return ""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


def _invalid_runs(body: bytes) -> list[tuple[int, int]]:
    """(start, end) of each run of bytes that is not valid UTF-8."""
    runs, position = [], 0
    while position < len(body):
        try:
            body[position:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            start, end = position + exc.start, position + exc.end
            while end < len(body) and body[end] >= 0x80 and not _starts_utf8(body, end):
                end += 1
            runs.append((start, end))
            position = end
    return runs


def decode_page(body: bytes, declared: str | None) -> tuple[str, str] | None:
    """(text, encoding used) when the rules above override ``declared``; None when it stands."""
    if body.startswith(BOMS) or not NON_ASCII.search(body):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return None if _normalised(declared) == "utf-8" else (text, "utf-8")
    if declared and _normalised(declared) not in UTF8_NAMES and _normalised(declared) != "utf-8":
        return None  # a legacy charset was declared and the bytes are not UTF-8: believe it
    runs = _invalid_runs(body)
    legacy_bytes = b"".join(body[start:end] for start, end in runs)
    legacy = _legacy_cyrillic(legacy_bytes)
    high = len(NON_ASCII.findall(body))
    if len(legacy_bytes) * 2 >= high:
        # mostly legacy: the few "valid UTF-8" pairs are accidents of the legacy code page (KOI8-R «дё»)
        return body.decode(legacy, errors="replace"), legacy
    pieces, position = [], 0
    for start, end in runs:
        pieces.append(body[position:start].decode("utf-8"))
        pieces.append(body[start:end].decode(legacy, errors="replace"))
        position = end
    pieces.append(body[position:].decode("utf-8"))
    return "".join(pieces), "utf-8+" + legacy


def _starts_utf8(body: bytes, index: int) -> bool:
    """Does a valid UTF-8 multi-byte sequence start at ``index``?"""
    for length in (2, 3, 4):
        try:
            body[index:index + length].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)\b[^>]*?(/?)>")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
        "wbr", "p", "li", "option", "td", "tr", "th"}  # void, or closed implicitly so often they mislead depth
MAX_DEPTH = 200


def sanitize_markup(html: str, max_depth: int = MAX_DEPTH) -> str:
    """The page without control characters (NULs become U+FFFD in lxml) and with nesting capped.

    libxml2 stops parsing at 256 levels, trafilatura recurses: a page nested 10,000 deep would lose
    its text. Tags opened deeper than ``max_depth`` are dropped together with their closing tags;
    the text inside them stays.
    """
    html = CONTROL_CHARS.sub("", html)
    if html.count("<") < max_depth:
        return html
    out, position, depth, skipped = [], 0, 0, 0
    changed = False
    for match in TAG.finditer(html):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in VOID or self_closing:
            continue
        if not closing:
            if depth >= max_depth:
                out.append(html[position:match.start()])
                position, skipped, changed = match.end(), skipped + 1, True
            else:
                depth += 1
        elif skipped:
            out.append(html[position:match.start()])
            position, skipped = match.end(), skipped - 1
        else:
            depth = max(0, depth - 1)
    if not changed:
        return html
    out.append(html[position:])
    return "".join(out)
