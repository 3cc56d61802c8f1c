"""Unit tests of pipelines.clean's own helpers: the shortcuts they take give the plain definitions' results.

``drop_related_blocks``, ``paragraph_cluster`` and ``tidy`` avoid work (XPath text reads, whole-text
scans, regular expressions) where the answer is known without it; random markup checks them against the
straightforward definitions kept here.
"""

from __future__ import annotations

import re

import lxml.etree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.clean import (
    LONG_PARAGRAPH,
    MAX_BLOCK_CHARS,
    MAX_UNLINKED_CHARS,
    RELATED_HEADING,
    drop_related_blocks,
    paragraph_cluster,
    parse_page,
    tidy,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPACES = re.compile(r"[ \t\u00a0\u200b]+")


# -- the plain definitions ------------------------------------------------------------------------------


def plain_drop_related_blocks(tree) -> int:
    def unlinked(element) -> int:
        text = len(" ".join(element.text_content().split()))
        return text - sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))

    def holds_article_text(element) -> bool:
        return unlinked(element) > MAX_UNLINKED_CHARS or any(
            len(p.text_content()) >= LONG_PARAGRAPH for p in element.iter("p"))

    removed = 0
    for heading in list(tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "b", "strong", "div", "span", "td", "p")):
        if heading.getparent() is None or len(heading) > 2:
            continue
        if not RELATED_HEADING.match(heading.text_content() or ""):
            continue
        block = heading
        while True:
            parent = block.getparent()
            if parent is None or parent.tag in ("body", "html") or holds_article_text(parent) \
                    or len(parent.text_content()) > MAX_BLOCK_CHARS or len(parent.xpath(".//h1")) > 0:
                break
            block = parent
        if block is not heading and block.getparent() is not None:
            block.drop_tree()
            removed += 1
    return removed


def plain_paragraph_cluster(tree) -> str:
    best, best_size = None, 0
    for element in tree.iter():
        paragraphs = [child for child in element if child.tag == "p"]
        size = sum(len(p.text_content()) for p in paragraphs)
        if size > best_size:
            best, best_size = paragraphs, size
    return tidy("\n".join(p.text_content() for p in best)) if best else ""


def plain_tidy_line(line: str) -> str:
    return SPACES.sub(" ", line).strip()


# -- random pages ---------------------------------------------------------------------------------------

HEADINGS = st.sampled_from(["Другие новости", "Читайте также:", "ПОСЛЕДНИЕ ЗАПИСИ", "  новости \n", "Популярное",
                            "Новости по теме", "Лента новостей", "Все новости", "\u00a0Другие\u00a0новости\u00a0",
                            "Другие новости и события"])
WORDS = st.sampled_from(["депутат", "дума", "закон", "бюджет", "комитет", "заседание", "1 ноября 2022", " ",
                         "\u00a0", "\t", "  ", "\u200b", "\n"])
TEXT = st.lists(WORDS, max_size=90).map(" ".join)
TAGS = st.sampled_from(["div", "div", "td", "span", "p", "b", "strong", "h3", "section", "li", "table", "tr"])


@st.composite
def block(draw, depth: int = 0) -> str:
    choice = draw(st.integers(0, 9 if depth < 5 else 5))
    if choice == 0:
        return f"<p>{draw(TEXT)}</p>"
    if choice == 1:
        return "<p>один и тот же абзац</p>"  # equal clusters: the first one wins
    if choice == 2:
        return f"<a href='/news/{draw(st.integers(1, 9))}/'>{draw(TEXT)}</a>"
    if choice == 3:
        return f"<{draw(TAGS)}>{draw(HEADINGS)}</{draw(TAGS)}>"
    if choice == 4:
        return draw(st.sampled_from(["<h1>Заголовок статьи</h1>", "<!-- комментарий -->", "<br>"]))
    if choice == 5:
        return draw(TEXT)
    tag = draw(TAGS)
    inner = "".join(draw(st.lists(block(depth + 1), min_size=1, max_size=4)))
    lead = draw(st.one_of(st.just(""), st.just("текст"), HEADINGS))
    return f"<{tag}>{lead}{inner}</{tag}>{draw(st.sampled_from(['', ' ', 'хвост']))}"


PAGES = st.lists(block(), min_size=1, max_size=4).map(lambda blocks: f"<html><body>{''.join(blocks)}</body></html>")


@SETTINGS
@given(PAGES)
def test_drop_related_blocks_as_defined(html):
    ours, plain = parse_page(html), parse_page(html)
    assert drop_related_blocks(ours) == plain_drop_related_blocks(plain)
    assert lxml.etree.tostring(ours, encoding=str) == lxml.etree.tostring(plain, encoding=str)


@SETTINGS
@given(PAGES)
def test_paragraph_cluster_as_defined(html):
    assert paragraph_cluster(parse_page(html)) == plain_paragraph_cluster(parse_page(html))


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("аб x\t\u00a0\u200b\u2003\r\n\x00")), max_size=40))
def test_tidy_as_defined(text):
    lines = (plain_tidy_line(line) for line in text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
             .split("\n"))
    assert tidy(text) == "\n".join(line for line in lines if line)


# -- examples -------------------------------------------------------------------------------------------


def test_related_block_dropped_article_kept():
    article = "".join(f"<p>Абзац статьи номер {n}, в котором депутаты обсуждают бюджет области.</p>" for n in range(9))
    side = "".join(f'<div><span>0{n}.11.2022</span><a href="/n/{n}">Заголовок другой новости {n}</a></div>'
                   for n in range(1, 6))
    tree = parse_page(f"<html><body><div><div><h1>Заголовок</h1>{article}</div>"
                      f"<div class='sidebar'><h3>Другие новости</h3>{side}</div></div></body></html>")
    assert drop_related_blocks(tree) == 1
    assert tree.find(".//h3") is None and len(tree.findall(".//p")) == 9


def test_paragraph_cluster_first_of_equal_clusters_wins():
    tree = parse_page("<html><body><div><div><p>второй</p></div><p>первый</p></div><div><p>третий</p></div>"
                      "</body></html>")
    # three clusters of 6 letters: the outer <div>, first in document order (though its <p> comes later), wins
    assert paragraph_cluster(tree) == "первый"


def test_tidy_folds_spaces():
    assert tidy("  Депутаты\u00a0\u00a0обсудили \t бюджет \n\n  области  ") == "Депутаты обсудили бюджет\nобласти"


def test_table_cell_body_is_taken_only_from_a_table_cell():
    from pipelines.clean import extract, paragraph_cluster, parse_page

    body = "".join(f"<p>Депутаты обсудили вопрос номер {n} о ремонте сельских дорог и мостов в районах области.</p>"
                   for n in range(5))
    table_page = ("<html><body><table><tr><td><a href='/'>Главная</a></td>"
                  f"<td>{body}</td></tr></table></body></html>")
    div_page = f"<html><body><div id='menu'><a href='/'>Главная</a></div><div>{body}</div></body></html>"
    assert "вопрос номер 4" in paragraph_cluster(parse_page(table_page), only_in_table_cell=True)
    assert paragraph_cluster(parse_page(div_page), only_in_table_cell=True) == ""
    assert paragraph_cluster(parse_page(div_page)).count("\n") == 4
    _title, text = extract(table_page, "http://duma.example/news.php?id=1")
    assert text.splitlines()[0].startswith("Депутаты обсудили вопрос номер 0") and "Главная" not in text
