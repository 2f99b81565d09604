"""CSV files for officers: UTF-8 with BOM (Excel opens it right), Vietnamese headers, a stable
column order, and cells that Excel would run as formulas neutralised (reports/cells.py)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from minhbach.audit.files import write_atomically
from minhbach.audit.reports.cells import csv_line
from minhbach.audit.words.i18n import _


def write_csv(path: Path, columns: Sequence[tuple[str, str]], rows: Iterable[dict]) -> Path:
    """`columns` is [(key, Vietnamese header), ...] in output order. Written whole or not at all."""
    def write(handle) -> None:
        handle.write(csv_line(header for _, header in columns) + "\r\n")
        for row in rows:
            handle.write(csv_line(row.get(key) for key, _ in columns) + "\r\n")

    return write_atomically(path, write, encoding="utf-8-sig", newline="")


def write_audit_file(session, audit, fmt: str, findings: bool, out: Path) -> int:
    """One audit's score table (or, with `findings`, every finding) as CSV (Vietnamese headers),
    XLSX (the same columns, typed) or JSON (stable English keys), written whole or not at all.
    Returns the rows written."""
    import json

    from minhbach.audit.reports.rows import (
        finding_columns,
        finding_json,
        finding_rows,
        score_columns,
        score_json,
        score_rows,
    )
    from minhbach.audit.reports.sheets import write_table

    rows = finding_rows(session, audit) if findings else score_rows(session, audit)
    columns = finding_columns() if findings else score_columns(session, audit)
    if fmt == "csv":
        write_csv(out, columns, rows)
    elif fmt == "xlsx":
        typed = [{**row, "date_label": _day(row.get("date")), "audit_date_label": _day(row.get("audit_date"))}
                 for row in rows]
        write_table(out, _("Findings") if findings else _("Scores"), [(k, h, _kind(k)) for k, h in columns], typed)
    else:
        shaped = [finding_json(r) if findings else score_json(r) for r in rows]
        write_atomically(out, lambda handle: handle.write(json.dumps(shaped, ensure_ascii=False, indent=1) + "\n"))
    return len(rows)


def _day(iso: str | None):
    from datetime import date

    return date.fromisoformat(iso) if iso else None


def _kind(key: str) -> str:
    """How an export column is typed in XLSX."""
    if key in ("score", "score_high") or key.startswith("cat_"):
        return "number"
    if key in ("coverage_pct", "passed", "failed", "review", "errors", "crawl_run"):
        return "int"
    if key in ("date_label", "audit_date_label"):
        return "date"
    return "link" if key == "evidence_url" else "text"
