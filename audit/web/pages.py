"""How a page is drawn: the templates (Jinja, in the reader's language, with the names the
words package renders) and one `render` every route calls."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from minhbach.audit.clock import local
from minhbach.audit.judge.rubric import audit_warning
from minhbach.audit.web.security import csrf_token
from minhbach.audit.words import names
from minhbach.audit.words.i18n import _, language, ngettext
from minhbach.audit.words.numbers import decimal, percent, score_range
from minhbach.audit.words.reasons import reason_text
from minhbach.rules.links import clean_href

TEMPLATES = Path(__file__).parent / "templates"
NAMES = ("level_name", "outcome_name", "site_status_name", "run_status_name", "family_name", "role_name",
         "dispute_status_name", "dispute_action_name", "change_kind_name", "reachability_name")


def safe_url(address: object) -> str:
    """An address fit for an href: absolute http(s), read as a browser reads it; else "" (the
    template then shows the text without a link). The crawl stores only such addresses; this is
    the second line, for what came in another way (a dispute's form, an older store)."""
    if not isinstance(address, str):
        return ""
    cleaned = clean_href(address)
    scheme, _colon, rest = cleaned.partition(":")
    if scheme.lower() not in ("http", "https") or not rest.startswith("//") or len(rest) < 3:
        return ""
    return cleaned


@pass_context
def clock(context, moment) -> str:
    """A stored moment (UTC) as "14:05 07/12/2026" on the province's clocks."""
    return f"{local(moment, context['request'].app.state.settings.timezone):%H:%M %d/%m/%Y}" if moment else ""


def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=TEMPLATES)
    found.env.add_extension("jinja2.ext.i18n")
    # the i18n extension, added just above, puts this method on the environment
    found.env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    found.env.filters["safe_url"] = safe_url
    found.env.filters["decimal"] = decimal
    found.env.filters["clock"] = clock
    found.env.globals["score_range"] = score_range
    found.env.globals["percent"] = percent
    found.env.globals.update(lang=language, audit_warning=audit_warning, reason_text=reason_text,
                             **{name: getattr(names, name) for name in NAMES})
    return found


def render(request: Request, name: str, user: Any, status_code: int = 200, headers: Mapping[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """Template `name` for `user` (None before login), with the form token every page's forms carry."""
    return request.app.state.templates.TemplateResponse(
        request, name, {"user": user, "csrf": csrf_token(request), **context},
        status_code=status_code, headers=headers)
