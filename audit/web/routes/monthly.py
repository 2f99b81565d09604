"""Monthly reports: the list, each version's files, and an administrator's remake."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy import select
from starlette.background import BackgroundTask

from minhbach.audit.reports.monthly.freeze import MonthlyError, freeze
from minhbach.audit.reports.monthly.publish import DEFAULT_ISSUER, publish
from minhbach.audit.store.models import MonthlyReport, User
from minhbach.audit.web.inputs import Id, month
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import admin, check_csrf, province

router = APIRouter()


@router.get("/monthly", response_class=HTMLResponse)
def monthly_page(request: Request, user: User = Depends(province)):
    with request.app.state.sessions() as session:
        reports = list(session.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc(),
                                                                      MonthlyReport.version.desc())))
    return render(request, "monthly.html", user, reports=reports)


@router.get("/monthly/{report_id}/{fmt}")
def monthly_file(request: Request, report_id: Id, fmt: str, user: User = Depends(province)):
    if fmt not in ("xlsx", "csv", "docx"):
        raise HTTPException(status_code=404)
    issuer = request.app.state.settings.report.issuer or DEFAULT_ISSUER
    with request.app.state.sessions() as session:
        report = session.get(MonthlyReport, report_id)
        if report is None:
            raise HTTPException(status_code=404)
        folder = Path(tempfile.mkdtemp(prefix="minhbach-monthly-"))
        path = next(p for p in publish(report, folder, issuer) if p.suffix == f".{fmt}")
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))


@router.post("/monthly/republish")
def monthly_republish(request: Request, month_text: str = Form("", alias="month"), reason: str = Form(""),
                      csrf: str = Form(""), user: User = Depends(admin)):
    check_csrf(request, csrf)
    with request.app.state.sessions() as session:
        try:
            freeze(session, month(month_text), "", None, request.app.state.settings.default_rubric, True, reason)
        except MonthlyError as error:
            raise HTTPException(status_code=400, detail=str(error)) from None
    return RedirectResponse("/monthly", status_code=303)
