"""The overview: every visible agency's score in one audit, with filters, sorting, pages and
the change since the audit before and since last month (filtered, sorted and paged in the
database: web/scoreboard.py)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.judge.changes import previous_audit
from minhbach.audit.reports.monthly.content import last_complete_audit, previous_month
from minhbach.audit.reports.rows import score_columns, score_rows
from minhbach.audit.store.models import Agency, AuditRun, Score, User
from minhbach.audit.web.inputs import PageNumber, optional_id
from minhbach.audit.web.lookups import pick_audit
from minhbach.audit.web.pages import render
from minhbach.audit.web.scoreboard import Filters, score_page
from minhbach.audit.web.security import signed_in, visible_codes

router = APIRouter()
PER_PAGE = 50


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, audit: str = "", q: str = "", province: str = "", parent: str = "",
             level: str = "", grade: str = "", unknown: bool = False, sort: str = "code", order: str = "asc",
             page: PageNumber = 1, user: User = Depends(signed_in)):
    codes = visible_codes(request, user)
    with request.app.state.sessions() as session:
        audit_run = pick_audit(session, optional_id(audit, "audit"))
        if audit_run is None:
            return render(request, "overview.html", user, audit=None, rows=[], total=0)
        before = previous_audit(session, audit_run)
        shown = score_page(session, audit_run, Filters(q, province, parent, level, grade, unknown), sort,
                           order == "desc", page, PER_PAGE, codes, before)
        by_code = {r["agency_code"]: r for r in score_rows(session, audit_run, agency_codes=shown.codes)}
        rows = [by_code[code] for code in shown.codes]
        columns = [(k, h) for k, h in score_columns(session, audit_run) if k.startswith("cat_")]
        month = f"{audit_run.audit_date:%Y-%m}"
        last_month = last_complete_audit(session, previous_month(month), audit_run.rubric_id)
        earlier, monthly = _totals(session, before, shown.codes), _totals(session, last_month, shown.codes)
        audits = list(session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(60)))
    for row in rows:
        row["change"] = _delta(row["score"], earlier.get(row["agency_code"]))
        row["change_month"] = _delta(row["score"], monthly.get(row["agency_code"]))
    return render(request, "overview.html", user, audit=audit_run, audits=audits, columns=columns,
                  rows=rows, total=shown.total, page=shown.page, pages=shown.pages,
                  options=shown.options, before=before, last_month=last_month,
                  query={key: value for key, value in (  # what the links carry: only what is set
                      ("q", q), ("province", province), ("parent", parent), ("level", level), ("grade", grade),
                      ("unknown", "true" if unknown else ""), ("sort", sort), ("order", order),
                      ("audit", audit)) if value})


def _totals(session: Session, audit: AuditRun | None, codes: list[str]) -> dict[str, float | None]:
    """The scores of the page's agencies in another audit, by code: what the change columns need."""
    if audit is None:
        return {}
    return dict(session.execute(select(Agency.code, Score.total).join(Score, Score.agency_id == Agency.id)
                                .where(Score.audit_run_id == audit.id, Agency.code.in_(codes))).all())


def _delta(now: float | None, before: float | None) -> float | None:
    return round(now - before, 1) if now is not None and before is not None else None
