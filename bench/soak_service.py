"""Soak test of ``dumawatch schedule``: run the real service for N minutes against a loopback site.

The cron fires every few seconds; the script samples the service process's resident memory (VmRSS
from /proc/PID/status) over time, then stops the service with SIGTERM and prints the figures: runs
made, whether any overlapped, exit code, and memory at start, end and peak; also the service's own peak
and the largest peak of one of its crawl processes (``VmHWM``, ``harness.PeakSampler``).

    python bench/soak_service.py --minutes 5 --every 5
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, PeakSampler, status_kb, tests_module

from crawler.commands.demo_server import serve_site

conftest = tests_module("conftest")  # the tests' sites and config writer
TEST_SITES, source_entry, write_config = conftest.TEST_SITES, conftest.source_entry, conftest.write_config


def rss_kib(pid: int) -> int:
    return status_kb(pid, ("VmRSS",)).get("VmRSS", 0)


def runs(state: Path) -> list[tuple[str, str, str]]:
    if not state.exists():
        return []
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute("SELECT started, finished, status FROM runs ORDER BY started, id").fetchall()
    except sqlite3.OperationalError:
        return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--every", type=int, default=5, help="cron interval in seconds")
    parser.add_argument("--sample", type=float, default=15.0, help="seconds between memory samples")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="dumawatch-soak-"))
    server = serve_site(TEST_SITES / "tverduma", host="127.0.0.240")
    config = write_config(directory, [source_entry(server, "tverduma")],
                          schedule={"cron": f"*/{args.every} * * * * *", "timezone": "Europe/Moscow"})
    service = subprocess.Popen([sys.executable, "-m", "crawler", "schedule", "--config", str(config)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = directory / "data" / "state.sqlite3"
    clock = time.monotonic()
    samples: list[tuple[float, int, int]] = []
    print(f"soak: service pid {service.pid}, cron every {args.every} s, {args.minutes} min, dir {directory}")
    print(f"{'elapsed s':>9}  {'service RSS MiB':>15}  {'runs':>5}")
    sampler = PeakSampler(service.pid).start()
    time.sleep(3)  # let the service import its modules: the first sample is its settled size
    try:
        while time.monotonic() - clock < args.minutes * 60:
            if service.poll() is not None:
                print(f"service died with exit {service.returncode}")
                return 1
            elapsed, rss, count = time.monotonic() - clock, rss_kib(service.pid), len(runs(state))
            samples.append((elapsed, rss, count))
            print(f"{elapsed:9.0f}  {rss / 1024:15.1f}  {count:5d}", flush=True)
            time.sleep(args.sample)
    finally:
        service.send_signal(signal.SIGTERM)
        code = service.wait(timeout=60)
        sampler.stop()
        server.stop()
    history = runs(state)
    overlaps = sum(1 for a, b in zip(history, history[1:], strict=False) if b[0] < a[1])
    statuses = sorted({status for _, _, status in history})
    rss = [s[1] for s in samples]
    print(f"\nran {time.monotonic() - clock:.0f} s; exit code {code}; {len(history)} runs "
          f"(statuses: {', '.join(statuses)}); overlapping runs: {overlaps}")
    print(f"service RSS: start {rss[0] / 1024:.1f} MiB, end {rss[-1] / 1024:.1f} MiB, "
          f"peak {max(rss) / 1024:.1f} MiB (first sample after {samples[0][0]:.0f} s)")
    print(f"peak memory (VmHWM): service {sampler.root_mb:.1f} MiB, largest crawl process "
          f"{sampler.descendant_mb:.1f} MiB ({sampler.descendants} child processes seen)")
    log = directory / "logs" / "dumawatch.log"
    print(f"log: {log} ({log.stat().st_size} bytes)")
    return 0 if code == 0 and overlaps == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
