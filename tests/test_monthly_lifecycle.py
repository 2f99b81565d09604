"""A month walked on the demo store: provisional on its 4th day (marked in the file names and the
report's meta, nothing stored), frozen on the 1st of the next month from the last audit of each
agency dated within it, "a new version is due" after an accepted dispute on one of its findings
(the dashboard and `monthly --status` say why), republished with a reason (version 2, due no
more). Then what else makes a frozen report out of date, and when a month is over."""
import json
import re
import sqlite3
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.support.cli import run_cli
from tests.support.stores import current_sessions
from tests.support.web import login

MONTH = "2026-11"


def _csrf(client, path):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def _cells(path) -> list[str]:
    book = load_workbook(path)
    return [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]


def _reports(db) -> list[tuple]:
    return db.execute("select version, reason, audit_ids, content from monthly_reports order by version").fetchall()


def test_a_month_from_provisional_to_frozen_to_due_to_republished(web, demo_store, tmp_path, english):
    client, _, _ = web
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    # an audit dated on the 4th: what the nights would have judged by then
    assert run_cli("audit", "--run", "1", "--date", "2026-11-04").returncode == 0

    # 4 November: the month runs; its report is provisional, from the audits dated up to today
    early = run_cli("monthly", "--month", MONTH, "--today", "2026-11-04", "--out", str(tmp_path / "d4"))
    assert early.returncode == 0, early.stderr
    assert "Provisional monthly report 11/2026, as of 04/11/2026" in early.stdout
    assert "audits of 04/11/2026" in early.stdout and "30/11/2026" in early.stdout
    names = sorted(p.name for p in (tmp_path / "d4").iterdir())
    assert names == [f"bao-cao-thang-{MONTH}-tam-thoi.{ext}" for ext in ("csv", "docx", "xlsx")]
    assert "04/11/2026" in " ".join(_cells(tmp_path / "d4" / f"bao-cao-thang-{MONTH}-tam-thoi.xlsx"))
    assert _reports(db) == []  # never frozen, never a version
    assert run_cli("monthly", "--month", MONTH, "--today", "2026-11-04", "--republish", "--reason", "x"
                   ).returncode == 2
    status = run_cli("monthly", "--status", "--month", MONTH, "--today", "2026-11-04")
    assert "11/2026: not over until the end of 30/11/2026" in status.stdout
    from minhbach.audit.reports.monthly.freeze import provisional_content
    from minhbach.audit.reports.monthly.publish import provisional_meta
    with current_sessions()() as session:
        content = provisional_content(session, MONTH, date(2026, 11, 4))
    meta = provisional_meta(content, date(2026, 11, 4))
    assert meta["provisional"] is True and meta["as_of"] == "04/11/2026" and meta["audit_dates"] == ["04/11/2026"]
    assert content["audit_dates"] == ["2026-11-04"] and content["period"]["through"] == "2026-11-04"

    # 1 December: November is over; the first run (no --month: the last month over) freezes it
    # from the last audit of each agency dated within it (21/11, not the 4th's)
    frozen = run_cli("monthly", "--today", "2026-12-01", "--out", str(tmp_path / "d1"))
    assert frozen.returncode == 0, frozen.stderr
    assert "Monthly report 11/2026 – version 1 (new); audits of 21/11/2026" in frozen.stdout
    assert "A new version is due" not in frozen.stdout
    assert (tmp_path / "d1" / f"bao-cao-thang-{MONTH}.xlsx").exists()
    ((version, _, audit_ids, content_text),) = _reports(db)
    used = json.loads(audit_ids)["by_agency"]
    audit_21 = db.execute("select id from audit_runs where audit_date = '2026-11-21' and rubric_id = ?",
                          (json.loads(content_text)["rubric"]["id"],)).fetchone()[0]
    assert version == 1 and set(used.values()) == {audit_21} and len(used) == 9
    assert "current" in run_cli("monthly", "--status", "--month", MONTH).stdout
    login(client)
    assert "warning" not in client.get("/monthly").text.split("<h2>")[0]

    # a dispute on one of its findings, accepted: the report is out of date, and says why
    (finding,) = db.execute("select f.id from findings f join agencies a on a.id = f.agency_id where a.code = "
                            "'stp-hs' and f.rule_code = 'TI01' and f.audit_run_id = ?", (audit_21,)).fetchone()
    agency_user = TestClient(client.app, follow_redirects=False)
    login(agency_user, "sotuphap")
    answer = agency_user.post("/disputes", data={"finding": finding, "note": "Chuyên mục có ở menu chính",
                                                 "url": "http://127.0.0.1:1/tiep-can", "csrf": _csrf(agency_user, "/")})
    dispute = int(answer.headers["location"].split("#d")[1])
    assert client.post(f"/disputes/{dispute}/decide", data={"decision": "accept", "reason": "Đã kiểm tra",
                                                            "outcome": "pass", "csrf": _csrf(client, "/")}
                       ).status_code == 303
    why = f"dispute #{dispute} on TI01 of stp-hs was accepted on"
    status = run_cli("monthly", "--status", "--month", MONTH)
    assert "11/2026: version 1 frozen on" in status.stdout and "a new version is due" in status.stdout
    assert why in status.stdout
    page = client.get("/monthly").text.split("<h2>")[0]
    assert 'class="warning"' in page and why in page and 'action="/monthly/republish"' in page
    again = run_cli("monthly", "--month", MONTH, "--out", str(tmp_path / "again"))
    assert "version 1 (made on" in again.stdout and "A new version is due" in again.stdout and why in again.stdout

    # republished with its reason: version 2 carries the decision; nothing is due any more
    assert run_cli("monthly", "--month", MONTH, "--republish").returncode == 2  # a reason is required
    remade = run_cli("monthly", "--month", MONTH, "--republish", "--reason", "khiếu nại được chấp nhận",
                     "--out", str(tmp_path / "v2"))
    assert remade.returncode == 0, remade.stderr
    assert "version 2 (new)" in remade.stdout and "A new version is due" not in remade.stdout
    assert (tmp_path / "v2" / f"bao-cao-thang-{MONTH}-v2.xlsx").exists()
    v1, v2 = _reports(db)
    assert v2[0] == 2 and v2[1] == "khiếu nại được chấp nhận"
    before = next(r for r in json.loads(v1[3])["agencies"] if r["agency_code"] == "stp-hs")
    after = next(r for r in json.loads(v2[3])["agencies"] if r["agency_code"] == "stp-hs")
    assert after["score"] > before["score"]
    decided = [f for f in json.loads(v2[3])["findings"] if f["agency_code"] == "stp-hs" and f["rule_code"] == "TI01"]
    assert f"#{dispute}" in decided[0]["outcome_vi"]
    assert "current" in run_cli("monthly", "--status", "--month", MONTH).stdout
    assert 'class="warning"' not in client.get("/monthly").text.split("<h2>")[0]


def test_a_newer_audit_or_a_registry_correction_makes_a_new_version_due(demo_store, tmp_path, english):
    assert run_cli("monthly", "--month", MONTH, "--out", str(tmp_path)).returncode == 0
    assert "current" in run_cli("monthly", "--status", "--month", MONTH).stdout
    # a newer audit dated within the month (the night of the 28th, judged late)
    assert run_cli("audit", "--run", "1", "--date", "2026-11-28").returncode == 0
    status = run_cli("monthly", "--status", "--month", MONTH).stdout
    assert re.search(r"audit \d+ dated 28/11/2026 is newer, for 9 agencies", status)
    # a correction of one of its agencies in the registry
    registry = demo_store / "agencies.csv"
    registry.write_text(registry.read_text(encoding="utf-8").replace("Sở Tài chính tỉnh Hòa Sơn",
                                                                      "Sở Tài chính"), encoding="utf-8")
    assert run_cli("agencies", "import", str(registry)).returncode == 0
    assert "the registry entry of stc-hs was corrected on" in run_cli("monthly", "--status", "--month", MONTH).stdout
    remade = run_cli("monthly", "--month", MONTH, "--republish", "--reason", "đánh giá lại ngày 28",
                     "--out", str(tmp_path))
    assert "audits of 28/11/2026" in remade.stdout
    assert "current" in run_cli("monthly", "--status", "--month", MONTH).stdout


def test_an_agency_without_an_audit_in_the_month_is_listed_with_the_reason(demo_store, tmp_path):
    from minhbach.audit.reports.monthly.freeze import freeze
    from minhbach.audit.store.models import Agency

    with current_sessions()() as session:
        session.add(Agency(code="xa-moi", name="Ủy ban nhân dân xã Mới", level="xa", province="Hòa Sơn",
                           portal_url="http://xa-moi.invalid/"))
        session.commit()
        report, made = freeze(session, MONTH, today=date(2026, 12, 3))
        row = next(r for r in report.content["agencies"] if r["agency_code"] == "xa-moi")
    assert made and report.audit_ids["not_audited"] == ["xa-moi"] and "xa-moi" not in report.audit_ids["by_agency"]
    assert row["audited"] is False and row["score"] is None and row["items"]["4"]["text"].startswith("Chưa được đánh giá")
    assert "không có lượt đánh giá nào ghi ngày trong khoảng 01/11/2026 – 30/11/2026" in row["reason"]
    assert [r for r in report.content["rollups"]["province"] if r["group"] == "Hòa Sơn"][0]["unknown"] == 2


def test_the_month_is_over_at_midnight_in_the_provinces_zone(demo_store):
    """The nightly's call: 23:59 on 30/11 in Hà Nội freezes nothing; 00:00 on 1/12 freezes
    November (16:59 and 17:00 UTC); a second night finds it frozen."""
    from minhbach.audit import config
    from minhbach.audit.reports.monthly.lifecycle import freeze_closed_month

    settings = config.load()
    with current_sessions()() as session:
        assert freeze_closed_month(session, settings, datetime(2026, 11, 30, 16, 59, tzinfo=UTC)) is None
        assert session.execute(__import__("sqlalchemy").text("select count(*) from monthly_reports")).scalar() == 0
        report = freeze_closed_month(session, settings, datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
        assert report is not None and report.month == MONTH and report.version == 1
        assert freeze_closed_month(session, settings, datetime(2026, 12, 2, 1, 0, tzinfo=UTC)) is None


def test_today_cannot_be_after_today(demo_store, english):
    result = run_cli("monthly", "--today", "2999-01-01")
    assert result.returncode == 2 and "--today 2999-01-01 is in the future" in result.stderr


def test_a_night_without_network_never_enters_the_month_even_once_pruned(demo_store):
    """Retention sets a collection failure's status to `pruned`; its reason still keeps it out."""
    from minhbach.audit.reports.monthly.content import choose_audits

    sessions = current_sessions()
    with sessions() as session:
        assert choose_audits(session, "2026-11") is not None
    with sqlite3.connect(demo_store / "minhbach.sqlite") as db:
        db.execute("update crawl_runs set status = 'pruned', reason = ?",
                   (json.dumps({"kind": "collection_failure", "failed": 9, "sites": 9, "kinds": ["refused"]}),))
    with sessions() as session:
        assert choose_audits(session, "2026-11") is None   # no audit of the month counts
