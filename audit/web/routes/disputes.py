"""Disputes: an agency contests a finding, a reviewer comments, an administrator decides."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.judge.disputes import DisputeError, DisputeForbidden, comment, decide, may_decide, open_dispute
from minhbach.audit.store.models import Agency, Dispute, DisputeEvent, Finding, User
from minhbach.audit.web.inputs import Id, optional_id
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import check_csrf, require_visible, signed_in, visible_codes
from minhbach.rules.registry import all_rules

router = APIRouter()


@router.post("/disputes")
def dispute_open(request: Request, finding: str = Form(""), note: str = Form(""), url: str = Form(""),
                 csrf: str = Form(""), user: User = Depends(signed_in)):
    check_csrf(request, csrf)
    with request.app.state.sessions() as session:
        row = session.get(Finding, optional_id(finding, "finding") or 0)
        if row is None:
            raise HTTPException(status_code=404)
        agency = session.get(Agency, row.agency_id)
        assert agency is not None  # a finding's agency_id is a foreign key
        require_visible(request, user, agency.code)
        try:
            opened = open_dispute(session, user, row, note, url,
                                  (visible_codes(request, user) or set()) - {user.agency_code})
        except DisputeError as error:
            raise _refused(error) from None
    return RedirectResponse(f"/disputes#d{opened.id}", status_code=303)


@router.get("/disputes", response_class=HTMLResponse)
def disputes_page(request: Request, user: User = Depends(signed_in)):
    codes = visible_codes(request, user)
    with request.app.state.sessions() as session:
        every = session.execute(select(Dispute, Agency).join(Agency, Agency.id == Dispute.agency_id)
                                .order_by(Dispute.status != "open", Dispute.id.desc())).all()
        rows = [(d, a) for d, a in every if codes is None or a.code in codes]
        events = {d.id: list(session.scalars(select(DisputeEvent).where(DisputeEvent.dispute_id == d.id)
                                             .order_by(DisputeEvent.id))) for d, _ in rows}
    return render(request, "disputes.html", user, rows=rows, events=events, may_decide=may_decide,
                  rules=all_rules())


@router.post("/disputes/{dispute_id}/comment")
def dispute_comment(request: Request, dispute_id: Id, note: str = Form(""), csrf: str = Form(""),
                    user: User = Depends(signed_in)):
    check_csrf(request, csrf)
    with request.app.state.sessions() as session:
        try:
            comment(session, user, _visible_dispute(session, request, user, dispute_id), note)
        except DisputeError as error:
            raise _refused(error) from None
    return RedirectResponse(f"/disputes#d{dispute_id}", status_code=303)


@router.post("/disputes/{dispute_id}/decide")
def dispute_decide(request: Request, dispute_id: Id, decision: str = Form(""), reason: str = Form(""),
                   outcome: str = Form("pass"), csrf: str = Form(""), user: User = Depends(signed_in)):
    check_csrf(request, csrf)
    with request.app.state.sessions() as session:
        try:
            decide(session, user, _visible_dispute(session, request, user, dispute_id), decision == "accept",
                   reason, outcome)
        except DisputeError as error:
            raise _refused(error) from None
    return RedirectResponse(f"/disputes#d{dispute_id}", status_code=303)


def _visible_dispute(session: Session, request: Request, user: User, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise HTTPException(status_code=404)
    agency = session.get(Agency, dispute.agency_id)
    assert agency is not None  # a dispute's agency_id is a foreign key
    require_visible(request, user, agency.code)
    return dispute


def _refused(error: DisputeError) -> HTTPException:
    return HTTPException(status_code=403 if isinstance(error, DisputeForbidden) else 400, detail=str(error))
