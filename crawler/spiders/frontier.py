"""The crawl frontier: how far each listing's walk has got, so that no interruption loses older articles.

A listing is walked page by page. In the store (table ``walks``) each walk has a state: ``walking`` while
it is unfinished, else how its last walk ended: ``horizon`` (a page held nothing younger than the
source's ``max_age_days``), ``end`` (no next page, an empty page, or a page repeating the walk's own
entries), ``caught_up`` (a page whose entries were all stored before this run) or ``limit`` (the
source's ``max_listing_pages``).

- At the start of a run, every walk of the selected sources is marked ``walking`` (committed before any
  article of the run), and each walk ends with its outcome only when the run has finished. A run that is
  stopped, times out, crashes or is killed leaves its walks ``walking``.
- A walk that was ``walking`` (or never walked) is a *backfill*: it goes on past pages with nothing new,
  down to the horizon or the listing's end, so the next run finds every article the interrupted one did
  not store (including the articles of a commit group a SIGKILL lost: they are not in the store, so they
  are requested again). Only a walk whose last run finished stops at the first page with nothing new.
- A listing without dates beside its headlines learns the horizon from the articles it leads to: its next page
  is requested after the articles already queued, and the walk ends at the horizon once every dated article
  fetched from the previous page is older than ``max_age_days``. The decision waits until those articles have
  *settled* (stored, dropped or failed): with worker processes they are still being cleaned and dated when the
  next listing page arrives. A decision still waiting when the crawl falls idle (an article request that
  vanished without a word) is taken then, with what is known.
- "Nothing new" means "stored before this run": an entry another channel of this run (the feed, a sitemap,
  another listing) has queued or stored counts as new for the listing's decision (it is not requested
  twice), so the order in which a run parses its channels cannot end a pagination early.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.spiders.discovery import listing_base
from crawler.storage.store import Store
from crawler.storage.walks import record_walk_outcomes, start_walks

DONE_STATES = frozenset({"horizon", "end", "caught_up", "limit"})


def walk_key(source_id: str, url: str) -> str:
    """One key per listing of a source: every page of it (``?PAGEN_1=3``, ``/page/3/``) shares it."""
    return f"{source_id} {listing_base(url).lower()}"


@dataclass
class Walk:
    """One listing's walk in this run."""

    key: str
    source_id: str
    start_url: str
    backfill: bool                  # its last walk did not finish: the nothing-new stop does not apply
    pages: int = 0
    entries: set[str] = field(default_factory=set)  # URL keys of the articles its pages listed
    outcome: str = ""               # how it ended in this run (one of DONE_STATES), "" while it goes on
    # listings without dates beside their headlines: page number → for each article fetched from that page
    # and dated by the pipelines, whether it is older than the horizon
    fetched_old: dict[int, list[bool]] = field(default_factory=dict)

    def past_horizon(self, page_no: int) -> bool:
        """The articles fetched from the page before ``page_no`` that have a date are all older than the horizon."""
        dated = self.fetched_old.get(page_no - 1) or []
        return bool(dated) and all(dated)


@dataclass
class PageTally:
    """The article entries of one listing page, by what the run made of them."""

    walk: Walk | None = None
    page_no: int = 1
    keys: list[str] = field(default_factory=list)
    undated: int = 0     # new entries requested without a date beside them (their pages will tell)
    new: int = 0         # not stored before this run (queued now, or by another channel of this run)
    known: int = 0       # stored before this run
    too_old: int = 0     # older than the horizon (by the date beside the headline), not stored


class Frontier:
    """The walks of one run: loaded and marked unfinished at its start, saved when it has finished."""

    def __init__(self, store: Store, source_ids: list[str]) -> None:
        self.store = store
        self.walks: dict[str, Walk] = {}
        self.previous: dict[str, str] = {}
        # undated listings: (walk key, page number) → its article requests not settled yet; and the decisions
        # about a walk's next page, each held until the page before it has settled
        self.unsettled: Counter = Counter()
        self.held: dict[tuple[str, int], Callable[[], list]] = {}
        if not source_ids:
            return
        self.previous = start_walks(store, source_ids)

    def walk(self, source_id: str, url: str) -> Walk:
        """The walk the listing page at ``url`` belongs to (started now if it is its first page this run)."""
        key = walk_key(source_id, url)
        found = self.walks.get(key)
        if found is None:
            found = self.walks[key] = Walk(key, source_id, url, backfill=self.previous.get(key) not in DONE_STATES)
        return found

    def expect(self, walk_page: tuple[str, int]) -> None:
        """An article of an undated listing page (walk key, page number) was requested."""
        self.unsettled[walk_page] += 1

    def settle(self, walk_page: tuple[str, int]) -> Callable[[], list] | None:
        """One of that page's articles settled; the decision that waited for the page, when it was the last."""
        if self.unsettled[walk_page] > 0:
            self.unsettled[walk_page] -= 1
        return self.held.pop(walk_page, None) if self.unsettled[walk_page] == 0 else None

    def hold(self, walk: Walk, page_no: int, decision: Callable[[], list]) -> bool:
        """Hold the decision after page ``page_no`` until the page before it has settled; False: it has."""
        waiting_for = (walk.key, page_no - 1)
        if self.unsettled[waiting_for] == 0:
            return False
        self.held[waiting_for] = decision
        return True

    def release_all(self) -> list[Callable[[], list]]:
        """Every decision still held (the crawl is idle: nothing more will settle)."""
        held, self.held = list(self.held.values()), {}
        return held

    def next_step(self, walk: Walk, tally: PageTally, has_next: bool, page_no: int, max_pages: int) -> str:
        """After one page of ``walk``: "" to go on to the next page, else the outcome that ends the walk."""
        repeated = bool(tally.keys) and all(key in walk.entries for key in tally.keys)
        walk.pages += 1
        walk.entries.update(tally.keys)
        if not tally.keys or repeated:
            outcome = "end"
        elif not tally.new and tally.too_old or tally.undated and walk.past_horizon(page_no):
            outcome = "horizon"
        elif not tally.new and not walk.backfill:
            outcome = "caught_up"
        elif not has_next:
            outcome = "end"
        elif page_no >= max_pages:
            outcome = "limit"
        else:
            return ""
        walk.outcome = outcome
        return outcome

    def save(self) -> None:
        """Record how each walk of this finished run ended (walks that did not end stay unfinished)."""
        ended = [walk for walk in self.walks.values() if walk.outcome]
        if not ended:
            return
        record_walk_outcomes(self.store, [(walk.key, walk.source_id, walk.start_url, walk.outcome, walk.pages)
                                          for walk in ended])
