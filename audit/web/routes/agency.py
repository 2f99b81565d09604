"""One agency in one audit: its score, each finding with its law and evidence, its history."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from minhbach.audit.judge.changes import history
from minhbach.audit.judge.disputes import may_open
from minhbach.audit.reports.rows import finding_rows, score_rows
from minhbach.audit.store.models import Agency, CrawlRun, Dispute, SiteCrawl, User
from minhbach.audit.web.inputs import OptionalId
from minhbach.audit.web.lookups import pick_audit
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import require_visible, signed_in, visible_codes
from minhbach.audit.words.i18n import _
from minhbach.rules.registry import all_rules

router = APIRouter()


@router.get("/agency/{code}", response_class=HTMLResponse)
def agency_page(request: Request, code: str, audit: OptionalId = None, user: User = Depends(signed_in)):
    require_visible(request, user, code)
    rules = all_rules()
    with request.app.state.sessions() as session:
        audit_run = pick_audit(session, audit)
        if audit_run is None:
            raise HTTPException(status_code=404, detail=_("There is no audit yet."))
        score = next(iter(score_rows(session, audit_run, code)), None)
        if score is None:
            raise HTTPException(status_code=404, detail=_("Agency '{code}' is not in audit {id}.").format(
                code=code, id=audit_run.id))
        findings = finding_rows(session, audit_run, code)
        # one rubric's scores make a line; another rubric's are another measure
        past = [row for row in history(session, code) if row["rubric_id"] == audit_run.rubric_id]
        crawl = session.scalar(select(SiteCrawl).join(CrawlRun).where(
            CrawlRun.id == audit_run.crawl_run_id, SiteCrawl.agency.has(code=code)))
        agency = session.scalar(select(Agency).where(Agency.code == code))
        assert agency is not None  # the audit scored it just above
        children = (visible_codes(request, user) or set()) - {user.agency_code}
        for row in findings:
            rule = rules.get(row["rule_code"])
            row["citations"] = rule.citations if rule else ()
            row["doc"] = rule.doc if rule else ""
            row["may_dispute"] = may_open(user, agency, row["outcome"], row["override_id"], children)
        open_disputes = list(session.scalars(select(Dispute).where(Dispute.agency_id == agency.id)
                                             .order_by(Dispute.id.desc())))
    return render(request, "agency.html", user, audit=audit_run, score=score, findings=findings,
                  chart=_chart(past), history=past, crawl=crawl, disputes=open_disputes)


def _chart(past: list[dict], width: int = 560, height: int = 120) -> dict:
    """An inline SVG line of the scores over the audits of one rubric (no script, no library); a
    new version of the rubric is a dashed mark on the line, and where the agency's scores came
    under another rubric before, the caption says so (those are another measure, not drawn)."""
    notes = [f"{row['audit_date']:%d/%m/%Y}: {row['note']}" for row in past if row["note"]]
    points = [(row["audit_date"], row["score"], row["note_code"]) for row in past if row["score"] is not None]
    if len(points) < 2:  # one point is no line: the score is in the heading
        return {"points": "", "dots": [], "marks": [], "notes": notes, "width": width, "height": height}
    step = (width - 40) / max(1, len(points) - 1)
    dots = [(20 + i * step, height - 10 - (score / 100) * (height - 20), day, score)
            for i, (day, score, _note) in enumerate(points)]
    marks = [x for (x, _y, _d, _s), (_day, _score, note) in zip(dots, points)
             if note and note["kind"] == "rubric_version_changed"]
    return {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in dots), "dots": dots, "marks": marks,
            "notes": notes, "width": width, "height": height}
