"""Render benchmark: what drawing a JavaScript portal in the browser costs against reading the
same pages as plain HTML.

The demo's Sở Tài chính is served twice on loopback: as a single-page portal (its pages arrive
empty; a script draws menu and content) crawled with rendering in Debian's chromium, and as the
same pages in plain HTML crawled without a browser. Both crawls read the same pages; the bench
prints pages per second of each and the peak memory of each crawl (the crawl process and the
browser processes it starts, summed, sampled every 0.1 s).

    python bench/render_bench.py [--rounds 3]

The last line reads `ratio <pages/s rendered / pages/s plain>`.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minhbach.audit.ops.demo.server import serve_demo  # noqa: E402
from minhbach.audit.registry.agencies import parse_registry  # noqa: E402

REGISTRY = ROOT / "data" / "demo" / "agencies.csv"
CODE = "stc-hs"


def tree_rss(root: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(rss.get(pid, 0) for pid in family)


def crawl(folder: Path, registry: Path, render: bool) -> tuple[int, float, int]:
    """(pages stored, seconds, peak bytes of the crawl's process tree)."""
    env = {**os.environ, "MINHBACH_DATA_DIR": str(folder)}
    cli = [sys.executable, "-m", "minhbach.audit.cli"]
    subprocess.run([*cli, "agencies", "import", str(registry)], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    process = subprocess.Popen([*cli, "crawl", "--allow-private", *([] if render else ["--no-js"])], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"crawl failed: {errors.decode()[-400:]}")
    with sqlite3.connect(folder / "minhbach.sqlite") as db:
        pages = db.execute("select count(*) from pages").fetchone()[0]
    return pages, seconds, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    province = serve_demo([r for r in parse_registry(REGISTRY) if r.code == CODE], date.today())
    header, row = province.registry(orphans=True).splitlines()
    portal = province.by_code[CODE].pages.portal
    figures = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for render in (True, False):
                if render:
                    portal.config["quirks"] = ["js-shell"]
                else:  # the same pages, served as plain HTML
                    portal.config["quirks"] = []
                registry = Path(tmp) / f"{render}.csv"
                alone = row.replace(",js,", ",js," if render else ",html,")
                registry.write_text(f"{header}\n{alone}\n", encoding="utf-8")
                runs = [crawl(Path(tmp) / f"{render}-{n}", registry, render) for n in range(args.rounds)]
                pages = runs[0][0]
                best = min(seconds for _, seconds, _ in runs)
                peak = max(memory for _, _, memory in runs)
                figures[render] = pages / best
                name = "rendered" if render else "plain   "
                print(f"{name}: {pages} pages in {best:5.2f} s (best of {args.rounds}) = {pages / best:6.1f} pages/s; "
                      f"peak memory {peak / 2**20:6.0f} MiB", flush=True)
    finally:
        province.stop()
    print(f"ratio {figures[True] / figures[False]:.3f}")


if __name__ == "__main__":
    main()
