"""The overview's table in the database (audit/web/scoreboard.py), the same on SQLite and on
PostgreSQL: filters, a search with or without diacritics, sorts with the unknown last and ties
by code, pages that read only their rows."""
from datetime import date

import pytest

from minhbach.audit.store.db import open_store
from minhbach.audit.store.models import Agency, AuditRun, CrawlRun, Score
from minhbach.audit.web.scoreboard import Filters, score_page

AGENCIES = [  # code, name, level, total, grade, total in the audit before
    ("so-tc", "Sở Tài chính", "so", 80.0, "Tốt", 70.0),
    ("so-tp", "Sở Tư pháp", "so", 65.0, "Khá", 66.0),
    ("so-xd", "Sở Xây dựng", "so", None, "", 50.0),
    ("xa-tb", "UBND xã Thanh Bình", "xa", 65.0, "", None),
    ("xa-100", "UBND xã 100%_", "xa", 40.0, "Yếu", 41.0),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    sessions = open_store(url)
    with sessions() as session:
        audits = []
        for night in (1, 2):
            run = CrawlRun(status="completed")
            session.add(run)
            session.flush()
            audit = AuditRun(crawl_run_id=run.id, rubric_id="nd224-2026", rubric_version="t",
                             audit_date=date(2026, 11, night))
            session.add(audit)
            session.flush()
            audits.append(audit)
        for code, name, level, total, grade, before in AGENCIES:
            agency = Agency(code=code, name=name, level=level, province="Hòa Sơn", portal_url=f"http://{code}.vn/")
            session.add(agency)
            session.flush()
            session.add(Score(audit_run_id=audits[0].id, agency_id=agency.id, total=before, grade="", coverage=1.0))
            session.add(Score(audit_run_id=audits[1].id, agency_id=agency.id, total=total, grade=grade,
                              coverage=0.9 if total else 0.0))
        session.commit()
        yield session, audits[1], audits[0]


def _codes(store, filters=Filters(), sort="code", descending=False, page=1, per_page=50, codes=None):
    session, audit, earlier = store
    return score_page(session, audit, filters, sort, descending, page, per_page, codes, earlier)


def test_sorts_put_the_unknown_last_and_break_ties_by_code(store):
    assert _codes(store, sort="score", descending=True).codes == ["so-tc", "so-tp", "xa-tb", "xa-100", "so-xd"]
    assert _codes(store, sort="score").codes == ["xa-100", "so-tp", "xa-tb", "so-tc", "so-xd"]
    # the change since the audit before: +10, -1, -1; unknown either side last
    assert _codes(store, sort="change", descending=True).codes[:3] == ["so-tc", "so-tp", "xa-100"]
    assert _codes(store, sort="change").codes[-2:] == ["so-xd", "xa-tb"]
    assert _codes(store, sort="name").codes[0] == "so-tc"


def test_filters_and_a_search_with_or_without_diacritics(store):
    assert _codes(store, Filters(q="tai chinh")).codes == ["so-tc"]
    assert _codes(store, Filters(q="TƯ PHÁP")).codes == ["so-tp"]
    assert _codes(store, Filters(q="100%_")).codes == ["xa-100"]       # wildcards are characters
    assert _codes(store, Filters(q="%")).codes == ["xa-100"]
    assert _codes(store, Filters(level="xa")).codes == ["xa-100", "xa-tb"]
    assert _codes(store, Filters(unknown=True)).codes == ["so-xd"]
    assert _codes(store, Filters(grade="Khá")).codes == ["so-tp"]
    listed = _codes(store)
    assert "Khá" in listed.options["grade"] and listed.options["level"] == ["so", "xa"]
    assert len(listed.options["grade"]) == 5  # Tốt, Khá, Yếu, unknown, not enough data to grade


def test_pages_and_what_a_reader_may_see(store):
    second = _codes(store, page=2, per_page=2)
    assert (second.codes, second.total, second.page, second.pages) == (["so-xd", "xa-100"], 5, 2, 3)
    assert _codes(store, page=99, per_page=2).page == 3  # past the end: the last page
    own = _codes(store, codes={"so-tp"})
    assert own.codes == ["so-tp"] and own.total == 1 and own.options["level"] == ["so"]
