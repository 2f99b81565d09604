"""Changes benchmark: what changed between two audits (`diff`, the nightly e-mail, `/changes`)
at 500 and at 5,000 agencies, against reading every finding of the two audits, in the same run.

A synthetic store (SQLite) of N agencies x 30 rules, two audits, one finding in twenty changed.
`judge/changes.diff_audits` joins the two audits in the database and reads only what changed;
the baseline reads every finding of both audits as ORM rows (what the first version did before
comparing). Each side keeps its best of `--rounds`.

    python bench/changes_bench.py [--rounds 3]

Lines: per size the seconds of each side and their ratio; the last line reads
`growth <diff seconds at 5,000 / at 500>` (linear: about 10; goal at most 11).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minhbach.audit.judge.changes import diff_audits  # noqa: E402
from minhbach.audit.store.db import open_store  # noqa: E402
from minhbach.audit.store.models import Agency, AuditRun, CrawlRun, Finding, Score  # noqa: E402

RULES = [f"R{n:03d}" for n in range(30)]


def build(folder: Path, agencies: int):
    sessions = open_store(f"sqlite:///{folder / 'changes.sqlite'}")
    with sessions() as session:
        session.execute(insert(Agency), [{"code": f"a{n:05d}", "name": f"Sở {n}", "level": "so", "province": "Bench",
                                          "portal_url": f"http://a{n}.gov.vn/"} for n in range(agencies)])
        ids = list(session.scalars(select(Agency.id).order_by(Agency.id)))
        audits = []
        for night in (1, 2):
            run = CrawlRun(status="completed")
            session.add(run)
            session.flush()
            audit = AuditRun(crawl_run_id=run.id, rubric_id="nd224-2026", rubric_version="b",
                             audit_date=date(2026, 11, night))
            session.add(audit)
            session.flush()
            audits.append(audit)
            session.execute(insert(Score), [{"audit_run_id": audit.id, "agency_id": i, "grade": "kha", "coverage": 1.0,
                                             "total": 70.0 + (night == 2) * (i % 3)} for i in ids])
            session.execute(insert(Finding), [
                {"audit_run_id": audit.id, "agency_id": i, "rule_code": rule, "rule_version": 1, "family": "news",
                 "outcome": "fail" if night == 2 and (i * 30 + r) % 20 == 0 else "pass", "partial": False}
                for i in ids for r, rule in enumerate(RULES)])
        session.commit()
        return sessions, audits[0].id, audits[1].id


def read_all(session, before_id: int, after_id: int) -> int:
    """The baseline: every finding of the two audits, as rows, grouped by agency."""
    grouped: dict[int, list] = {}
    for finding in session.scalars(select(Finding).where(Finding.audit_run_id.in_((before_id, after_id)))):
        grouped.setdefault(finding.agency_id, []).append(finding)
    return len(grouped)


def measure(agencies: int, rounds: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        sessions, before_id, after_id = build(Path(tmp), agencies)
        best_diff = best_all = float("inf")
        for _ in range(rounds):
            with sessions() as session:
                before, after = session.get(AuditRun, before_id), session.get(AuditRun, after_id)
                start = time.perf_counter()
                rows, _sites = diff_audits(session, before, after)
                best_diff = min(best_diff, time.perf_counter() - start)
            with sessions() as session:
                start = time.perf_counter()
                read_all(session, before_id, after_id)
                best_all = min(best_all, time.perf_counter() - start)
        return best_diff, best_all, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times = {}
    for agencies in (500, 5000):
        diff_seconds, all_seconds, changed = measure(agencies, args.rounds)
        times[agencies] = diff_seconds
        print(f"{agencies:5d} agencies x {len(RULES)} rules: diff {diff_seconds:6.3f} s ({changed} changes), "
              f"reading every finding {all_seconds:6.3f} s, ratio {diff_seconds / all_seconds:.2f}")
    print(f"growth {times[5000] / times[500]:.1f}")


if __name__ == "__main__":
    main()
