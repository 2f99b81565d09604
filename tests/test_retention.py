"""Retention: which nights keep their crawled pages, and `minhbach gc` never removing a stored
copy that a kept page or any finding refers to."""
import os
from datetime import UTC, date, datetime, timedelta

from minhbach.audit.ops.retention import Policy, runs_to_keep
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.models import Agency, AuditRun, CrawlRun, Finding, Page, SiteCrawl
from tests.support.cli import run_cli
from tests.support.stores import current_sessions

TODAY = date(2026, 11, 29)


def test_the_last_14_nights_then_one_a_week_for_6_months_then_one_a_month():
    nights = [(n, TODAY - timedelta(days=n)) for n in range(0, 400)]  # run id n = n days ago
    kept = runs_to_keep(nights, TODAY, Policy())
    assert set(range(14)) <= kept
    weekly = sorted(n for n in kept if 14 <= n < 180)
    assert all(b - a == 7 for a, b in zip(weekly, weekly[1:])) and len(weekly) >= 20
    without_monthly = runs_to_keep(nights, TODAY, Policy(monthly=False))
    assert without_monthly < kept and max(without_monthly) < 184  # 6 months back is 29/05/2026
    monthly = [TODAY - timedelta(days=n) for n in kept - without_monthly]
    assert len({(d.year, d.month) for d in monthly}) == len(monthly) >= 7  # one a month


def test_two_runs_on_one_night_are_both_kept_while_recent():
    assert runs_to_keep([(1, TODAY), (2, TODAY), (3, TODAY - timedelta(days=30))], TODAY, Policy(nights=1)) == {1, 2, 3}


def _crawl(session, agency, night: date, bodies, content: bytes) -> tuple[int, str]:
    run = CrawlRun(status="completed", started_at=datetime(night.year, night.month, night.day, 23, tzinfo=UTC))
    session.add(run)
    session.flush()
    site = SiteCrawl(run_id=run.id, agency_id=agency.id, status="ok")
    session.add(site)
    session.flush()
    sha = bodies.put(content)
    session.add(Page(site_crawl_id=site.id, requested_url="http://a/", final_url="http://a/", http_status=200,
                     sha256=sha))
    return run.id, sha


def test_gc_keeps_what_evidence_cites_and_what_the_policy_keeps(data_dir):
    sessions = current_sessions()
    bodies = BodyStore(data_dir / "bodies")
    with sessions.begin() as session:
        agency = Agency(code="a", name="Sở A", level="so", province="Hòa Sơn", portal_url="http://a/")
        session.add(agency)
        session.flush()
        old_cited = _crawl(session, agency, TODAY - timedelta(days=200), bodies, b"<p>cited</p>")
        old_other = _crawl(session, agency, TODAY - timedelta(days=199), bodies, b"<p>forgotten</p>")
        recent = _crawl(session, agency, TODAY - timedelta(days=1), bodies, b"<p>recent</p>")
        audit = AuditRun(crawl_run_id=old_cited[0], rubric_id="vp", rubric_version="1", audit_date=TODAY)
        session.add(audit)
        session.flush()
        session.add(Finding(audit_run_id=audit.id, agency_id=agency.id, rule_code="BG01", rule_version=1,
                            family="budget", outcome="pass", stored_copy=old_cited[1]))
    (data_dir / "minhbach.toml").write_text("[retention]\nmonthly = false\n", encoding="utf-8")
    dry = run_cli("gc", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Sẽ bỏ 2 trang" in dry.stdout and "1 bản lưu" in dry.stdout
    assert bodies.has(old_other[1])  # a dry run changes nothing
    result = run_cli("gc")
    assert result.returncode == 0, result.stderr
    assert bodies.has(old_cited[1]) and bodies.has(recent[1]) and not bodies.has(old_other[1])
    with sessions() as session:
        assert session.query(Page).count() == 1 and session.query(Finding).count() == 1
        assert session.get(CrawlRun, old_other[0]).status == "pruned"
    again = run_cli("audit", "--run", str(old_other[0]), "--allow-partial")
    assert again.returncode == 2 and "đã bị bỏ theo chính sách lưu trữ" in again.stderr  # never judged on nothing
    assert not [p for p in (data_dir / "bodies").rglob("*") if p.is_file() and p.name.startswith(".")]
    assert os.path.exists(data_dir / "nightly.lock")
