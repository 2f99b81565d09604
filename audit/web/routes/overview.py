"""The overview: every visible agency's score in one audit, with filters, sorting, pages and
the change since the audit before and since last month."""
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
from minhbach.audit.web.security import signed_in, visible_codes

router = APIRouter()
PER_PAGE = 50
SORTS = {"code": "agency_code", "name": "agency_name", "score": "score", "grade": "grade",
         "coverage": "coverage", "change": "change"}


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, audit: str = "", q: str = "", province: str = "", parent: str = "",
             level: str = "", grade: str = "", unknown: bool = False, sort: str = "code", order: str = "asc",
             page: PageNumber = 1, user: User = Depends(signed_in)):
    codes = visible_codes(request, user)
    with request.app.state.sessions() as session:
        audit_run = pick_audit(session, optional_id(audit, "audit"))
        if audit_run is None:
            return render(request, "overview.html", user, audit=None, rows=[], total=0)
        rows = [r for r in score_rows(session, audit_run) if codes is None or r["agency_code"] in codes]
        columns = [(k, h) for k, h in score_columns(session, audit_run) if k.startswith("cat_")]
        before = previous_audit(session, audit_run)
        month = f"{audit_run.audit_date:%Y-%m}"
        last_month = last_complete_audit(session, previous_month(month), audit_run.rubric_id)
        earlier, monthly = _totals(session, before), _totals(session, last_month)
        audits = list(session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(60)))
    for row in rows:
        row["change"] = _delta(row["score"], earlier.get(row["agency_code"]))
        row["change_month"] = _delta(row["score"], monthly.get(row["agency_code"]))
    options = {"province": sorted({r["province"] for r in rows}),
               "parent": sorted({r["parent_code"] for r in rows if r["parent_code"]}),
               "level": sorted({r["level"] for r in rows}), "grade": sorted({r["grade"] for r in rows})}
    needle = q.strip().lower()
    shown = [r for r in rows
             if (not needle or needle in r["agency_code"].lower() or needle in r["agency_name"].lower())
             and (not province or r["province"] == province) and (not parent or r["parent_code"] == parent)
             and (not level or r["level"] == level) and (not grade or r["grade"] == grade)
             and (not unknown or r["score"] is None)]
    key = SORTS.get(sort, "agency_code")
    present = [r for r in shown if r[key] is not None]
    present.sort(key=lambda r: r[key], reverse=order == "desc")
    shown = present + [r for r in shown if r[key] is None]  # the unknown last, whatever the order
    pages = max(1, -(-len(shown) // PER_PAGE))
    page = min(max(page, 1), pages)
    return render(request, "overview.html", user, audit=audit_run, audits=audits, columns=columns,
                  rows=shown[(page - 1) * PER_PAGE: page * PER_PAGE], total=len(shown), page=page, pages=pages,
                  options=options, before=before, last_month=last_month,
                  query={key: value for key, value in (  # what the links carry: only what is set
                      ("q", q), ("province", province), ("parent", parent), ("level", level), ("grade", grade),
                      ("unknown", "true" if unknown else ""), ("sort", sort), ("order", order),
                      ("audit", audit)) if value})


def _totals(session: Session, audit: AuditRun | None) -> dict[str, float | None]:
    """Each agency's score in an audit, by code: all the change columns need of it."""
    if audit is None:
        return {}
    return dict(session.execute(select(Agency.code, Score.total).join(Score, Score.agency_id == Agency.id)
                                .where(Score.audit_run_id == audit.id)).all())


def _delta(now: float | None, before: float | None) -> float | None:
    return round(now - before, 1) if now is not None and before is not None else None
