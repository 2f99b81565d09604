"""The content of a monthly report, as plain data (JSON): per agency the nine items of the
provincial plan's appendix, each auto-filled item with its evidence links; score, grade, rank
within its level and change since last month; roll-ups; every finding; the method. This is
what is frozen (and hashed); the XLSX, CSV and DOCX are drawn from it."""
from __future__ import annotations

import calendar
import hashlib
import json
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.judge.auditor import build_site
from minhbach.audit.reports.monthly.survey import ITEMS as SURVEY_ITEMS
from minhbach.audit.reports.rollups import rollup
from minhbach.audit.judge.rubric import dates_warning, load_rubric
from minhbach.audit.words.reasons import reason_text
from minhbach.audit.words.names import family_name, level_name
from minhbach.audit.reports.rows import finding_rows, national_phones, score_rows
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.models import Agency, AuditRun, Finding, SiteCrawl, SurveyValue
from minhbach.rules.extract import find_dates, find_document_numbers
from minhbach.rules.registry import all_rules
from minhbach.rules.sections import attachments, newest_date, section_items

ITEM_TITLES = {
    1: "Đánh giá về tài liệu quy hoạch",
    2: "Đánh giá về việc tiếp cận tài liệu pháp lý",
    3: "Các tài liệu về ngân sách đủ chi tiết để doanh nghiệp sử dụng",
    4: "Số lượng thông tin mời thầu được công khai trong tháng",
    5: SURVEY_ITEMS[5][0],
    6: SURVEY_ITEMS[6][0],
    7: "Cách để doanh nghiệp tiếp cận các tài liệu",
    8: SURVEY_ITEMS[8][0],
    9: "Đánh giá chất lượng Website của đơn vị (QĐ 26/2017/QĐ-UBND)",
}
SOCIAL = {"Zalo": ("zalo.me", "zalo.vn"), "Facebook": ("facebook.com", "fb.com", "fb.me"),
          "YouTube": ("youtube.com", "youtu.be"), "TikTok": ("tiktok.com",)}
NO_SURVEY = "chưa có số liệu"
OUTCOME_WORD = {"pass": "Đạt", "fail": "Không đạt", "not_applicable": "Không áp dụng",
                "needs_review": "Cần xem lại", "error": "Không đánh giá được"}


def month_bounds(month: str) -> tuple[date, date]:
    year, number = map(int, month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _vi(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _outcome(finding: Finding | None) -> str:
    if finding is None:
        return "–"
    word = OUTCOME_WORD.get(finding.outcome, finding.outcome)
    return word + (" (một phần)" if finding.outcome == "fail" and finding.partial else "")


def _links(*findings: Finding | None) -> list[str]:
    return list(dict.fromkeys(f.evidence_url for f in findings if f is not None and f.evidence_url))


def _not_read(site, topics: tuple[str, ...], pages: list) -> str:
    """When the crawl found nothing of a section but left pages about it unread (an error, a
    timeout, the budget): what to say instead of a count of zero."""
    unread = site.unread_about(topics) if not pages else []
    if not unread:
        return ""
    return f"chưa đọc được {len(unread)} trang liên quan ({unread[0].reason}), không tính là không có"


def site_items(site, findings: dict[str, Finding], month: str, audit_date: date) -> dict[str, dict]:
    """Items 1-4 and 7 read from the stored site and its findings. A section the crawl could
    not read is said so, never counted as zero."""
    first, last = month_bounds(month)
    f = findings.get
    # 1. planning documents
    plan_pages = site.pages_about("plans")
    plans = {item.url for item in section_items(site, ("plans",), ("plans",))}
    newest = newest_date(plan_pages, audit_date)
    item1 = {"count": len(plans), "newest": newest[0].isoformat() if newest else None,
             "text": f"Quy hoạch, kế hoạch: {_outcome(f('PL01'))}; đất đai: {_outcome(f('PL02'))}. "
                     f"{len(plans)} mục" + (f", mới nhất {_vi(newest[0])}" if newest else ""),
             "links": _links(f("PL01"), f("PL02"))}
    unread = _not_read(site, ("plans",), plan_pages)
    if unread:
        item1.update(count=None, text=f"Quy hoạch, kế hoạch: {unread}")
    # 2. legal documents
    legal_pages = site.pages_about("legal_documents")
    numbers = {n for page in legal_pages for n in find_document_numbers(page.text)}
    files = set(attachments(legal_pages)) | {d.url for d in site.documents_about("legal_documents")}
    newest = newest_date(legal_pages, audit_date)
    item2 = {"count": len(numbers), "files": len(files), "newest": newest[0].isoformat() if newest else None,
             "text": f"Danh mục văn bản: {_outcome(f('LD01'))}; tìm kiếm: {_outcome(f('LD02'))}. "
                     f"{len(numbers)} văn bản có số ký hiệu, {len(files)} tệp tải về"
                     + (f", mới nhất {_vi(newest[0])}" if newest else ""),
             "links": _links(f("LD01"), f("LD02"))}
    unread = _not_read(site, ("legal_documents",), legal_pages)
    if unread:
        item2.update(count=None, text=f"Văn bản: {unread}")
    # 3. budget documents: the year or quarter of the newest of each kind
    parts = []
    for code, label in (("BG02", "Dự toán"), ("BG03", "Thực hiện dự toán"), ("BG04", "Quyết toán")):
        finding = f(code)
        if finding is not None and finding.outcome == "pass" and finding.value:
            value = finding.value if not finding.value.isdigit() else f"năm {finding.value}"
            parts.append(f"{label}: {value}")
        else:
            parts.append(f"{label}: {_outcome(finding).lower()}")
    item3 = {"text": "; ".join(parts), "links": _links(f("BG02"), f("BG03"), f("BG04"))}
    # 4. tender notices dated within the month (counted on the fullest tenders page)
    counts = []
    tender_pages = site.pages_about("tenders")
    for page in tender_pages:
        counts.append(sum(1 for day in find_dates(page.text) if first <= day <= last))
    national = any(any(name in urlsplit(link.url).netloc.lower() for name in site.terms("procurement_system"))
                   for page in site.pages if page.ok for link in page.links)
    count = max(counts, default=0)
    item4 = {"count": count, "national_link": national,
             "text": f"{count} thông tin mời thầu ghi ngày trong tháng; "
                     + ("có liên kết Hệ thống mạng đấu thầu quốc gia" if national
                        else "không có liên kết Hệ thống mạng đấu thầu quốc gia"),
             "links": _links(f("TD01"))}
    unread = _not_read(site, ("tenders",), tender_pages)
    if unread:
        item4.update(count=None, text=f"Đấu thầu: {unread}")
    # 7. how businesses reach the documents
    sections = [name for code, name in (("LD01", "văn bản"), ("TT01", "thủ tục hành chính"), ("QA01", "hỏi đáp"),
                                        ("TI01", "tiếp cận thông tin"), ("DT01", "góp ý dự thảo"))
                if f(code) is not None and f(code).outcome == "pass"]
    contact = f("CT01")
    emails = [part.strip() for part in (contact.value if contact else "").split("|") if "@" in part]
    hotline = f("HL01")
    phone = national_phones(hotline.value) if hotline is not None and hotline.outcome == "pass" and hotline.value else ""
    social = sorted({name for page in ([site.home] if site.home else []) for link in page.links
                     for name, hosts in SOCIAL.items()
                     if any(urlsplit(link.url).netloc.lower().endswith(h) for h in hosts)})
    channels = [f"chuyên mục: {', '.join(sections) if sections else 'không có'}",
                f"thư điện tử: {', '.join(emails) if emails else 'không có'}",
                f"đường dây nóng: {phone or 'không có'}",
                f"phản ánh, kiến nghị: {'có' if f('QA01') is not None and f('QA01').outcome == 'pass' else 'không có'}",
                f"mạng xã hội: {', '.join(social) if social else 'không có'}"]
    item7 = {"sections": sections, "emails": emails, "hotline": phone, "social": social,
             "text": "; ".join(channels).capitalize(), "links": _links(contact, hotline, f("QA01"))}
    return {"1": item1, "2": item2, "3": item3, "4": item4, "7": item7}


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


def _rank(rows: list[dict]) -> None:
    """Rank within each level by score, highest first; ties share a rank (1, 2, 2, 4)."""
    for level in {r["level"] for r in rows}:
        scored = sorted((r for r in rows if r["level"] == level and r["score"] is not None), key=lambda r: -r["score"])
        for r in scored:
            r["rank"] = 1 + sum(1 for other in scored if other["score"] > r["score"])


def build_content(session: Session, audit: AuditRun, month: str, province: str | None, bodies: BodyStore) -> dict:
    rubric = load_rubric(audit.rubric_id)
    rules = all_rules()
    scores = [r for r in score_rows(session, audit) if province is None or r["province"] == province]
    codes = {r["agency_code"] for r in scores}
    findings = [r for r in finding_rows(session, audit) if r["agency_code"] in codes]
    earlier = last_complete_audit(session, previous_month(month), audit.rubric_id)
    before = {r["agency_code"]: r["score"] for r in score_rows(session, earlier)} if earlier else {}
    survey = {(code, item): (value, note) for code, item, value, note in session.execute(
        select(Agency.code, SurveyValue.item, SurveyValue.value, SurveyValue.note)
        .join(Agency, Agency.id == SurveyValue.agency_id).where(SurveyValue.month == month))}
    # Read once for the whole report, not once per agency.
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    site_crawls = {c.agency_id: c for c in session.scalars(select(SiteCrawl)
                                                           .where(SiteCrawl.run_id == audit.crawl_run_id))}
    by_agency: dict[int, dict[str, Finding]] = {}
    for finding in session.scalars(select(Finding).where(Finding.audit_run_id == audit.id)):
        by_agency.setdefault(finding.agency_id, {})[finding.rule_code] = finding
    rows = []
    for score in scores:
        code = score["agency_code"]
        agency = agencies[code]
        site_crawl = site_crawls[agency.id]
        own = by_agency.get(agency.id, {})
        reachable = score["score"] is not None
        partial = site_crawl.status in ("partial", "interrupted")
        if reachable:
            items = site_items(build_site(session, site_crawl, agency, bodies), own, month, audit.audit_date)
        else:
            why = f"Không truy cập được: {score['reason']}"
            items = {key: {"text": why, "links": []} for key in ("1", "2", "3", "4", "7")}
        for number in (5, 6, 8):
            value, note = survey.get((code, number), (None, ""))
            items[str(number)] = {"value": value, "note": note,
                                  "text": NO_SURVEY if value is None else f"{value:g} {SURVEY_ITEMS[number][1]}"}
        failed = [f"{c} {rules[c].title_vi}" for c, f in sorted(own.items())
                  if f.outcome == "fail" and c in rubric.items and c in rules]
        if not reachable:
            verdict = f"Không xác định – {score['reason']}"
        else:
            verdict = f"{score['score']:.1f} điểm, {score['grade']}, bao phủ {score['coverage_pct']}%"
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
                     "score": score["score"], "grade": score["grade"], "coverage": score["coverage"],
                     "reachable": reachable, "partial": partial, "reason": score["reason"],
                     "change": change, "rank": None, "items": items})
    _rank(rows)
    grades = [g.name for g in rubric.grades]
    return {
        "month": month, "province": province or "", "audit": audit.id, "audit_date": audit.audit_date.isoformat(),
        "crawl_run": audit.crawl_run_id, "previous_audit": earlier.id if earlier else None,
        "rubric": {"id": rubric.id, "version": rubric.version, "title": rubric.title, "grades": grades,
                   "min_coverage": rubric.min_coverage, "legal_basis": list(rubric.legal_basis),
                   "warning": dates_warning(rubric.id, audit.rubric_effective, audit.audit_date),
                   "categories": [{"title": c.title, "rules": [i.rule for i in c.items],
                                   "weight": round(sum(i.weight for i in c.items), 2)} for c in rubric.categories]},
        "item_titles": {str(k): v for k, v in ITEM_TITLES.items()},
        "agencies": rows,
        "rollups": {by: rollup(scores, findings, by, grades) for by in ("province", "parent", "level")},
        "findings": [{"agency_code": r["agency_code"], "rule_code": r["rule_code"], "rule_title": r["rule_title"],
                      "family_vi": family_name(r["family"]), "outcome_vi": r["outcome_label"],
                      "evidence_url": r["evidence_url"], "date": r["date"], "value": r["value"], "note": r["note"],
                      "citation": "; ".join(rules[r["rule_code"]].citations) if r["rule_code"] in rules else ""}
                     for r in findings],
    }
