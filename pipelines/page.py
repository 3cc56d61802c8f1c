"""One fetched article page as the stages see it: its html and URL, parsed once.

The stages (pipelines/stages.py) read the page's lxml tree from here instead of parsing the html again:
``tree`` is the page as fetched and is never changed; a stage that cuts the page down (clean drops menus and
«Другие новости» blocks) works on :meth:`Page.working_tree`, a copy. What one stage learns of the whole page
for a later one (the article-evidence signals) is kept here too, not in the item.
"""

from __future__ import annotations

import copy
from functools import cached_property

import lxml.etree
import lxml.html


def parse_page(html: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree (None when it is not HTML at all)."""
    try:
        return lxml.html.document_fromstring(html)
    except ValueError:  # a str with an XML encoding declaration
        try:
            return lxml.html.document_fromstring(html.encode("utf-8", "replace"),
                                                 parser=lxml.html.HTMLParser(encoding="utf-8"))
        except (ValueError, lxml.etree.ParserError):
            return None
    except lxml.etree.ParserError:
        return None


class Page:
    """A fetched page: ``html``, ``url``, the parsed ``tree`` (None when the html is not HTML), and ``signals``."""

    def __init__(self, html: str, url: str) -> None:
        self.html = html
        self.url = url
        self.signals: dict | None = None   # the article-evidence stage's view of the whole page (set by clean)

    @cached_property
    def tree(self) -> lxml.html.HtmlElement | None:
        """The page as fetched, parsed on first use; stages read it and never change it."""
        return parse_page(self.html)

    def working_tree(self) -> lxml.html.HtmlElement | None:
        """A copy of :attr:`tree` that a stage may cut down (copying costs about half a parse)."""
        return copy.deepcopy(self.tree) if self.tree is not None else None
