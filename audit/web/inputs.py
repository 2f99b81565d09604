"""What a request may carry, checked before any route reads it: a bad value is a 4xx with one
line saying what, never a traceback. Ids are whole numbers the store can hold (ASCII digits:
"²" and "٣" are digits to Python, not to us), months are YYYY-MM, text holds no NUL or other
control character, form fields are text (a file sent for a field is refused), and the page to
return to after login is one of ours."""
from __future__ import annotations

import re
from typing import Annotated

from fastapi import HTTPException, Path, Query, Request
from starlette.datastructures import UploadFile

from minhbach.audit.words.i18n import _

MAX_ID = 2**31 - 1  # the largest id the store holds (PostgreSQL's integer)
_DIGITS = re.compile(r"[0-9]{1,10}")
_MONTH = re.compile(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])")
# C0 controls but tab and line breaks, DEL, C1 controls: nothing a person types in a form
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_ID)]
# A code or a name in a query, as the schema says it (the API documents what it refuses)
QueryText = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]


def optional_id(text: str, field: str) -> int | None:
    """An id given as free text (a select's value, '' for none): None, or a bounded int; else 400."""
    if not text:
        return None
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        raise HTTPException(status_code=400, detail=_("{field}: expected a number, not '{value}'").format(
            field=field, value=text[:40]))
    return int(text)


def month(text: str) -> str:
    if not _MONTH.fullmatch(text):
        raise HTTPException(status_code=400, detail=_("month: expected YYYY-MM, such as 2026-11, not '{value}'")
                            .format(value=text[:40]))
    return text


async def clean_input(request: Request) -> None:
    """Every query parameter and form field: text, without control characters (an app-wide
    dependency, so no route forgets it)."""
    fields = list(request.query_params.multi_items())
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # parsed once: the route's Form() fields read the same
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                raise HTTPException(status_code=400, detail=_("{field}: expected text, not a file").format(
                    field=name[:40]))
            fields.append((name, value))
    for name, value in fields:
        if _CONTROL.search(name) or _CONTROL.search(value):
            raise HTTPException(status_code=400, detail=_("{field}: control characters are not allowed").format(
                field=_CONTROL.sub("", name)[:40]))


def local_target(target: str) -> str:
    """Where to go after login: a path of this site, never another ("//x", "/\\x", "http:")."""
    if not target.startswith("/") or target[1:2] in ("/", "\\") or _CONTROL.search(target) or "\\" in target:
        return "/"
    return target
