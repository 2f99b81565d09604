"""Cluster benchmark: the same farm crawled by one worker and by two, in the same run.

A loopback farm of `--sites` portals (each on a loopback address of its own, `--pages` pages,
every answer after `--delay` seconds, 0.2 s by default, as real provincial portals answer) is
registered in a fresh PostgreSQL schema; `minhbach crawl --distributed --full` puts its sites on
a Redis queue of the bench's own, first with one `minhbach worker --concurrency 1` running,
then with two. Such a crawl is bound by politeness (two requests at a time per host) and by
latency, not by the CPU, so a second machine should nearly double it. Pages per second are
pages stored / the run's time in the store (enqueue to the last site done). Peak memory per
worker is the worker's whole process tree (the pool, its worker and RQ's scheduler, the job RQ
forks and its store writer), their proportional set sizes summed (pages shared by a fork
counted once), sampled every 0.2 s.

    python bench/cluster_bench.py [--sites 8] [--pages 40] [--delay 0.2]

Needs PostgreSQL (MINHBACH_TEST_PG_URL, default 127.0.0.1:5432/test) and Redis
(MINHBACH_TEST_REDIS_URL, default 127.0.0.1:6379). The last line reads
`ratio <pages/s with two workers / pages/s with one>`.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from tests.support.cluster_farm import Farm  # noqa: E402

PG_URL = os.environ.get("MINHBACH_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MINHBACH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def process_tree_memory(root_pid: int) -> int:
    """Memory of a process and all its descendants, in bytes: their proportional set sizes
    (PSS), so the pages a forked job shares with its worker are counted once, not per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Bench:
    def __init__(self, root: Path, database_url: str, queue: str, args):
        self.root, self.database_url, self.queue, self.args = root, database_url, queue, args
        self.config = root / "minhbach.toml"
        self.config.write_text(
            f'[crawl]\nallow_private = true\n\n[store]\nbodies_dir = "{root / "bodies"}"\n\n'
            f'[cluster]\nredis_url = "{REDIS_URL}"\nqueue = "{self.queue}"\nlease_seconds = 30\n', encoding="utf-8")

    def env(self, machine: str) -> dict:
        env = dict(os.environ, MINHBACH_DATABASE_URL=self.database_url, MINHBACH_CONFIG=str(self.config),
                   MINHBACH_DATA_DIR=str(self.root / machine))
        env.pop("MINHBACH_REDIS_URL", None)
        return env

    def cli(self, *args) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "minhbach.audit.cli", *args], capture_output=True, text=True,
                                env=self.env("coordinator"), cwd=ROOT)
        if result.returncode != 0:
            raise SystemExit(f"minhbach {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def crawl_with(self, n_workers: int) -> tuple[float, int, float, list[int]]:
        """(pages/s, pages, seconds, peak bytes per worker) of one crawl of the farm."""
        workers = [subprocess.Popen([sys.executable, "-m", "minhbach.audit.cli", "worker", "--concurrency",
                                     str(self.args.concurrency)], env=self.env(f"worker-{i}"),
                                    stdout=open(self.root / f"worker-{n_workers}-{i}.log", "w"),
                                    stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
                   for i in range(n_workers)]
        peaks = [0] * n_workers
        sampling = threading.Event()

        def sample():
            while not sampling.wait(0.2):
                for i, worker in enumerate(workers):
                    peaks[i] = max(peaks[i], process_tree_memory(worker.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        time.sleep(3)  # the workers are up and listening before the queue fills
        try:
            self.cli("crawl", "--distributed", "--full")
        finally:
            sampling.set()
            sampler.join()
            for worker in workers:
                os.killpg(worker.pid, signal.SIGTERM)
            for worker in workers:
                worker.wait(60)
        from minhbach.audit.store.models import CrawlRun, SiteCrawl

        engine = create_engine(self.database_url)
        with engine.connect() as conn:
            run = conn.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).first()
            pages = conn.scalar(select(func.sum(SiteCrawl.pages_fetched)).where(SiteCrawl.run_id == run.id))
        engine.dispose()
        seconds = (run.finished_at - run.started_at).total_seconds()
        return int(pages) / seconds, int(pages), seconds, peaks


def bench_keys(redis_url: str, queue: str) -> None:
    """Leave the shared Redis as found: the bench queue's jobs, registries and leases."""
    from redis import Redis

    redis = Redis.from_url(redis_url)
    keys = [k for pattern in (f"rq:*{queue}*", f"minhbach:{queue}:*") for k in redis.scan_iter(match=pattern)]
    if keys:
        redis.delete(*keys)
    redis.srem("rq:queues", f"rq:queue:{queue}")  # RQ's list of queues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds each answer takes (default 0.2)")
    parser.add_argument("--concurrency", type=int, default=1, help="sites each worker crawls at once (default 1)")
    args = parser.parse_args()
    schema, queue = f"bench_{uuid.uuid4().hex[:8]}", f"bench-{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    farm = Farm(args.sites, pages=args.pages, delay=args.delay)
    try:
        with tempfile.TemporaryDirectory() as folder:
            bench = Bench(Path(folder), f"{PG_URL}?options=-csearch_path%3D{schema}", queue, args)
            (bench.root / "agencies.csv").write_text(farm.registry(), encoding="utf-8")
            bench.cli("agencies", "import", str(bench.root / "agencies.csv"))
            print(f"farm: {args.sites} sites x {args.pages + 1} pages, {args.delay * 1000:.0f} ms per answer, "
                  f"2 requests at a time per host; workers crawl {args.concurrency} site(s) at a time")
            results = {}
            for n in (1, 2):
                rate, pages, seconds, peaks = bench.crawl_with(n)
                results[n] = rate
                farm_peak = max(h.peak for h in farm.hosts)
                print(f"{n} worker{'s' if n > 1 else ' '}: {pages} pages in {seconds:6.1f} s = {rate:5.2f} pages/s; "
                      f"peak memory per worker: {', '.join(f'{p / 2**20:.0f} MiB' for p in peaks)}; "
                      f"most requests at once on one host: {farm_peak}")
                for host in farm.hosts:
                    host.peak = 0
    finally:
        farm.close()
        bench_keys(REDIS_URL, queue)
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()
    print(f"ratio {results[2] / results[1]:.2f}")


if __name__ == "__main__":
    main()
