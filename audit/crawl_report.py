"""The crawl summary: one row per agency of a run, for the terminal and for crawl.csv."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, CrawlRun, SiteCrawl
from minhbach.rules.registry import LEVEL_NAMES

STATUS_VI = {
    "ok": "Đã thu thập",
    "partial": "Thu thập chưa đầy đủ",
    "unreachable": "Không truy cập được",
    "blocked": "Bị chặn",
    "interrupted": "Bị gián đoạn",
    "pending": "Chưa bắt đầu",
    "running": "Đang thu thập",
}

CRAWL_COLUMNS = [
    ("code", "Mã cơ quan"),
    ("name", "Tên cơ quan"),
    ("level_vi", "Cấp"),
    ("status_vi", "Trạng thái"),
    ("pages", "Số trang"),
    ("unchanged", "Trang không đổi"),
    ("documents", "Số tài liệu"),
    ("kilobytes", "Dung lượng (KB)"),
    ("errors", "Số lỗi"),
    ("robots_blocked", "Bị robots.txt chặn"),
    ("reason", "Lý do / ghi chú"),
    ("portal_url", "Địa chỉ cổng"),
]


def latest_run_id(session: Session) -> int | None:
    return session.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1))


def crawl_summary(session: Session, run_id: int) -> list[dict]:
    rows = session.execute(
        select(SiteCrawl, Agency).join(Agency, SiteCrawl.agency_id == Agency.id)
        .where(SiteCrawl.run_id == run_id).order_by(Agency.code)
    ).all()
    summary = []
    for site, agency in rows:
        errors = {k: v for k, v in (site.error_counts or {}).items()
                  if k not in ("robots", "trap", "time_budget")}
        notes = [site.reason] if site.reason else []
        if site.robots_blocked:
            notes.append(f"robots.txt chặn {site.robots_blocked} địa chỉ")
        if site.stop_reason == "page cap":
            notes.append("dừng ở giới hạn số trang")
        elif site.stop_reason == "time budget":
            notes.append("dừng vì hết thời gian cho phép")
        if site.pages_unchanged:
            notes.append(f"{site.pages_unchanged} trang không đổi")
        if site.pages_disappeared:
            notes.append(f"{site.pages_disappeared} trang không còn")
        if (site.error_counts or {}).get("trap"):
            notes.append(f"bỏ qua {site.error_counts['trap']} địa chỉ bẫy")
        summary.append({
            "code": agency.code,
            "name": agency.name,
            "level": agency.level,
            "level_vi": LEVEL_NAMES.get(agency.level, agency.level),
            "status": site.status,
            "status_vi": STATUS_VI.get(site.status, site.status),
            "pages": site.pages_fetched + site.pages_unchanged,  # unchanged ones were read from the store
            "unchanged": site.pages_unchanged,
            "documents": site.documents_found,
            "kilobytes": round(site.bytes_fetched / 1024),
            "errors": sum(errors.values()),
            "error_counts": site.error_counts or {},
            "robots_blocked": site.robots_blocked,
            "reason": "; ".join(notes),
            "portal_url": agency.portal_url,
        })
    return summary
