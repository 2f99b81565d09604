"""Settings an administrator changes from the dashboard: which rubric scores the audits."""
from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from minhbach.audit.judge.choice import choice_history, choose, current_choice, rubric_for_audit
from minhbach.audit.judge.rubric import RubricError, available, load_rubric
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import check_csrf, require_admin
from minhbach.audit.words.i18n import _

router = APIRouter()


def _admin(request: Request):
    return require_admin(request, _("Only an administrator changes the settings."))


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request):
    return _page(request, _admin(request), [], 200)


@router.post("/settings/rubric")
def settings_rubric(request: Request, rubric: str = Form(""), reason: str = Form(""), csrf: str = Form("")):
    user = _admin(request)
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
