"""The nights' crawls and audits (what changed between two audits: routes/changes.py)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from minhbach.audit.store.models import Agency, AuditRun, CrawlRun, SiteCrawl, User
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import signed_in, visible_codes

router = APIRouter()


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, user: User = Depends(signed_in)):
    """The nights; an agency account sees those that crawled its sites, without the night's
    own notes (they may name other sites)."""
    codes = visible_codes(request, user)
    with request.app.state.sessions() as session:
        query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(100)
        if codes is not None:
            query = query.where(CrawlRun.id.in_(select(SiteCrawl.run_id).join(Agency, Agency.id == SiteCrawl.agency_id)
                                                .where(Agency.code.in_(codes))))
        crawls = list(session.scalars(query))
        audits = list(session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(100)))
    return render(request, "runs.html", user, crawls=crawls, audits=audits, notes=codes is None)
