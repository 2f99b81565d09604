"""The nights' crawls and audits, and what changed between two audits."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from minhbach.audit.judge.changes import ChangesError, diff_audits, pick_audits
from minhbach.audit.store.models import AuditRun, CrawlRun
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import current_user, visible_codes

router = APIRouter()


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request):
    user = current_user(request)
    with request.app.state.sessions() as session:
        crawls = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(100)))
        audits = list(session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(100)))
    return render(request, "runs.html", user, crawls=crawls, audits=audits)


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, before: str = "", after: str = ""):
    user = current_user(request)
    codes = visible_codes(request, user)
    with request.app.state.sessions() as session:
        try:
            older, newer = pick_audits(session, int(before) if before.isdigit() else None,
                                       int(after) if after.isdigit() else None)
        except ChangesError as error:
            return render(request, "changes.html", user, error=str(error), rows=[], sites=[])
        rows, sites = diff_audits(session, older, newer)
    rows = [r for r in rows if codes is None or r["agency_code"] in codes]
    sites = [s for s in sites if codes is None or s.agency_code in codes]
    return render(request, "changes.html", user, error="", rows=rows, sites=sites, older=older, newer=newer)
