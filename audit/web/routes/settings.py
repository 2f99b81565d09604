"""Settings an administrator changes from the dashboard: which rubric scores the audits."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from minhbach.audit.judge.choice import choice_history, choose, current_choice, rubric_for_audit
from minhbach.audit.judge.rubric import RubricError, available, load_rubric
from minhbach.audit.store.models import User
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import admin, check_csrf

router = APIRouter()


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: User = Depends(admin)):
    return _page(request, user, [], 200)


@router.post("/settings/rubric")
def settings_rubric(request: Request, rubric: str = Form(""), reason: str = Form(""), csrf: str = Form(""),
                    user: User = Depends(admin)):
    check_csrf(request, csrf)
    with request.app.state.sessions() as session:
        try:
            choose(session, rubric, user.username, reason)
        except RubricError as error:
            return _page(request, user, error.problems, 400)
    return RedirectResponse("/settings", status_code=303)


def _page(request: Request, user, problems: list[str], status_code: int) -> HTMLResponse:
    with request.app.state.sessions() as session:
        choice, past = current_choice(session), choice_history(session)
        in_use = rubric_for_audit(session, configured=request.app.state.settings.default_rubric)
    rubrics = []
    for rubric_id in available():
        try:
            rubrics.append(load_rubric(rubric_id))
        except RubricError as error:
            problems = problems + error.problems
    return render(request, "settings.html", user, status_code=status_code, choice=choice, history=past,
                  rubrics=rubrics, in_use=in_use, problems=problems)
