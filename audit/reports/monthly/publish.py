"""A frozen monthly report written out: XLSX workbook, CSV summary and DOCX report, each
whole or not at all, named after the month (and province and version)."""
from __future__ import annotations

from pathlib import Path

from minhbach.audit.reports.exports import write_csv
from minhbach.audit.reports.monthly.document import write_document
from minhbach.audit.reports.monthly.layout import SUMMARY_COLUMNS, file_stem, summary_rows
from minhbach.audit.reports.monthly.workbook import write_workbook
from minhbach.audit.store.models import MonthlyReport

DEFAULT_ISSUER = "Sở Khoa học và Công nghệ"  # the department that reports since the 2025 mergers


def report_meta(report: MonthlyReport) -> dict:
    created = report.created_at
    return {"version": report.version, "reason": report.reason, "sha256": report.content_sha256,
            "created": f"{created:%d/%m/%Y %H:%M}", "created_iso": created.isoformat()}


def csv_rows(content: dict) -> list[dict]:
    """The summary for the CSV: shares as percentages (a CSV cell has no format)."""
    rows = summary_rows(content)
    for row in rows:
        for key in ("item5", "item8", "coverage"):
            if isinstance(row[key], float):
                row[key] = round(100 * row[key], 1)
    return rows


def publish(report: MonthlyReport, out_dir: Path, issuer: str = DEFAULT_ISSUER) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(report.content, report.version)
    meta = report_meta(report)
    columns = [(key, header + (" (%)" if key in ("item5", "item8", "coverage") else ""))
               for key, header, _ in SUMMARY_COLUMNS]
    return [
        write_workbook(out_dir / f"{stem}.xlsx", report.content, meta, issuer),
        write_csv(out_dir / f"{stem}.csv", columns, csv_rows(report.content)),
        write_document(out_dir / f"{stem}.docx", report.content, meta, issuer),
    ]
