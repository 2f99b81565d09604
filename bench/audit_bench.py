"""Audit benchmark: the full rule set over a few thousand stored real-size pages, against a bare
lxml parse of the same pages, in the same run.

The pages are the real saved pages of ../shared/fixtures/real (20-170 KB each), stored as a crawl
of N sites: each site gets every real page under its own addresses, like a crawled portal.
Both sides read each body from the body store (gzip on disk), so storage costs the same.

    python bench/audit_bench.py [--sites 120] [--rounds 3]

The two sides take turns ten sites at a time, over several rounds, and each keeps its best
round, so a busy moment on a shared machine does not land on one side only. The last line reads
`ratio <audit pages/s / bare-parse pages/s>` (goal: at least 0.6); the line before it, how many
of the stored pages the audit parsed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import lxml.html
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minhbach.audit.judge.auditor import run_audit  # noqa: E402
from minhbach.audit.judge.rubric import load_rubric  # noqa: E402
from minhbach.audit.store.bodies import BodyStore  # noqa: E402
from minhbach.audit.store.db import open_store  # noqa: E402
from minhbach.audit.store.models import Agency, CrawlRun, Link, Page, SiteCrawl  # noqa: E402
from minhbach.rules.links import page_links  # noqa: E402
from minhbach.rules.registry import all_rules  # noqa: E402

REAL = ROOT.parent / "shared" / "fixtures" / "real"


def build_store(folder: Path, n_sites: int, sites_per_run: int = 10):
    """The crawl, stored as runs of `sites_per_run` sites (so the two sides can take turns);
    returns the store and [(run id, the body hashes of its pages)]."""
    sessions = open_store(f"sqlite:///{folder / 'bench.sqlite'}")
    bodies = BodyStore(folder / "bodies")
    files = sorted(REAL.glob("*.html"))
    stored = [(f.stem, bodies.put(f.read_bytes()), lxml.html.fromstring(f.read_bytes()).findtext(".//title"))
              for f in files]
    # every page's links as the crawl stores them (the spider reads them with the same extractor)
    links = [[(link.url, link.text) for link in page_links(lxml.html.fromstring(f.read_bytes()), "http://x.gov.vn/")]
             for f in files]
    runs = []
    with sessions() as session:
        for n in range(n_sites):
            if n % sites_per_run == 0:
                run = CrawlRun(status="completed")
                session.add(run)
                session.flush()
                runs.append((run.id, []))
            agency = Agency(code=f"site{n}", name=f"Sở {n}", level="so", province="Bench",
                            portal_url=f"http://site{n}.gov.vn/")
            session.add(agency)
            session.flush()
            crawl = SiteCrawl(run_id=run.id, agency_id=agency.id, status="ok", pages_fetched=len(stored))
            session.add(crawl)
            session.flush()
            for i, (stem, sha, title) in enumerate(stored):
                url = f"http://site{n}.gov.vn/" if i == 0 else f"http://site{n}.gov.vn/{stem}"
                page = Page(site_crawl_id=crawl.id, requested_url=url, final_url=url, http_status=200,
                            content_type="text/html; charset=utf-8", sha256=sha, encoding="utf-8",
                            title=(title or "").strip(), depth=0 if i == 0 else 1)
                session.add(page)
                session.flush()
                session.execute(insert(Link), [{"page_id": page.id, "target_url": target, "anchor_text": text}
                                               for target, text in links[i]])
                runs[-1][1].append(sha)
        session.commit()
    return sessions, bodies, runs


def count_parses() -> list[int]:
    """A counter of the pages the audit parses (rules/artifacts.Page.tree, parsed once per page)."""
    from functools import cached_property

    from minhbach.rules import artifacts

    parsed = [0]
    tree = artifacts.Page.tree.func

    def counted(page):
        parsed[0] += 1
        return tree(page)

    artifacts.Page.tree = cached_property(counted)
    artifacts.Page.tree.__set_name__(artifacts.Page, "tree")
    return parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sessions, bodies, runs = build_store(Path(tmp), args.sites)
        pages = sum(len(shas) for _, shas in runs)
        print(f"{pages} stored pages ({args.sites} sites x {pages // args.sites} real pages)")
        rubric = load_rubric("vp-qd26-2017")   # (every rule runs whatever the rubric: the rubric only weighs)

        parsed = count_parses()
        bare = audit = 0.0
        for round_ in range(1, args.rounds + 1):
            bare_seconds = audit_seconds = 0.0
            for run_id, shas in runs:   # the two sides take turns, ten sites at a time
                start = time.perf_counter()
                for sha in shas:
                    lxml.html.fromstring(bodies.get(sha))
                bare_seconds += time.perf_counter() - start
                start = time.perf_counter()
                with sessions() as session:
                    run_audit(session, bodies, rubric, date(2026, 11, 21), run_id)
                audit_seconds += time.perf_counter() - start
            bare_round, audit_round = pages / bare_seconds, pages / audit_seconds
            print(f"round {round_}: bare lxml parse {bare_round:8.1f} pages/s, full audit {audit_round:8.1f} pages/s")
            bare, audit = max(bare, bare_round), max(audit, audit_round)
        print(f"bare lxml parse: {bare:8.1f} pages/s (best round)")
        print(f"full audit:      {audit:8.1f} pages/s "
              f"(best round; {len(all_rules())} rules, findings and scores written)")
        print(f"pages parsed / pages stored: {parsed[0] / (args.rounds * pages):.2f} "
              "(per audit: a rule that parses every page shows here)")
        print(f"ratio {audit / bare:.2f}")


if __name__ == "__main__":
    main()
