"""Dashboard benchmark: do pages slow down as history grows?

Fills a store (SQLite) with 5,000 agencies and nightly audits of 30 rules, serves the dashboard
with uvicorn in a process of its own, and measures the overview and an agency page with a load
generator on loopback (keep-alive connections from several threads), first with 1 audit of
history, then with 60. Prints p50 and p95 of each; the last line reads
`ratio <p95 of the overview at 60 audits / p95 at 1 audit>` (target: at most 1.5).

    python bench/dashboard_bench.py [--agencies 5000] [--audits 60] [--requests 200] [--threads 4]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-mat-khau"
GRADES = ((80, "Tốt"), (65, "Khá"), (50, "Trung bình"), (0, "Yếu"))


def fill(data: Path, agencies: int, first: int, last: int) -> None:
    """Audits first..last (1-based) of `agencies` agencies, written with plain executemany."""
    os.environ["MINHBACH_DATA_DIR"] = str(data)
    from minhbach.audit import config
    from minhbach.audit.people.accounts import add_user
    from minhbach.audit.store.db import Store
    from minhbach.rules.registry import all_rules
    from minhbach.rules.text import fold

    store = Store.open(config.load())
    sessions = store.sessions
    rules = list(all_rules().values())[:30]
    db = sqlite3.connect(data / "minhbach.sqlite")
    now = datetime(2026, 11, 29, tzinfo=UTC).isoformat(sep=" ")
    if first == 1:
        with sessions() as session:
            add_user(session, "bench", PASSWORD, "admin")
        db.executemany(
            "insert into agencies (code, name, level, province, parent_code, portal_url, extra_hosts, render, "
            "obey_robots, notes, version, created_at, updated_at, active, lifecycle_note, search_text) "
            "values (?, ?, ?, 'Hòa Sơn', ?, ?, '', 'html', 1, '', 1, ?, ?, 1, '', ?)",
            [(f"a{n:05d}", f"Cơ quan số {n} tỉnh Hòa Sơn", "xa" if n % 5 else "so",
              None if n % 5 == 0 else f"a{n - n % 5:05d}", f"http://a{n}.hoason.gov.vn/", now, now,
              fold(f"a{n:05d} Cơ quan số {n} tỉnh Hòa Sơn")) for n in range(agencies)])
        db.commit()
    ids = [row[0] for row in db.execute("select id from agencies order by id")]
    rng = random.Random(first)
    start = date(2026, 11, 29) - timedelta(days=last - 1)
    for number in range(first, last + 1):
        day = start + timedelta(days=number - 1)
        run = db.execute("insert into crawl_runs (status, started_at, finished_at, pid, hostname, settings) "
                         "values ('completed', ?, ?, 0, '', '{}')", (now, now)).lastrowid
        db.executemany("insert into site_crawls (run_id, agency_id, status, pages_fetched, bytes_fetched, "
                       "documents_found, error_counts, reason, robots_blocked, stop_reason, tls_status, tls_detail, "
                       "pages_unchanged, pages_disappeared) "
                       "values (?, ?, 'ok', 40, 0, 5, '{}', null, 0, '', '', '', 0, 0)",
                       [(run, a) for a in ids])
        audit = db.execute("insert into audit_runs (crawl_run_id, rubric_id, rubric_version, audit_date, created_at) "
                           "values (?, 'vp-qd26-2017', '2026.11', ?, ?)", (run, day.isoformat(), now)).lastrowid
        scores, findings = [], []
        for agency in ids:
            total = round(rng.uniform(30, 100), 1)
            grade = next(name for low, name in GRADES if total >= low)
            scores.append((audit, agency, total, grade, 0.9, '{"legal": {"title": "Văn bản", "score": 80.0}}',
                           '{"pass": 20, "fail": 10}', None))
            for rule in rules:
                findings.append((audit, agency, rule.code, rule.version, rule.family,
                                 "pass" if rng.random() < 0.7 else "fail", "Ghi chú của tiêu chí.",
                                 f"http://a{agency}.hoason.gov.vn/{rule.code.lower()}", "Trích đoạn", ""))
        db.executemany("insert into scores (audit_run_id, agency_id, total, grade, coverage, categories, counts, "
                       "reason) values (?, ?, ?, ?, ?, ?, ?, ?)", scores)
        db.executemany("insert into findings (audit_run_id, agency_id, rule_code, rule_version, family, outcome, "
                       "partial, note, evidence_url, snippet, value, stored_copy, rule_outcome) "
                       "values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, '', '')", findings)
        db.commit()
    db.execute("analyze")
    db.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, MINHBACH_DATA_DIR=str(data))
    env.pop("MINHBACH_DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "minhbach.audit.cli", "serve", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    import httpx2

    for _ in range(200):
        try:
            if httpx2.get(base + "/health").status_code == 200:
                return process, base
        except httpx2.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the dashboard did not start: " + process.stderr.read().decode())


def logged_in(base: str):
    import httpx2

    client = httpx2.Client(base_url=base, follow_redirects=False, timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf": csrf, "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


def measure(base: str, path: str, requests: int, threads: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds over `requests` GETs from `threads` keep-alive clients."""
    clients = [logged_in(base) for _ in range(threads)]
    for client in clients:  # warm up
        assert client.get(path).status_code == 200
    times: list[float] = []
    lock = threading.Lock()

    def work(client, count):
        for _ in range(count):
            started = time.perf_counter()
            answer = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200
            with lock:
                times.append(elapsed)

    workers = [threading.Thread(target=work, args=(c, requests // threads)) for c in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=5000)
    parser.add_argument("--audits", type=int, default=60)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        for history, (first, last) in ((1, (1, 1)), (args.audits, (2, args.audits))):
            started = time.perf_counter()
            fill(data, args.agencies, first, last)
            print(f"store: {args.agencies} agencies, {last} audit(s) of 30 rules "
                  f"(filled in {time.perf_counter() - started:.0f} s)", flush=True)
            process, base = serve(data)
            try:
                for name, path in (("overview", "/"), ("sorted", "/?sort=score&order=desc&page=20"),
                                   ("search", "/?q=co quan so 4217"), ("changes", "/changes"),
                                   ("agency", "/agency/a00010")):
                    p50, p95 = measure(base, path, args.requests, args.threads)
                    results[(name, history)] = p95
                    print(f"{name:8s} at {history:2d} audit(s): p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
            finally:
                process.terminate()
                process.wait()
    print(f"agency page p95 ratio {results[('agency', args.audits)] / results[('agency', 1)]:.2f}")
    print(f"ratio {results[('overview', args.audits)] / results[('overview', 1)]:.2f}")


if __name__ == "__main__":
    main()
