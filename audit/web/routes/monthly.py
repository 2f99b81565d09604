"""Monthly reports: where each month stands (running: its provisional report; over: frozen or
not yet; frozen: current, or a new version due and why), each version's files, and an
administrator's freeze and remake."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy import select
from starlette.background import BackgroundTask

from minhbach.audit.clock import today_in
from minhbach.audit.reports.monthly.freeze import MonthlyError, freeze, provisional_content
from minhbach.audit.reports.monthly.lifecycle import has_audits, month_state, months_to_show
from minhbach.audit.reports.monthly.publish import publish, publish_provisional
from minhbach.audit.store.models import MonthlyReport, User
from minhbach.audit.web.inputs import Id
from minhbach.audit.web.inputs import month as month_input
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import admin, check_csrf, province

router = APIRouter()
FORMATS = ("xlsx", "csv", "docx")
SHOWN_MONTHS = 13   # the states of the last year's months; every version stays in the table below


def _today(request: Request):
    return today_in(request.app.state.settings.timezone)


@router.get("/monthly", response_class=HTMLResponse)
def monthly_page(request: Request, user: User = Depends(province)):
    today = _today(request)
    with request.app.state.sessions() as session:
        states = [month_state(session, m, today) for m in months_to_show(session, today)[:SHOWN_MONTHS]]
        audited = {s.month for s in states if s.state == "open" and has_audits(session, s.month, today)}
        reports = list(session.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc(),
                                                                      MonthlyReport.version.desc())))
    return render(request, "monthly.html", user, reports=reports, states=states, audited=audited)


def _download(paths: list[Path], fmt: str, folder: Path) -> FileResponse:
    path = next(p for p in paths if p.suffix == f".{fmt}")
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))


@router.get("/monthly/provisional/{month}/{fmt}")
def monthly_provisional(request: Request, month: str, fmt: str, user: User = Depends(province)):
    """The running month's report as it stands today: made now, never stored."""
    if fmt not in FORMATS:
        raise HTTPException(status_code=404)
    today = _today(request)
    with request.app.state.sessions() as session:
        try:
            content = provisional_content(session, month_input(month), today)
        except MonthlyError as error:
            raise HTTPException(status_code=404, detail=str(error)) from None
    folder = Path(tempfile.mkdtemp(prefix="minhbach-monthly-"))
    return _download(publish_provisional(content, today, folder, request.app.state.settings), fmt, folder)


@router.get("/monthly/{report_id}/{fmt}")
def monthly_file(request: Request, report_id: Id, fmt: str, user: User = Depends(province)):
    if fmt not in FORMATS:
        raise HTTPException(status_code=404)
    with request.app.state.sessions() as session:
        report = session.get(MonthlyReport, report_id)
        if report is None:
            raise HTTPException(status_code=404)
        folder = Path(tempfile.mkdtemp(prefix="minhbach-monthly-"))
        paths = publish(report, folder, request.app.state.settings)
    return _download(paths, fmt, folder)


def _freeze(request: Request, month_text: str, republish: bool, reason: str) -> RedirectResponse:
    with request.app.state.sessions() as session:
        try:
            freeze(session, month_input(month_text), "", None, None, republish, reason, today=_today(request))
        except MonthlyError as error:
            raise HTTPException(status_code=400, detail=str(error)) from None
    return RedirectResponse("/monthly", status_code=303)


@router.post("/monthly/freeze")
def monthly_freeze(request: Request, month_text: str = Form("", alias="month"), csrf: str = Form(""),
                   user: User = Depends(admin)):
    """A month that is over, frozen now rather than by the next run or night."""
    check_csrf(request, csrf)
    return _freeze(request, month_text, False, "")


@router.post("/monthly/republish")
def monthly_republish(request: Request, month_text: str = Form("", alias="month"), reason: str = Form(""),
                      csrf: str = Form(""), user: User = Depends(admin)):
    check_csrf(request, csrf)
    return _freeze(request, month_text, True, reason)
