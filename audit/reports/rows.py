"""Score tables and findings as rows: for the terminal, CSV (headers in the reader's language)
and JSON (stable English keys)."""
from __future__ import annotations

import re
from collections.abc import Collection

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minhbach.audit.judge.scoring import interval
from minhbach.audit.store.models import Agency, AuditRun, Dispute, Finding, Score
from minhbach.audit.words.i18n import N_, _
from minhbach.audit.words.names import family_name, grade_label, level_name, outcome_name, rule_title
from minhbach.audit.words.reasons import reason_text
from minhbach.rules.registry import all_rules

# JSON: stable English keys. Files for people: labels in their language (family_label, value_label...).
FINDING_KEYS = ("agency_code", "rule_code", "family", "outcome", "partial", "evidence_url", "snippet", "value",
                "date", "note", "stored_copy", "override_id", "rule_outcome")
_E164_VN = re.compile(r"\+84\d{8,10}")


def national_phones(text: str) -> str:
    """+842113845113 -> 0211 3845 113: how an officer writes a number (and no spreadsheet
    takes it for a number to be shown as 8.42114E+11)."""
    def national(match: re.Match) -> str:
        try:
            return phonenumbers.format_number(phonenumbers.parse(match.group(0), "VN"),
                                              phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            return match.group(0)

    return _E164_VN.sub(national, text or "")


_FINDING_COLUMNS = [
    ("agency_code", N_("Agency code")),
    ("agency_name", N_("Agency name")),
    ("rule_code", N_("Rule code")),
    ("rule_title", N_("Rule")),
    ("family_label", N_("Family")),
    ("outcome_label", N_("Outcome")),
    ("evidence_url", N_("Evidence address")),
    ("snippet", N_("Snippet")),
    ("value_label", N_("Value")),
    ("date_label", N_("Date")),
    ("note", N_("Note")),
]


def finding_columns() -> list[tuple[str, str]]:
    """The findings table's keys and headers, in the reader's language."""
    return [(key, _(header)) for key, header in _FINDING_COLUMNS]


def latest_audit(session: Session) -> AuditRun | None:
    return session.scalar(select(AuditRun).order_by(AuditRun.id.desc()).limit(1))


def score_columns(session: Session, audit: AuditRun) -> list[tuple[str, str]]:
    """Fixed columns, then one per rubric category in the rubric's order."""
    categories = []
    # the first scored site's categories (one row read, however many agencies the audit has)
    first = session.scalar(select(Score.categories).where(Score.audit_run_id == audit.id, Score.total.is_not(None))
                           .order_by(Score.id).limit(1))
    if first:
        categories = [(f"cat_{cid}", c["title"]) for cid, c in first.items()]
    if not categories:  # no site could be scored: the columns are the rubric's all the same
        from minhbach.audit.judge.rubric import RubricError, load_rubric

        try:
            categories = [(f"cat_{c.id}", c.title) for c in load_rubric(audit.rubric_id).categories]
        except RubricError:
            pass
    return ([("agency_code", _("Agency code")), ("agency_name", _("Agency name")), ("level_label", _("Level")),
             ("score", _("Score")), ("score_high", _("Best score possible")), ("grade", _("Grade"))] + categories +
            [("coverage_pct", _("Coverage (%)")), ("passed", outcome_name("pass")), ("failed", outcome_name("fail")),
             ("review", outcome_name("needs_review")), ("errors", outcome_name("error")),
             ("reason", _("Reason / note")), ("rubric", _("Rubric")), ("audit_date_label", _("Audit date")),
             ("crawl_run", _("Crawl"))])


def score_rows(session: Session, audit: AuditRun, agency_code: str | None = None,
               agency_codes: Collection[str] | None = None, offset: int = 0, limit: int | None = None) -> list[dict]:
    """The audit's scores, one row per agency (or only `agency_code`'s, or `agency_codes`'), by
    code; `offset`/`limit` read one page of them in the database."""
    rows = []
    day, day_label = audit.audit_date.isoformat(), audit.audit_date.strftime("%d/%m/%Y")
    # Columns, not ORM objects: a province's 5,000 rows are read on every dashboard page.
    for r in session.execute(
            select(Score.total, Score.grade, Score.coverage, Score.categories, Score.counts, Score.reason,
                   Agency.code, Agency.name, Agency.level, Agency.province, Agency.parent_code)
            .join(Agency, Score.agency_id == Agency.id)
            .where(Score.audit_run_id == audit.id, *([Agency.code == agency_code] if agency_code else []),
                   *([Agency.code.in_(agency_codes)] if agency_codes is not None else []))
            .order_by(Agency.code).offset(offset).limit(limit)).all():
        counts = r.counts or {}
        row = {
            "agency_code": r.code, "agency_name": r.name, "level": r.level,
            "level_label": level_name(r.level),
            "province": r.province, "parent_code": r.parent_code or "",
            "score": r.total, "score_high": interval(r.categories or {})[1] if r.total is not None else None,
            "grade": grade_label(r.total, r.grade), "grade_code": r.grade,
            "coverage": r.coverage, "coverage_pct": round(100 * r.coverage, 1),
            "passed": counts.get("pass", 0), "failed": counts.get("fail", 0),
            "review": counts.get("needs_review", 0), "errors": counts.get("error", 0),
            "reason": reason_text(r.reason), "reason_code": r.reason,
            "rubric": f"{audit.rubric_id} ({audit.rubric_version})",
            "rubric_id": audit.rubric_id, "rubric_version": audit.rubric_version,
            "audit_date": day, "audit_date_label": day_label, "crawl_run": audit.crawl_run_id,
            "categories": {cid: c["score"] for cid, c in (r.categories or {}).items()},
        }
        for cid, category in (r.categories or {}).items():
            row[f"cat_{cid}"] = category["score"]
        rows.append(row)
    return rows


def counted_rows(session: Session, audit: AuditRun, findings: bool, agency_code: str | None = None,
                 agency_codes: Collection[str] | None = None) -> int:
    """How many rows score_rows (or, with `findings`, finding_rows) gives for the same arguments."""
    table = Finding if findings else Score
    query = (select(func.count()).select_from(table).join(Agency, Agency.id == table.agency_id)
             .where(table.audit_run_id == audit.id))
    if agency_code:
        query = query.where(Agency.code == agency_code)
    if agency_codes is not None:
        query = query.where(Agency.code.in_(agency_codes))
    return session.scalar(query) or 0


def score_json(row: dict) -> dict:
    keys = ("agency_code", "agency_name", "level", "score", "score_high", "grade", "coverage", "categories",
            "reason", "rubric_id", "rubric_version", "audit_date", "crawl_run")
    out = {key: row[key] for key in keys}
    out["grade"] = row["grade_code"] or None     # the rubric's band; None: unknown, or too little judged
    out["reason_code"] = row["reason_code"]      # the reason as a code (its words are in "reason")
    return out


def finding_rows(session: Session, audit: AuditRun, agency_code: str | None = None,
                 agency_codes: Collection[str] | None = None, offset: int = 0, limit: int | None = None) -> list[dict]:
    """The audit's findings by agency and rule; `offset`/`limit` read one page in the database."""
    rules = all_rules()
    query = (select(Finding, Agency, Dispute.reason).join(Agency, Finding.agency_id == Agency.id)
             .outerjoin(Dispute, Dispute.id == Finding.override_id)
             .where(Finding.audit_run_id == audit.id).order_by(Agency.code, Finding.rule_code)
             .offset(offset).limit(limit))
    if agency_code:
        query = query.where(Agency.code == agency_code)
    if agency_codes is not None:
        query = query.where(Agency.code.in_(agency_codes))
    rows = []
    for finding, agency, decided_because in session.execute(query):
        rule = rules.get(finding.rule_code)
        outcome_label = outcome_name(finding.outcome)
        if finding.outcome == "fail" and finding.partial:
            outcome_label += " " + _("(in part)")
        if finding.override_id:  # decided on a dispute or review: said wherever it is shown
            outcome_label += " " + _("(adjusted, dispute #{id})").format(id=finding.override_id)
        rows.append({
            "agency_code": agency.code, "agency_name": agency.name, "rule_code": finding.rule_code,
            "rule_title": rule_title(rule) if rule else "", "family": finding.family,
            "family_label": family_name(finding.family), "outcome": finding.outcome,
            "outcome_label": outcome_label, "partial": finding.partial, "evidence_url": finding.evidence_url,
            "snippet": finding.snippet, "value": finding.value, "value_label": national_phones(finding.value),
            "date": finding.evidence_date.isoformat() if finding.evidence_date else "",
            "date_label": finding.evidence_date.strftime("%d/%m/%Y") if finding.evidence_date else "",
            "note": (_("Adjusted after dispute #{id}: {reason}").format(id=finding.override_id, reason=decided_because)
                     if finding.override_id else finding.note),
            "stored_copy": finding.stored_copy, "override_id": finding.override_id,
            "rule_outcome": finding.rule_outcome, "finding_id": finding.id, "facts": finding.facts or {},
            "rule_version": finding.rule_version,
        })
    return rows


def finding_json(row: dict) -> dict:
    return {key: row[key] for key in FINDING_KEYS}
