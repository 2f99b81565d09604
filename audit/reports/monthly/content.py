"""The content of a monthly report, as plain data (JSON): per agency the nine items of the
provincial plan's appendix, each auto-filled item with its evidence links; score, grade, rank
within its level and change since last month; roll-ups; every finding; the method. This is
what is frozen (and hashed); the XLSX, CSV and DOCX are drawn from it."""
from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minhbach.audit.judge.collection import failed_crawls
from minhbach.audit.judge.rubric import dates_warning, load_rubric
from minhbach.audit.reports.rollups import rollup
from minhbach.audit.reports.rows import finding_rows, national_phones, score_rows
from minhbach.audit.store.models import Agency, AuditRun, CrawlRun, Score, SiteCrawl, SurveyValue
from minhbach.audit.words.names import family_name, level_name
from minhbach.audit.words.numbers import percent, score_range
from minhbach.audit.words.reasons import reason_text
from minhbach.data import DATA_DIR
from minhbach.rules.registry import all_rules

ITEMS_FILE = DATA_DIR / "monthly_items.yaml"
NO_SURVEY = "chưa có số liệu khảo sát"


@lru_cache(maxsize=1)
def monthly_items() -> dict[int, dict]:
    """The nine items of the appendix and where each comes from (data/monthly_items.yaml)."""
    return {int(k): v for k, v in yaml.safe_load(ITEMS_FILE.read_text(encoding="utf-8")).items()}


def month_bounds(month: str) -> tuple[date, date]:
    year, number = map(int, month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _vi(iso: str | None) -> str:
    return f"{date.fromisoformat(iso):%d/%m/%Y}" if iso else ""


def _sentence(text: str) -> str:
    """The first letter upper-case, the rest as written ("HTTP" stays "HTTP")."""
    return text[:1].upper() + text[1:]


def _verdict(row: dict) -> str:
    """"Chiến lược, quy hoạch…: Đạt": a finding's rule and outcome, as the row says them."""
    return f"{row['rule_title']}: {row['outcome_label']}"


def _links(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(r["evidence_url"] for r in rows if r["evidence_url"]))


def _unread(rows: list[dict]) -> str:
    """When a rule of the item could not look (its pages went unread): what to say instead of
    a count of zero."""
    for row in rows:
        facts = row["facts"]
        if facts.get("unread"):
            return (f"chưa đọc được {facts['unread']} trang liên quan ({facts.get('unread_reason', '')}), "
                    "không tính là không có")
    return ""


def _counted(facts: dict) -> list[str]:
    """What a rule counted and dated, in words: "3 mục, mới nhất 09/11/2026"."""
    said = []
    if "items" in facts:
        said.append(f"{facts['items']} mục")
    if "numbered" in facts:
        said.append(f"{facts['numbered']} văn bản có số ký hiệu")
    if "files" in facts:
        said.append(f"{facts['files']} tệp tải về")
    if facts.get("newest"):
        said.append(f"mới nhất {_vi(facts['newest'])}")
    return said


def _verdicts_item(rows: list[dict]) -> dict:
    """An item judged by its families' findings: each rule's outcome, with what it counted."""
    unread = _unread(rows)
    if unread:
        return {"count": None, "text": _sentence(unread), "links": _links(rows)}
    counted = [part for row in rows for part in _counted(row["facts"])]
    counts = [row["facts"][key] for row in rows for key in ("items", "numbered") if key in row["facts"]]
    text = "; ".join(_verdict(r) for r in rows) + (". " + ", ".join(counted) if counted else "")
    return {"count": counts[0] if counts else None, "text": text, "links": _links(rows),
            "rules": _judged(rows), "counted": counted}


def _judged(rows: list[dict]) -> list[dict]:
    """Each rule of an item with its outcome (the DOCX says them in words: "3/4 ... đã công khai")."""
    return [{"title": r["rule_title"], "outcome": r["outcome"], "partial": bool(r.get("partial"))} for r in rows]


def _budget_item(rows: list[dict]) -> dict:
    """The period each budget disclosure reaches ("quý 3/2026"), else its outcome."""
    parts = [f"{r['rule_title']}: {r['facts']['period']}" if r["outcome"] == "pass" and r["facts"].get("period")
             else _verdict(r) for r in rows if r["facts"].get("period") or r["outcome"] != "not_applicable"]
    periods = [{"title": r["rule_title"], "period": r["facts"]["period"]} for r in rows
               if r["outcome"] == "pass" and r["facts"].get("period")]
    return {"text": "; ".join(parts), "links": _links(rows), "rules": _judged(rows), "periods": periods}


def _tenders_item(rows: list[dict], month: str) -> dict:
    """Tender notices dated within the month, counted on the fullest tenders page, and whether
    the site links to the national e-procurement system."""
    unread = _unread(rows)
    if unread:
        return {"count": None, "national_link": None, "text": f"Đấu thầu: {unread}", "links": _links(rows)}
    first, last = month_bounds(month)
    pages = [dates for r in rows for dates in r["facts"].get("dates_by_page", [])]
    count = max((sum(1 for day in dates if first <= date.fromisoformat(day) <= last) for dates in pages), default=0)
    national = any(r["facts"].get("national_system") for r in rows)
    return {"count": count, "national_link": national,
            "text": f"{count} thông tin mời thầu ghi ngày trong tháng; "
                    + ("có liên kết Hệ thống mạng đấu thầu quốc gia" if national
                       else "không có liên kết Hệ thống mạng đấu thầu quốc gia"),
            "links": _links(rows)}


def _access_item(rows: list[dict], by_family: dict[str, list[dict]], spec: dict) -> dict:
    """How businesses reach the documents: the sections that pass, e-mail addresses, the
    hotline, a way to send feedback, social networks."""
    sections = [family_name(f).lower() for f in spec.get("sections", [])
                if any(r["outcome"] == "pass" for r in by_family.get(f, []))]
    emails = list(dict.fromkeys(e for r in rows for e in r["facts"].get("emails", [])))
    phone = next((national_phones(r["facts"]["number"]) for r in rows
                  if r["outcome"] == "pass" and r["facts"].get("number")), "")
    feedback = any(r["outcome"] == "pass" for f in spec.get("feedback", []) for r in by_family.get(f, []))
    social = sorted({s for r in rows for s in r["facts"].get("social", [])})
    channels = [f"chuyên mục: {', '.join(sections) if sections else 'không có'}",
                f"thư điện tử: {', '.join(emails) if emails else 'không có'}",
                f"đường dây nóng: {phone or 'không có'}",
                f"phản ánh, kiến nghị: {'có' if feedback else 'không có'}",
                f"mạng xã hội: {', '.join(social) if social else 'không có'}"]
    used = rows + [r for f in spec.get("sections", []) + spec.get("feedback", []) for r in by_family.get(f, [])
                   if r["outcome"] == "pass"]
    return {"sections": sections, "emails": emails, "hotline": phone, "social": social,
            "text": _sentence("; ".join(channels)), "links": _links(used)}


def site_items(findings: list[dict], month: str) -> dict[str, dict]:
    """The items the crawl fills (data/monthly_items.yaml), read from one agency's findings."""
    by_family: dict[str, list[dict]] = {}
    for row in findings:
        by_family.setdefault(row["family"], []).append(row)
    items = {}
    for number, spec in monthly_items().items():
        if "families" not in spec:
            continue
        rows = [r for family in spec["families"] for r in by_family.get(family, [])
                if r["outcome"] != "not_applicable"]
        if "sections" in spec:
            items[str(number)] = _access_item(rows, by_family, spec)
        elif any("period" in r["facts"] for r in rows):
            items[str(number)] = _budget_item(rows)
        elif any("dates_by_page" in r["facts"] for r in rows):
            items[str(number)] = _tenders_item(rows, month)
        else:
            items[str(number)] = _verdicts_item(rows)
    return items


def previous_month(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def last_complete_audit(session: Session, month: str, rubric_id: str | None = None) -> AuditRun | None:
    from minhbach.audit.store.models import CrawlRun

    first, last = month_bounds(month)
    query = (select(AuditRun).join(CrawlRun, CrawlRun.id == AuditRun.crawl_run_id)
             .where(AuditRun.audit_date >= first, AuditRun.audit_date <= last, CrawlRun.status == "completed")
             .order_by(AuditRun.audit_date.desc(), AuditRun.id.desc()))
    if rubric_id:
        query = query.where(AuditRun.rubric_id == rubric_id)
    return session.scalars(query.limit(1)).first()


# A crawl whose results stand: completed, or completed and later pruned by the retention policy
# (its pages went, its scores and findings stay).
# (a night without network, even once pruned, is never among them: judge/collection.py)
SETTLED = ("completed", "pruned")


@dataclass
class Chosen:
    """What a month's report is made from: per agency the last audit dated within the period
    (under one rubric), and the agencies the registry lists that no audit of the period judged."""

    month: str
    rubric_id: str
    through: date                      # the last day the audits may be dated (the month's last, or today)
    audits: dict[int, AuditRun] = field(default_factory=dict)   # agency id -> its audit
    missing: list[tuple[Agency, str]] = field(default_factory=list)  # (agency, why it has no audit)


def _dated(session: Session, first: date, through: date, rubric_id: str):
    """(agency id, audit) of each agency's last settled audit dated in [first, through] under
    `rubric_id`: one row per agency, whatever the number of nights."""
    order = func.row_number().over(partition_by=Score.agency_id,
                                   order_by=(AuditRun.audit_date.desc(), AuditRun.id.desc())).label("n")
    last = (select(Score.agency_id, AuditRun.id.label("audit_id"), order)
            .join(AuditRun, AuditRun.id == Score.audit_run_id).join(CrawlRun, CrawlRun.id == AuditRun.crawl_run_id)
            .where(AuditRun.audit_date >= first, AuditRun.audit_date <= through, CrawlRun.status.in_(SETTLED),
                   AuditRun.rubric_id == rubric_id, AuditRun.crawl_run_id.not_in(failed_crawls())).subquery())
    return session.execute(select(last.c.agency_id, AuditRun).join(AuditRun, AuditRun.id == last.c.audit_id)
                           .where(last.c.n == 1)).all()


def month_rubric(session: Session, first: date, through: date, rubric_id: str | None = None) -> str | None:
    """The rubric the report judges by: the one asked for, else that of the period's newest
    settled audit (what the nights actually used). One report never mixes rubrics."""
    if rubric_id:
        return rubric_id
    return session.scalar(select(AuditRun.rubric_id).join(CrawlRun, CrawlRun.id == AuditRun.crawl_run_id)
                          .where(AuditRun.audit_date >= first, AuditRun.audit_date <= through,
                                 CrawlRun.status.in_(SETTLED), AuditRun.crawl_run_id.not_in(failed_crawls()))
                          .order_by(AuditRun.audit_date.desc(), AuditRun.id.desc()).limit(1))


def choose_audits(session: Session, month: str, through: date | None = None, rubric_id: str | None = None,
                  province: str | None = None, audit: AuditRun | None = None) -> Chosen | None:
    """Per agency its last settled audit dated from the month's first day to `through` (default
    its last); with `audit`, that one audit for every agency it scored. None when the period
    has no settled audit at all. Active agencies of the registry without one are `missing`."""
    first, last = month_bounds(month)
    through = min(through or last, last)
    rubric = audit.rubric_id if audit is not None else month_rubric(session, first, through, rubric_id)
    if rubric is None:
        return None
    chosen = Chosen(month=month, rubric_id=rubric, through=through)
    if audit is not None:
        chosen.audits = {agency_id: audit for agency_id in session.scalars(
            select(Score.agency_id).where(Score.audit_run_id == audit.id))}
    else:
        for agency_id, dated in _dated(session, first, through, rubric):
            chosen.audits[agency_id] = dated
    agencies = {a.id: a for a in session.scalars(select(Agency).order_by(Agency.code))}
    if province:
        chosen.audits = {i: a for i, a in chosen.audits.items() if agencies[i].province == province}
    if not chosen.audits:
        return None
    unsettled = set(session.scalars(select(Score.agency_id).join(AuditRun, AuditRun.id == Score.audit_run_id)
                                    .join(CrawlRun, CrawlRun.id == AuditRun.crawl_run_id)
                                    .where(AuditRun.audit_date >= first, AuditRun.audit_date <= through,
                                           CrawlRun.status.not_in(SETTLED))))
    period = f"{first:%d/%m/%Y} – {through:%d/%m/%Y}"
    for agency in agencies.values():
        if agency.active and agency.id not in chosen.audits and (not province or agency.province == province):
            why = (f"chỉ có lượt thu thập chưa hoàn tất trong khoảng {period}" if agency.id in unsettled
                   else f"không có lượt đánh giá nào ghi ngày trong khoảng {period}")
            chosen.missing.append((agency, why))
    return chosen


def _rank(rows: list[dict]) -> None:
    """Rank within each level by score, highest first; ties share a rank (1, 2, 2, 4)."""
    for level in {r["level"] for r in rows}:
        scored = sorted((r for r in rows if r["level"] == level and r["score"] is not None), key=lambda r: -r["score"])
        for r in scored:
            r["rank"] = 1 + sum(1 for other in scored if other["score"] > r["score"])


def _not_audited(agency: Agency, why: str, auto: list[str], surveyed: dict, survey: dict) -> dict:
    """An agency the registry lists that no audit of the period judged: said in every item it
    would have filled, never zeros."""
    text = f"Chưa được đánh giá: {why}"
    items: dict[str, dict] = {key: {"text": text, "links": []} for key in auto}
    for number, spec in surveyed.items():
        value, note = survey.get((agency.code, number), (None, ""))
        items[str(number)] = {"value": value, "note": note,
                              "text": NO_SURVEY if value is None else f"{value:g} {spec['unit']}"}
    items["9"] = {"score": None, "grade": "", "coverage": None, "failed": [], "partial": False,
                  "text": f"Không xác định – {text[:1].lower()}{text[1:]}", "links": []}
    return {"agency_code": agency.code, "agency_name": agency.name, "level": agency.level,
            "level_vi": level_name(agency.level), "province": agency.province,
            "parent_code": agency.parent_code or "", "portal_url": agency.portal_url, "score": None,
            "score_high": None, "grade": "",
            "coverage": None, "reachable": False, "partial": False, "reason": text[:1].lower() + text[1:],
            "change": None, "rank": None, "items": items, "audited": False, "audit_id": None, "audit_date": None}


def _scored_by(session: Session, chosen: Chosen) -> tuple[list[dict], list[dict]]:
    """The score rows and finding rows of each agency, each from its own audit."""
    by_audit: dict[int, set[int]] = {}
    audits: dict[int, AuditRun] = {}
    for agency_id, used in chosen.audits.items():
        by_audit.setdefault(used.id, set()).add(agency_id)
        audits[used.id] = used
    codes = {a.code: a.id for a in session.scalars(select(Agency))}
    scores, findings = [], []
    for audit_id, agency_ids in by_audit.items():
        audit = audits[audit_id]
        scores += [r for r in score_rows(session, audit) if codes[r["agency_code"]] in agency_ids]
        findings += [r for r in finding_rows(session, audit) if codes[r["agency_code"]] in agency_ids]
    return (sorted(scores, key=lambda r: r["agency_code"]),
            sorted(findings, key=lambda r: (r["agency_code"], r["rule_code"])))


def _month_before(session: Session, chosen: Chosen, province: str | None) -> tuple[dict[int, float | None], int | None]:
    """Each agency's score in the previous month's last audit (same rubric), and that newest audit."""
    earlier = choose_audits(session, previous_month(chosen.month), None, chosen.rubric_id, province)
    if earlier is None:
        return {}, None
    before = {}
    for agency_id, audit in earlier.audits.items():
        before[agency_id] = session.scalar(select(Score.total).where(Score.audit_run_id == audit.id,
                                                                     Score.agency_id == agency_id))
    newest = max(earlier.audits.values(), key=lambda a: (a.audit_date, a.id))
    return before, newest.id


def audits_used(chosen: Chosen) -> list[dict]:
    """The audits a report draws on, oldest first, each with how many agencies it gave."""
    counts: dict[int, int] = {}
    audits: dict[int, AuditRun] = {}
    for audit in chosen.audits.values():
        counts[audit.id] = counts.get(audit.id, 0) + 1
        audits[audit.id] = audit
    return [{"id": a.id, "date": a.audit_date.isoformat(), "crawl_run": a.crawl_run_id, "agencies": counts[a.id]}
            for a in sorted(audits.values(), key=lambda a: (a.audit_date, a.id))]


def build_content(session: Session, chosen: Chosen, province: str | None) -> dict:
    """The report as data, from each agency's audit's scores and findings (nothing is judged
    again here); the agencies without an audit in the period are listed with the reason."""
    month = chosen.month
    audit = max(chosen.audits.values(), key=lambda a: (a.audit_date, a.id))  # the newest: its dates head the report
    rubric = load_rubric(chosen.rubric_id)
    rules = all_rules()
    scores, findings = _scored_by(session, chosen)
    before_by_id, earlier_id = _month_before(session, chosen, province)
    survey = {(code, item): (value, note) for code, item, value, note in session.execute(
        select(Agency.code, SurveyValue.item, SurveyValue.value, SurveyValue.note)
        .join(Agency, Agency.id == SurveyValue.agency_id).where(SurveyValue.month == month))}
    # Read once for the whole report, not once per agency.
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    before = {code: before_by_id[a.id] for code, a in agencies.items() if a.id in before_by_id}
    runs = {a.crawl_run_id for a in chosen.audits.values()}
    site_crawls = {c.agency_id: c for c in session.scalars(select(SiteCrawl).where(SiteCrawl.run_id.in_(runs)))
                   if c.agency_id in chosen.audits and chosen.audits[c.agency_id].crawl_run_id == c.run_id}
    by_agency: dict[str, list[dict]] = {}
    for row in findings:
        by_agency.setdefault(row["agency_code"], []).append(row)
    surveyed = {number: spec["survey"] for number, spec in monthly_items().items() if "survey" in spec}
    auto = [str(number) for number, spec in monthly_items().items() if "families" in spec]
    rows = []
    for score in scores:
        code = score["agency_code"]
        agency = agencies[code]
        site_crawl = site_crawls[agency.id]
        own = by_agency.get(code, [])
        reachable = score["score"] is not None
        partial = site_crawl.status in ("partial", "interrupted")
        if reachable:
            items = site_items(own, month)
        else:
            why = f"Không truy cập được: {score['reason']}"
            items = {key: {"text": why, "links": []} for key in auto}
        for number, spec in surveyed.items():
            value, note = survey.get((code, number), (None, ""))
            items[str(number)] = {"value": value, "note": note,
                                  "text": NO_SURVEY if value is None else f"{value:g} {spec['unit']}"}
        failed = [f"{r['rule_code']} {rules[r['rule_code']].title_vi}" for r in own
                  if r["outcome"] == "fail" and r["rule_code"] in rubric.items and r["rule_code"] in rules]
        if not reachable:
            verdict = f"Không xác định – {score['reason']}"
        else:
            verdict = (f"{score_range(score['score'], score['score_high'], 'vi')} điểm, {score['grade']}, "
                       f"bao phủ {percent(score['coverage'], 'vi')}")
            if partial:
                verdict += f"; {reason_text(site_crawl.reason) or 'thu thập chưa đầy đủ'}"
        items["9"] = {"score": score["score"], "grade": score["grade"], "coverage": score["coverage"],
                      "failed": failed, "partial": partial,
                      "text": verdict + (f". Chưa đạt: {'; '.join(failed)}" if failed else ""),
                      "links": []}
        change = (round(score["score"] - before[code], 1)
                  if reachable and before.get(code) is not None else None)
        rows.append({"agency_code": code, "agency_name": score["agency_name"], "level": score["level"],
                     "level_vi": level_name(score["level"]), "province": score["province"],
                     "parent_code": score["parent_code"], "portal_url": agency.portal_url,
                     "score": score["score"], "score_high": score["score_high"], "grade": score["grade"],
                     "coverage": score["coverage"], "reachable": reachable, "partial": partial,
                     "reason": score["reason"],
                     "change": change, "rank": None, "items": items, "audited": True,
                     "audit_id": chosen.audits[agency.id].id,
                     "audit_date": chosen.audits[agency.id].audit_date.isoformat()})
    for agency, why in chosen.missing:
        rows.append(_not_audited(agency, why, auto, surveyed, survey))
        scores.append({"agency_code": agency.code, "province": agency.province, "parent_code": agency.parent_code or "",
                       "level_label": level_name(agency.level), "score": None, "grade": "", "coverage": 0.0})
    rows.sort(key=lambda r: r["agency_code"])
    _rank(rows)
    grades = [g.name for g in rubric.grades]
    return {
        "month": month, "province": province or "", "audit": audit.id, "audit_date": audit.audit_date.isoformat(),
        "crawl_run": audit.crawl_run_id, "previous_audit": earlier_id,
        # what the report was drawn from: the period, each audit used (its date), the dates
        "period": {"first": month_bounds(month)[0].isoformat(), "last": month_bounds(month)[1].isoformat(),
                   "through": chosen.through.isoformat()},
        "audits": audits_used(chosen),
        "audit_dates": sorted({a.audit_date.isoformat() for a in chosen.audits.values()}),
        "rubric": {"id": rubric.id, "version": rubric.version, "title": rubric.title, "grades": grades,
                   "grade_coverage": rubric.grade_coverage, "legal_basis": list(rubric.legal_basis),
                   "warning": dates_warning(rubric.id, audit.rubric_effective, audit.audit_date),
                   "categories": [{"title": c.title, "rules": [i.rule for i in c.items],
                                   "weight": round(sum(i.weight for i in c.items), 2)} for c in rubric.categories]},
        "item_titles": {str(k): spec["title"] for k, spec in monthly_items().items()},
        "agencies": rows,
        "rollups": {by: rollup(scores, findings, by, grades) for by in ("province", "parent", "level")},
        "findings": [{"agency_code": r["agency_code"], "rule_code": r["rule_code"], "rule_title": r["rule_title"],
                      "family_vi": family_name(r["family"]), "outcome": r["outcome"], "outcome_vi": r["outcome_label"],
                      "evidence_url": r["evidence_url"], "date": r["date"], "value": r["value"], "note": r["note"],
                      "citation": "; ".join(rules[r["rule_code"]].citations) if r["rule_code"] in rules else ""}
                     for r in findings],
    }
