"""A monthly report written out: XLSX workbook, CSV summary and DOCX report, each whole or not
at all, named after the month (and province and version). A frozen report is written from its
stored content; a provisional one (its month not over) from content made just now, its files
named "-tam-thoi" and its `report_meta["provisional"]` set, so that every writer marks it
"BẢN TẠM THỜI"."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from minhbach.audit.reports.exports import write_csv
from minhbach.audit.reports.monthly.content import content_hash
from minhbach.audit.reports.monthly.document import write_document
from minhbach.audit.reports.monthly.layout import SUMMARY_COLUMNS, file_stem, summary_rows
from minhbach.audit.reports.monthly.months import closes_on
from minhbach.audit.reports.monthly.workbook import write_workbook
from minhbach.audit.store.models import MonthlyReport, utcnow

DEFAULT_ISSUER = "Sở Khoa học và Công nghệ"  # the department that reports since the 2025 mergers


PROVISIONAL_MARK = "BẢN TẠM THỜI"
PROVISIONAL_SUFFIX = "-tam-thoi"


def _dates(content: dict) -> list[str]:
    return [f"{date.fromisoformat(day):%d/%m/%Y}" for day in content.get("audit_dates", [])]


def report_meta(report: MonthlyReport) -> dict:
    created = report.created_at
    return {"version": report.version, "reason": report.reason, "sha256": report.content_sha256,
            "created": f"{created:%d/%m/%Y %H:%M}", "created_iso": created.isoformat(),
            "provisional": False, "audit_dates": _dates(report.content)}


def provisional_meta(content: dict, today: date, created: datetime | None = None) -> dict:
    """A report of a month not over: no version, the day its figures reach and the day the
    month ends (writers print both beside the mark)."""
    created = created or utcnow()
    return {"version": "tạm thời", "reason": "", "sha256": content_hash(content),
            "created": f"{created:%d/%m/%Y %H:%M}", "created_iso": created.isoformat(),
            "provisional": True, "mark": PROVISIONAL_MARK, "as_of": f"{today:%d/%m/%Y}",
            "closes": f"{closes_on(content['month']):%d/%m/%Y}", "audit_dates": _dates(content)}


def csv_rows(content: dict) -> list[dict]:
    """The summary for the CSV: shares as percentages (a CSV cell has no format)."""
    rows = summary_rows(content)
    for row in rows:
        for key in ("item5", "item8", "coverage"):
            if isinstance(row[key], float):
                row[key] = round(100 * row[key], 1)
    return rows


def write_files(content: dict, meta: dict, out_dir: Path, stem: str, issuer: str) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = [(key, header + (" (%)" if key in ("item5", "item8", "coverage") else ""))
               for key, header, _ in SUMMARY_COLUMNS]
    return [
        write_workbook(out_dir / f"{stem}.xlsx", content, meta, issuer),
        write_csv(out_dir / f"{stem}.csv", columns, csv_rows(content)),
        write_document(out_dir / f"{stem}.docx", content, meta, issuer),
    ]


def publish(report: MonthlyReport, out_dir: Path, issuer: str = DEFAULT_ISSUER) -> list[Path]:
    return write_files(report.content, report_meta(report), out_dir, file_stem(report.content, report.version),
                       issuer)


def publish_provisional(content: dict, today: date, out_dir: Path, issuer: str = DEFAULT_ISSUER) -> list[Path]:
    return write_files(content, provisional_meta(content, today), out_dir,
                       file_stem(content, 1) + PROVISIONAL_SUFFIX, issuer)
