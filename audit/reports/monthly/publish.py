"""A monthly report written out: XLSX workbook, CSV summary and DOCX report, each whole or not
at all, named after the month (and province and version). A frozen report is written from its
stored content; a provisional one (its month not over) from content made just now, its files
named "-tam-thoi" and its `report_meta["provisional"]` set, so that every writer marks it
"BẢN TẠM THỜI"."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from minhbach.audit.clock import local
from minhbach.audit.config import DEFAULT_TIMEZONE, Settings
from minhbach.audit.reports.exports import write_csv
from minhbach.audit.reports.monthly.content import content_hash
from minhbach.audit.reports.monthly.document import write_document
from minhbach.audit.reports.monthly.layout import SUMMARY_COLUMNS, file_stem, province_of, summary_rows
from minhbach.audit.reports.monthly.letterhead import Letterhead, letterhead
from minhbach.audit.reports.monthly.months import closes_on
from minhbach.audit.reports.monthly.workbook import write_workbook
from minhbach.audit.store.models import MonthlyReport, utcnow

PROVISIONAL_MARK = "BẢN TẠM THỜI"
PROVISIONAL_SUFFIX = "-tam-thoi"


def _dates(content: dict) -> list[str]:
    return [f"{date.fromisoformat(day):%d/%m/%Y}" for day in content.get("audit_dates", [])]


def local_time(created: datetime, zone: str) -> str:
    """When a report was made, as its reader's clock said it (stored times are UTC)."""
    return f"{local(created, zone):%d/%m/%Y %H:%M}"


def report_meta(report: MonthlyReport, zone: str = DEFAULT_TIMEZONE) -> dict:
    created = report.created_at
    return {"version": report.version, "reason": report.reason, "sha256": report.content_sha256,
            "created": local_time(created, zone), "created_iso": created.isoformat(),
            "provisional": False, "audit_dates": _dates(report.content)}


def provisional_meta(content: dict, today: date, created: datetime | None = None,
                     zone: str = DEFAULT_TIMEZONE) -> dict:
    """A report of a month not over: no version, the day its figures reach and the day the
    month ends (writers print both beside the mark)."""
    created = created or utcnow()
    return {"version": "tạm thời", "reason": "", "sha256": content_hash(content),
            "created": local_time(created, zone), "created_iso": created.isoformat(),
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


def write_files(content: dict, meta: dict, out_dir: Path, stem: str, head: Letterhead,
                dialect: str = "comma") -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = [(key, header + (" (%)" if key in ("item5", "item8", "coverage") else ""))
               for key, header, _ in SUMMARY_COLUMNS]
    return [
        write_workbook(out_dir / f"{stem}.xlsx", content, meta, head),
        write_csv(out_dir / f"{stem}.csv", columns, csv_rows(content), dialect),
        write_document(out_dir / f"{stem}.docx", content, meta, head),
    ]


def _head(content: dict, settings: Settings | None) -> Letterhead:
    settings = settings or Settings(data_dir=Path("."))
    return letterhead(settings.report, province_of(content), settings.timezone)


def publish(report: MonthlyReport, out_dir: Path, settings: Settings | None = None) -> list[Path]:
    """A frozen report's files; `settings` give its letterhead and time zone (default: the defaults)."""
    head = _head(report.content, settings)
    return write_files(report.content, report_meta(report, head.timezone), out_dir,
                       file_stem(report.content, report.version), head, _dialect(settings))


def publish_provisional(content: dict, today: date, out_dir: Path, settings: Settings | None = None) -> list[Path]:
    head = _head(content, settings)
    return write_files(content, provisional_meta(content, today, zone=head.timezone), out_dir,
                       file_stem(content, 1) + PROVISIONAL_SUFFIX, head, _dialect(settings))


def _dialect(settings: Settings | None) -> str:
    return settings.report.csv_dialect if settings else "comma"
