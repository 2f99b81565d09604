"""The overview's table in the database: an audit's scores filtered, searched (with or without
diacritics, on the agencies' folded code and name), sorted and paged by SQL, for SQLite and
PostgreSQL alike, so that a page of 50 rows reads 50 rows whatever the province's size."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from minhbach.audit.store.models import Agency, AuditRun, Score
from minhbach.audit.words.names import grade_label
from minhbach.rules.text import fold


@dataclass
class Filters:
    q: str = ""
    province: str = ""
    parent: str = ""
    level: str = ""
    grade: str = ""          # a grade as the reader reads it (grade_label)
    unknown: bool = False    # only the agencies that could not be scored


@dataclass
class ScorePage:
    codes: list[str]                      # the page's agencies, in the table's order
    total: int                            # rows matching the filters
    page: int                             # the page shown (the one asked for, within 1..pages)
    pages: int
    options: dict[str, list[str]] = field(default_factory=dict)


def _grade_text():
    """The grade as grade_label words it, as an SQL expression (to filter and sort on it)."""
    return case((Score.total.is_(None), literal(grade_label(None, ""))),
                (Score.grade == "", literal(grade_label(0.0, ""))), else_=Score.grade)


def score_page(session: Session, audit: AuditRun, filters: Filters, sort: str, descending: bool, page: int,
               per_page: int, codes: Collection[str] | None = None, earlier: AuditRun | None = None) -> ScorePage:
    """The agencies of one page of the overview (`codes` limits them to what the reader may
    see); sort is one of code, name, score, grade, coverage, change (against `earlier`), the
    unknown last whatever the order, ties by code."""
    before = aliased(Score)
    visible = [Score.audit_run_id == audit.id, *([Agency.code.in_(codes)] if codes is not None else [])]
    base = (select(Agency.code).select_from(Score).join(Agency, Agency.id == Score.agency_id)
            .where(*visible))
    change = Score.total - before.total
    if earlier is not None:
        base = base.outerjoin(before, and_(before.agency_id == Score.agency_id, before.audit_run_id == earlier.id))
    grade = _grade_text()
    needle = fold(filters.q)
    wanted = [*([Agency.search_text.contains(needle, autoescape=True)] if needle else []),
              *([Agency.province == filters.province] if filters.province else []),
              *([Agency.parent_code == filters.parent] if filters.parent else []),
              *([Agency.level == filters.level] if filters.level else []),
              *([grade == filters.grade] if filters.grade else []),
              *([Score.total.is_(None)] if filters.unknown else [])]
    query = base.where(*wanted)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    key = {"name": Agency.name, "score": Score.total, "grade": grade, "coverage": Score.coverage,
           "change": change if earlier is not None else None}.get(sort, Agency.code)
    if key is None:  # no earlier audit: no change to sort by
        key = Agency.code
    order = [key.is_(None), key.desc() if descending else key.asc(), Agency.code]
    rows = session.scalars(query.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    return ScorePage(list(rows), total, page, pages, _options(session, visible, grade))


def _options(session: Session, visible, grade) -> dict[str, list[str]]:
    """What each filter may choose, from the visible agencies of the audit (not the filtered)."""
    def distinct(column) -> list[str]:
        found = session.scalars(select(column).distinct().select_from(Score)
                                .join(Agency, Agency.id == Score.agency_id).where(*visible))
        return sorted(value for value in found if value)

    return {"province": distinct(Agency.province), "parent": distinct(Agency.parent_code),
            "level": distinct(Agency.level), "grade": distinct(grade)}
