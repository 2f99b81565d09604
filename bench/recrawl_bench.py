"""Recrawl benchmark: what an incremental night costs against the first, full one.

A loopback farm (default 100 sites x 50 pages, each site on its own address) whose server
honours conditional requests (ETag / If-None-Match, 304 Not Modified) is crawled once; then 5%
of its pages change and it is crawled again. The bench checks that every changed page was
downloaded again and that the audits of the two crawls differ only on sites whose content
changed, and prints the bytes the server sent and the seconds of both crawls.

    python bench/recrawl_bench.py [--sites 100] [--pages 50] [--change 0.05]

The last line reads `ratio <second-crawl bytes / first-crawl bytes>` (target: at most 0.10).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl_bench import free_port, listen_and_serve, page_body, site_address  # noqa: E402  (the same farm pages)

AUDIT_DATE = date(2026, 11, 21)


def changed_pages(sites: int, pages: int, share: float, seed: int = 2026) -> set[tuple[int, int]]:
    everything = [(s, p) for s in range(sites) for p in range(pages)]
    return set(random.Random(seed).sample(everything, round(share * len(everything))))


def serve_farm(port: int, sites: int, pages: int, share: float) -> None:
    """Child process: the farm. /__change switches 5% of pages to new content; /__stats says
    how many bytes (status line, headers and bodies) were sent and which changed pages got a 200."""
    from twisted.web import resource as web_resource

    base = {p: page_body(0, p, pages) for p in range(pages)}
    changes = changed_pages(sites, pages, share)
    state = {"changed": False, "bytes": 0, "fetched_changed": set()}
    by_address = {site_address(n): n for n in range(sites)}

    def body_of(site: int, page: int) -> bytes:
        body = base[page]
        if state["changed"] and (site, page) in changes:  # new content: a new notice on the page
            body = body.replace(b"<main>", "<main><p>Thông báo mới ngày 20/11/2026: cập nhật dự toán.</p>"
                                .encode(), 1)
        return body

    class Farm(web_resource.Resource):
        isLeaf = True

        def render(self, request):
            path = request.path.decode()
            site = by_address.get(request.getHost().host, 0)
            if path == "/__change":
                state["changed"] = True
                return b"ok"
            if path == "/__stats":
                stats = {"bytes": state["bytes"], "fetched_changed": sorted(state["fetched_changed"])}
                return json.dumps(stats).encode()
            if path == "/robots.txt":
                status, body, kind = 200, b"User-agent: *\nDisallow:\n", b"text/plain"
            elif path == "/" or path.startswith("/trang/"):
                page = 0 if path == "/" else int(path[7:].split(".")[0])
                status, body, kind = 200, body_of(site, page), b"text/html; charset=utf-8"
                etag = b'"' + hashlib.sha1(body).hexdigest()[:20].encode() + b'"'
                request.setHeader(b"ETag", etag)
                if request.getHeader(b"If-None-Match") == etag:
                    status, body = 304, b""
                elif state["changed"] and (site, page) in changes:
                    state["fetched_changed"].add(f"{site}/{page}")
            else:
                status, body, kind = 404, b"not found", b"text/plain"
            request.setResponseCode(status)
            if body:
                request.setHeader(b"Content-Type", kind)
            headers = sum(len(k) + len(v) + 4 for k, values in request.responseHeaders.getAllRawHeaders()
                          for v in values)
            state["bytes"] += len(body) + headers + 40  # + status line, Date, Content-Length
            return body if request.method != b"HEAD" else b""

    listen_and_serve(Farm(), port, sites)


def farm_get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://{site_address(0)}:{port}{path}", timeout=30) as response:
        return response.read()


def run(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "minhbach.audit.cli", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)


def findings(db: Path, audit_id: int) -> dict[str, list]:
    import sqlite3

    rows = sqlite3.connect(db).execute(
        "select a.code, f.rule_code, f.outcome, f.evidence_url, f.snippet, f.value from findings f "
        "join agencies a on a.id = f.agency_id where f.audit_run_id = ? order by 1, 2", (audit_id,)).fetchall()
    by_site: dict[str, list] = {}
    for row in rows:
        by_site.setdefault(row[0], []).append(row[1:])
    return by_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--change", type=float, default=0.05, help="share of pages changed before the recrawl")
    parser.add_argument("--child", choices=["farm"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.child:
        serve_farm(args.port, args.sites, args.pages, args.change)
        return

    port = free_port(args.sites)
    farm = subprocess.Popen([sys.executable, __file__, "--child", "farm", "--port", str(port), "--sites",
                             str(args.sites), "--pages", str(args.pages), "--change", str(args.change)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert farm.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory() as data:
            env = dict(os.environ, MINHBACH_DATA_DIR=data)
            env.pop("MINHBACH_DATABASE_URL", None)
            env.pop("MINHBACH_CONFIG", None)
            registry = Path(data) / "farm.csv"
            registry.write_text("code,name,level,province,parent_code,portal_url\n" + "\n".join(
                f"farm{n:04d},Cơ quan {n},so,Hòa Sơn,,http://{site_address(n)}:{port}/" for n in range(args.sites)),
                encoding="utf-8")
            run("agencies", "import", str(registry), env=env)
            print(f"farm: {args.sites} sites x {args.pages} pages, {args.change:.0%} changed before the recrawl",
                  flush=True)
            figures = []
            for crawl in (1, 2):
                if crawl == 2:
                    farm_get(port, "/__change")
                before = json.loads(farm_get(port, "/__stats"))["bytes"]
                started = time.perf_counter()
                run("crawl", "--allow-private", env=env)
                seconds = time.perf_counter() - started
                sent = json.loads(farm_get(port, "/__stats"))["bytes"] - before
                run("audit", "--date", AUDIT_DATE.isoformat(), "--run", str(crawl), env=env)
                figures.append((sent, seconds))
                print(f"crawl {crawl}: {sent / 1e6:8.2f} MB sent by the farm in {seconds:6.1f} s", flush=True)
            changed = changed_pages(args.sites, args.pages, args.change)
            fetched = set(json.loads(farm_get(port, "/__stats"))["fetched_changed"])
            missed = {f"{s}/{p}" for s, p in changed} - fetched
            assert not missed, f"{len(missed)} changed pages were not fetched again, e.g. {sorted(missed)[:5]}"
            db = Path(data) / "minhbach.sqlite"
            first, second = findings(db, 1), findings(db, 2)
            changed_sites = {f"farm{s:04d}" for s, _ in changed}
            differ = {code for code in first if first[code] != second.get(code)}
            assert differ <= changed_sites, f"audits differ on unchanged sites: {sorted(differ - changed_sites)[:5]}"
            print(f"changed pages fetched again: {len(changed)} of {len(changed)}; audits differ on {len(differ)} "
                  f"site(s), all with changed content ({len(changed_sites)} sites changed)")
    finally:
        farm.terminate()
        farm.wait()
    print(f"ratio {figures[1][0] / figures[0][0]:.3f}")


if __name__ == "__main__":
    main()
