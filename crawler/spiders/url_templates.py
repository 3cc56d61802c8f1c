"""Each site's article URL template, learned from the pages it served.

A URL's *template* is its path and query with the variable parts generalised: digits become ``\\d+``,
a slug (three or more words joined by ``-``/``_``, or two in ten characters or more) becomes ``[^/]+`` (its ``.html`` kept), and query
values likewise, keys kept (``/news/\\d+/``, ``/Info\\.aspx\\?id=\\d+&type=news``, ``/politics/world/[^/]+``).

Every page fetched as an article candidate is a vote for its template: stored as an article (the page's
own evidence said news, ``pipelines/article_evidence.py``) or turned down as ``not_news``. The votes are
kept per source in the store (``url_templates`` table) across runs, and decide links before they are
fetched: a template that only ever led to news accepts a link wherever it stands; one that only ever led
to non-news pages (deputies, laws, stenograms…) skips it, which saves requests to a site that asked for
politeness. :func:`suggested_pattern` turns the news templates into an ``article_pattern`` regex for the
source entry (printed by ``dumawatch sources check``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.storage.url_templates import stored_url_template_votes

__all__ = ["LearnedTemplates", "learned_templates", "news_templates", "suggested_pattern", "template_of"]

DIGITS = re.compile(r"\d+")
SLUG = re.compile(r"^[^/]*?[\w%]+(?:[-_][\w%]+){2,}[^/]*$|^(?=[^/]{10,}$)[\w%]+(?:[-_][\w%]+)+$")
EXTENSION = re.compile(r"(\.(?:s?html?|php|aspx?|jsp|do))$", re.IGNORECASE)
WORD_VALUE = re.compile(r"^[A-Za-z_]{1,20}$")
TRUSTED_VOTES = 3           # news votes (and no not-news vote) before a template accepts links on its own
DISTRUSTED_VOTES = 3        # not-news votes (and no news vote) before a template skips links


def _segment(segment: str) -> str:
    segment = unquote(segment)
    if segment.isdigit():
        return r"\d+"
    ext = EXTENSION.search(segment)
    stem = segment[:ext.start()] if ext else segment
    suffix = re.escape(ext.group(1)) if ext else ""
    if SLUG.match(stem):
        return r"[^/]+" + suffix
    parts = DIGITS.split(stem)
    if len(parts) > 1:
        return r"\d+".join(re.escape(part) for part in parts) + suffix
    return re.escape(stem) + suffix


def template_of(url: str) -> str:
    """The URL's path-and-query template (a regex fragment, host left out)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    segments = path.split("/")
    template = "/".join(_segment(s) if s else "" for s in segments)
    query = []
    for key, value in sorted(parse_qsl(parts.query, keep_blank_values=True)):
        if value.isdigit():
            value_t = r"\d+"
        elif WORD_VALUE.match(value):
            value_t = re.escape(value)
        else:
            value_t = r"[^&]+"
        query.append(f"{re.escape(key)}={value_t}")
    return template + (r"\?" + "&".join(query) if query else "")


@dataclass
class LearnedTemplates:
    """The news / not-news votes of one source's templates: loaded from the store, added to by the run."""
    news: Counter = field(default_factory=Counter)
    not_news: Counter = field(default_factory=Counter)

    @classmethod
    def from_votes(cls, rows) -> LearnedTemplates:
        """The templates of a source as the store keeps them: (template, news votes, not-news votes) rows."""
        learned = cls()
        for template, news, not_news in rows:
            learned.news[template] += news
            learned.not_news[template] += not_news
        return learned

    def vote(self, url: str, is_news: bool) -> str:
        template = template_of(url)
        (self.news if is_news else self.not_news)[template] += 1
        return template

    def verdict(self, url: str) -> bool | None:
        """True: a news template; False: a template of non-news pages; None: not known well enough."""
        template = template_of(url)
        news, other = self.news[template], self.not_news[template]
        if news >= TRUSTED_VOTES and other == 0:
            return True
        if other >= DISTRUSTED_VOTES and news == 0:
            return False
        return None


def news_templates(news: Counter, not_news: Counter | None = None, min_votes: int = 2) -> list[str]:
    """The templates that led to news at least ``min_votes`` times and never to anything else."""
    not_news = not_news or Counter()
    return sorted(t for t, votes in news.items() if votes >= min_votes and not not_news.get(t))


def suggested_pattern(news: Counter, not_news: Counter | None = None, min_votes: int = 2) -> str:
    """An ``article_pattern`` regex matching the templates that led to news (and never to anything else).

    Templates with fewer than ``min_votes`` news pages are left out (a one-off page is no template); the
    result is ``""`` when nothing qualifies.
    """
    chosen = news_templates(news, not_news, min_votes)
    if not chosen:
        return ""
    def anchored(template: str) -> str:
        path, _, query = template.partition(r"\?")
        # the path ends where the URL's path ends (a trailing slash optional); the query may hold more keys
        start = r"^https?://[^/]+"
        return start + path.rstrip("/") + r"/?(?:\?|$)" if not query else start + path + r"\?" + query

    return "|".join(anchored(t) for t in chosen)


def learned_templates(state_url: str, source_ids: list[str]) -> dict[str, LearnedTemplates]:
    """The votes the crawls so far have kept in the store at ``state_url``, read without writing anything (no
    store, or one from before the table existed: nothing learned yet)."""
    return {source_id: LearnedTemplates.from_votes(rows)
            for source_id, rows in stored_url_template_votes(state_url, source_ids).items() if rows}
