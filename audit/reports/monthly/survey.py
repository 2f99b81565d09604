"""Survey figures for items 5, 6 and 8 of the monthly report: the agencies supply them; a CSV
(agency_code, month, item, value, note) is checked whole, one line per problem, and stored only
when every line is right."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, SurveyValue
from minhbach.audit.words.i18n import _

COLUMNS = ("agency_code", "month", "item", "value", "note")
def survey_items() -> dict[int, tuple[str, str, float, float]]:
    """item -> (Vietnamese title, unit, lowest, highest), from data/monthly_items.yaml."""
    from minhbach.audit.reports.monthly.content import monthly_items

    return {number: (spec["title"], spec["survey"]["unit"], spec["survey"]["lowest"], spec["survey"]["highest"])
            for number, spec in monthly_items().items() if "survey" in spec}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class SurveyError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SurveyRow:
    agency_code: str
    month: str
    item: int
    value: float
    note: str


def parse_survey(path: Path, known_codes: set[str]) -> list[SurveyRow]:
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SurveyError([_("{name}:1: (file): not UTF-8 text ({reason} at byte {start})").format(
            name=name, reason=error.reason, start=error.start)]) from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SurveyError([_("{name}:1: (header): missing column(s) {missing}; expected {columns}").format(
            name=name, missing=', '.join(missing), columns=','.join(COLUMNS))])
    rows, problems, items = [], [], survey_items()
    seen: dict[tuple[str, str, int], int] = {}   # (agency, month, item) -> its line
    for line, record in enumerate(reader, start=2):
        def bad(field: str, message: str, line: int = line) -> None:
            problems.append(_("{name}:{line}: {field}: {message}").format(
                name=name, line=line, field=field, message=message))

        code = (record.get("agency_code") or "").strip()
        month = (record.get("month") or "").strip()
        if code not in known_codes:
            bad("agency_code", _("unknown agency '{code}' (see `minhbach agencies list`)").format(code=code))
        if not _MONTH.match(month):
            bad("month", _("'{month}' is not a month written YYYY-MM").format(month=month))
        try:
            item = int((record.get("item") or "").strip())
        except ValueError:
            item = None
        if item not in items:
            bad("item", _("'{item}' is not 5, 6 or 8 (the survey items of the report)").format(
                item=record.get('item')))
            continue
        raw = (record.get("value") or "").strip().replace(",", ".").rstrip("%").strip()
        try:
            value = float(raw)
        except ValueError:
            bad("value", _("'{value}' is not a number").format(value=record.get('value')))
            continue
        _title, unit, low, high = items[item]
        if not low <= value <= high:
            bad("value", _("{value:g} {unit} is outside {low}-{high} for item {item}").format(
                value=value, unit=unit, low=low, high=high, item=item))
            continue
        key = (code, month, item)
        if key in seen:
            bad("item", _("item {item} of {code} for {month} is already on line {line}").format(
                item=item, code=code, month=month, line=seen[key]))
            continue
        seen[key] = line
        rows.append(SurveyRow(code, month, item, value, (record.get("note") or "").strip()))
    if problems:
        raise SurveyError(problems)
    return rows


def import_survey(session: Session, path: Path) -> int:
    """Store a checked survey file (a figure already there for the same agency, month and item
    is replaced); nothing is stored when any line is wrong."""
    agencies = dict(session.execute(select(Agency.code, Agency.id)).all())
    rows = parse_survey(path, set(agencies))
    for row in rows:
        session.execute(delete(SurveyValue).where(SurveyValue.agency_id == agencies[row.agency_code],
                                                  SurveyValue.month == row.month, SurveyValue.item == row.item))
        session.add(SurveyValue(agency_id=agencies[row.agency_code], month=row.month, item=row.item,
                                value=row.value, note=row.note, source_file=str(path)))
    session.commit()
    return len(rows)
