"""Shared pieces of the benchmark scripts: the crawl's pipeline chain over a real store, a measured
subprocess (wall time, CPU time, each process's own peak memory), tables, JSON.

``PipelineChain`` runs the crawl's own chain around a real :class:`crawler.storage.store.Store`: the page stages
(``pipelines/stages.py``), then the dedupe and store pipelines. ``feed(item)`` runs one item through it the way
the crawl does (a ``DropItem`` ends it).

``tests_module(name)`` imports a helper module of ``tests/`` (a site generator, the tests' config writer) by
its file path: ``tests/`` is not a package and not on ``sys.path``.

Peak memory of a subprocess is read by :class:`PeakSampler` from ``VmHWM`` in ``/proc/<pid>/status`` of the
process and of each of its descendants (the crawl's worker processes), not from ``ru_maxrss``: on Linux a
child's ``ru_maxrss`` starts from the peak of the process that started it, so a benchmark script that grew
first (a filled store, a generated site) would be measuring itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from scrapy.exceptions import DropItem

from crawler.config import Source, usable_cores
from crawler.items import ArticleItem
from crawler.storage.store import Store
from pipelines.dedupe import DedupePipeline
from pipelines.stages import PageStages
from pipelines.store import StorePipeline

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"


class PipelineChain:
    """The crawl's chain over a real store: the page stages, then dedupe and store, as ``crawler/settings.py``
    wires them (the stages as the worker processes run them; dedupe and store as the crawl process does)."""

    def __init__(self, store: Store, sources: dict[str, Source], watchlist: dict) -> None:
        self.stages = PageStages(sources, watchlist, "bench-watchlist")
        self.pipelines = [DedupePipeline(store), StorePipeline(store)]
        self.dropped: Counter = Counter()
        self.stage_seconds: Counter = Counter()  # CPU seconds per stage / pipeline, when fed with timed=True

    def feed(self, fields: dict, timed: bool = False) -> ArticleItem | None:
        item = ArticleItem(**fields)
        seconds: dict[str, float] | None = {} if timed else None
        try:
            item = self.stages.run(item, seconds)
            for pipeline in self.pipelines:
                started = time.process_time()
                try:
                    item = pipeline.process_item(item)
                finally:
                    if seconds is not None:
                        seconds[type(pipeline).__name__] = time.process_time() - started
        except DropItem as exc:
            self.dropped[type(exc).__name__] += 1
            return None
        finally:
            if seconds is not None:
                self.stage_seconds.update(seconds)
        return item


def sources_for(sites) -> dict[str, Source]:
    return {site.source_id: Source(id=site.source_id, name=site.name, url=f"http://127.0.0.{site.index + 2}:8000/",
                                   timezone=site.timezone, region="Тестовая область") for site in sites}


def tests_module(name: str) -> ModuleType:
    """The module ``tests/<name>.py``, imported by its path (once; as ``tests_<name>`` in ``sys.modules``)."""
    key = f"tests_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / "tests" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def status_kb(pid: int, fields: tuple[str, ...]) -> dict[str, int]:
    """The ``fields`` (e.g. ``VmHWM``) of ``/proc/<pid>/status``, in KB; empty once the process is gone."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in fields:
                values[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return values


def _descendants(pid: int) -> list[int]:
    """The process's children, their children and so on (from ``/proc/<pid>/task/*/children``)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            found += children
            todo += children
    return found


class PeakSampler:
    """Each process's own peak memory in a process tree: the root (a crawl) and its descendants (its workers).

    A thread reads ``VmHWM`` (the kernel's high-water mark of the process's resident set) of the root and of
    every descendant every ``interval`` seconds and keeps the last reading per pid; ``VmHWM`` only grows, so
    the last reading is the peak up to the last ``interval`` before the process exits (a process that lives
    less than ``interval`` may be missed). It also keeps the largest sum of ``VmRSS`` over the tree seen in
    one sample (pages shared between processes are counted in each). Linux only: elsewhere every figure is 0.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peaks_kb: dict[int, int] = {}
        self.tree_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"peak-sampler-{pid}", daemon=True)

    def start(self) -> PeakSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> PeakSampler:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        tree = 0
        for pid in [self.pid, *_descendants(self.pid)]:
            status = status_kb(pid, ("VmHWM", "VmRSS"))
            if "VmHWM" in status:
                self.peaks_kb[pid] = status["VmHWM"]
                tree += status.get("VmRSS", 0)
        self.tree_kb = max(self.tree_kb, tree)

    @property
    def root_mb(self) -> float:
        """The root process's own peak, in MB."""
        return self.peaks_kb.get(self.pid, 0) / 1024

    @property
    def descendant_mb(self) -> float:
        """The largest peak among the root's descendants (e.g. one worker process), in MB; 0 if none."""
        return max((kb for pid, kb in self.peaks_kb.items() if pid != self.pid), default=0) / 1024

    @property
    def descendants(self) -> int:
        return len(self.peaks_kb) - (self.pid in self.peaks_kb)

    @property
    def tree_mb(self) -> float:
        """The largest summed resident set of the whole tree seen in one sample, in MB."""
        return self.tree_kb / 1024


def run_measured(command: list[str], timeout: float = 900, cwd: Path = ROOT) -> dict:
    """Run ``command`` (in ``cwd``) and measure it.

    Returns its wall time, exit code, CPU time (its own and its waited-for children's, from ``os.wait4``),
    ``peak_mb`` (the process's own peak), ``workers_peak_mb`` (the largest peak of one of its descendants),
    ``descendants`` (how many were seen: the worker processes, and multiprocessing's resource tracker) and
    ``tree_rss_mb`` (see :class:`PeakSampler`).
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = started + timeout
    with PeakSampler(process.pid) as sampler:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                raise TimeoutError(" ".join(command))
            time.sleep(0.02)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.communicate()
    if process.returncode != 0:
        print(out.decode(errors="replace")[-2000:], err.decode(errors="replace")[-4000:], file=sys.stderr)
    return {"wall_s": wall, "rc": process.returncode, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": sampler.root_mb, "workers_peak_mb": sampler.descendant_mb,
            "descendants": sampler.descendants,
            "tree_rss_mb": sampler.tree_mb, "stderr": err.decode(errors="replace")[-2000:]}


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print("  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                               enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"benchmark": name, "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                        "cores": usable_cores()}, **data}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return path

