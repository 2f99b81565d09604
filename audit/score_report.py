"""Score tables and findings as rows: for the terminal, CSV (Vietnamese headers) and JSON
(stable English keys)."""
from __future__ import annotations

import re

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, AuditRun, Finding, Score
from minhbach.rules.registry import LEVEL_NAMES
from minhbach.rules.registry import all_rules
from minhbach.rules.results import OUTCOME_VI, Outcome

# JSON: stable English keys. Files for people: Vietnamese labels (family_vi, value_vi...).
FINDING_KEYS = ("agency_code", "rule_code", "family", "outcome", "partial", "evidence_url", "snippet", "value",
                "date", "note", "stored_copy", "override_id", "rule_outcome")
FAMILY_VI = {  # the rule families, as officers name them
    "budget": "Ngân sách", "contacts": "Liên hệ", "direction": "Chỉ đạo, điều hành", "drafts": "Dự thảo",
    "online_services": "Dịch vụ công", "hotline": "Đường dây nóng", "investment": "Đầu tư",
    "legal_documents": "Văn bản", "legal_guidance": "Phổ biến pháp luật", "news": "Tin tức",
    "organisation": "Tổ chức", "projects": "Dự án", "plans": "Quy hoạch, kế hoạch", "qa": "Hỏi đáp",
    "site": "Trang web", "tenders": "Đấu thầu", "access_to_information": "Tiếp cận thông tin",
    "procedures": "Thủ tục hành chính",
}
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


FINDING_COLUMNS = [
    ("agency_code", "Mã cơ quan"),
    ("agency_name", "Tên cơ quan"),
    ("rule_code", "Mã tiêu chí"),
    ("rule_title", "Tiêu chí"),
    ("family_vi", "Nhóm"),
    ("outcome_vi", "Kết quả"),
    ("evidence_url", "Địa chỉ bằng chứng"),
    ("snippet", "Trích đoạn"),
    ("value_vi", "Giá trị"),
    ("date_vi", "Ngày"),
    ("note", "Ghi chú"),
]


def latest_audit(session: Session) -> AuditRun | None:
    return session.scalar(select(AuditRun).order_by(AuditRun.id.desc()).limit(1))


def score_columns(session: Session, audit: AuditRun) -> list[tuple[str, str]]:
    """Fixed columns, then one per rubric category in the rubric's order."""
    categories = []
    for score in session.scalars(select(Score).where(Score.audit_run_id == audit.id).order_by(Score.id)):
        if score.categories:
            categories = [(f"cat_{cid}", c["title"]) for cid, c in score.categories.items()]
            break
    if not categories:  # no site could be scored: the columns are the rubric's all the same
        from minhbach.audit.rubric import RubricError, load_rubric

        try:
            categories = [(f"cat_{c.id}", c.title) for c in load_rubric(audit.rubric_id).categories]
        except RubricError:
            pass
    return ([("agency_code", "Mã cơ quan"), ("agency_name", "Tên cơ quan"), ("level_vi", "Cấp"),
             ("score", "Điểm"), ("grade", "Xếp loại")] + categories +
            [("coverage_pct", "Độ bao phủ (%)"), ("passed", "Đạt"), ("failed", "Không đạt"),
             ("review", "Cần xem lại"), ("errors", "Không đánh giá được"), ("reason", "Lý do / ghi chú"),
             ("rubric", "Bộ tiêu chí"), ("audit_date_vi", "Ngày đánh giá"), ("crawl_run", "Lượt thu thập")])


def score_rows(session: Session, audit: AuditRun, agency_code: str | None = None) -> list[dict]:
    """The audit's scores, one row per agency (or only `agency_code`'s)."""
    rows = []
    day, day_vi = audit.audit_date.isoformat(), audit.audit_date.strftime("%d/%m/%Y")
    # Columns, not ORM objects: a province's 5,000 rows are read on every dashboard page.
    for r in session.execute(
            select(Score.total, Score.grade, Score.coverage, Score.categories, Score.counts, Score.reason,
                   Agency.code, Agency.name, Agency.level, Agency.province, Agency.parent_code)
            .join(Agency, Score.agency_id == Agency.id)
            .where(Score.audit_run_id == audit.id, *([Agency.code == agency_code] if agency_code else []))
            .order_by(Agency.code)).all():
        counts = r.counts or {}
        row = {
            "agency_code": r.code, "agency_name": r.name, "level": r.level,
            "level_vi": LEVEL_NAMES.get(r.level, r.level),
            "province": r.province, "parent_code": r.parent_code or "",
            "score": r.total, "grade": r.grade if r.total is not None else "Không xác định",
            "coverage": r.coverage, "coverage_pct": round(100 * r.coverage),
            "passed": counts.get("pass", 0), "failed": counts.get("fail", 0),
            "review": counts.get("needs_review", 0), "errors": counts.get("error", 0),
            "reason": r.reason, "rubric": f"{audit.rubric_id} ({audit.rubric_version})",
            "rubric_id": audit.rubric_id, "rubric_version": audit.rubric_version,
            "audit_date": day, "audit_date_vi": day_vi, "crawl_run": audit.crawl_run_id,
            "categories": {cid: c["score"] for cid, c in (r.categories or {}).items()},
        }
        for cid, category in (r.categories or {}).items():
            row[f"cat_{cid}"] = category["score"]
        rows.append(row)
    return rows


def score_json(row: dict) -> dict:
    keys = ("agency_code", "agency_name", "level", "score", "grade", "coverage", "categories", "reason",
            "rubric_id", "rubric_version", "audit_date", "crawl_run")
    out = {key: row[key] for key in keys}
    if row["score"] is None:
        out["grade"] = None
    return out


def finding_rows(session: Session, audit: AuditRun, agency_code: str | None = None) -> list[dict]:
    rules = all_rules()
    query = (select(Finding, Agency).join(Agency, Finding.agency_id == Agency.id)
             .where(Finding.audit_run_id == audit.id).order_by(Agency.code, Finding.rule_code))
    if agency_code:
        query = query.where(Agency.code == agency_code)
    rows = []
    for finding, agency in session.execute(query):
        rule = rules.get(finding.rule_code)
        outcome_vi = OUTCOME_VI[Outcome(finding.outcome)]
        if finding.outcome == "fail" and finding.partial:
            outcome_vi += " (một phần)"
        if finding.override_id:  # decided on a dispute or review: said wherever it is shown
            outcome_vi += f" (đã điều chỉnh, khiếu nại #{finding.override_id})"
        rows.append({
            "agency_code": agency.code, "agency_name": agency.name, "rule_code": finding.rule_code,
            "rule_title": rule.title_vi if rule else "", "family": finding.family,
            "family_vi": FAMILY_VI.get(finding.family, finding.family), "outcome": finding.outcome,
            "outcome_vi": outcome_vi, "partial": finding.partial, "evidence_url": finding.evidence_url,
            "snippet": finding.snippet, "value": finding.value, "value_vi": national_phones(finding.value),
            "date": finding.evidence_date.isoformat() if finding.evidence_date else "",
            "date_vi": finding.evidence_date.strftime("%d/%m/%Y") if finding.evidence_date else "",
            "note": finding.note, "stored_copy": finding.stored_copy, "override_id": finding.override_id,
            "rule_outcome": finding.rule_outcome, "finding_id": finding.id,
        })
    return rows


def finding_json(row: dict) -> dict:
    return {key: row[key] for key in FINDING_KEYS}
