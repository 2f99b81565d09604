"""CSV files: UTF-8 with BOM (a spreadsheet reads the diacritics right), a stable column order,
cells that a spreadsheet would run as formulas neutralised (reports/cells.py), and headers in
one language per file: the reader's words, or with `keys` the stable machine keys (the same
keys as the JSON) for scripts.

Two dialects ([report] csv_dialect, or --csv-dialect):
  comma      `,` between fields and `.` in decimals: what scripts and a spreadsheet's import read;
  semicolon  `;` between fields and `,` in decimals: what a spreadsheet set to Vietnamese
             (decimal comma, list separator `;`) opens with typed numbers by a double click.
The XLSX file is the people's file either way: its cells are typed whatever the locale."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from minhbach.audit.files import write_atomically
from minhbach.audit.reports.cells import csv_line
from minhbach.audit.words.i18n import N_, _
from minhbach.audit.words.names import cause_name, change_kind_name, family_name, outcome_name, reachability_name

# The changes between two audits (`diff --format csv`, the nightly folder's changes.csv).
CHANGE_COLUMNS = [("agency_code", N_("Agency code")), ("rule_code", N_("Rule code")), ("family", N_("Family")),
                  ("before", N_("Before")), ("after", N_("After")), ("change", N_("Change")),
                  ("cause", N_("Changed by"))]


DIALECTS = {"comma": (",", False), "semicolon": (";", True)}


def csv_text(columns: Sequence[tuple[str, str]], rows: Iterable[dict], dialect: str = "comma",
             keys: bool = False) -> str:
    """`columns` is [(key, header), ...] in output order; `keys` heads the columns with the keys."""
    separator, decimal_comma = DIALECTS[dialect]
    lines = [csv_line((key if keys else header for key, header in columns), separator)]
    lines += [csv_line((row.get(key) for key, _ in columns), separator, decimal_comma) for row in rows]
    return "".join(line + "\r\n" for line in lines)


def write_csv(path: Path, columns: Sequence[tuple[str, str]], rows: Iterable[dict], dialect: str = "comma",
              keys: bool = False) -> Path:
    """The CSV file of `csv_text`, written whole or not at all."""
    text = csv_text(columns, rows, dialect, keys)
    return write_atomically(path, lambda handle: handle.write(text), encoding="utf-8-sig", newline="")


def write_audit_file(session, audit, fmt: str, findings: bool, out: Path, dialect: str = "comma",
                     keys: bool = False) -> int:
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
        write_csv(out, columns, rows, dialect, keys)
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
    if key in ("score", "score_high", "coverage_pct") or key.startswith("cat_"):
        return "number"
    if key in ("passed", "failed", "review", "errors", "crawl_run"):
        return "int"
    if key in ("date_label", "audit_date_label"):
        return "date"
    return "link" if key == "evidence_url" else "text"


def write_changes(path: Path, records: list[dict], dialect: str = "comma", keys: bool = False) -> Path:
    """The records of judge/changes.diff_records as CSV: headers and values in the reader's
    words, or with `keys` the machine keys and codes (the same as the JSON)."""
    return write_csv(path, change_columns(keys), records if keys else people_changes(records), dialect, keys)


def change_columns(keys: bool = False) -> list[tuple[str, str]]:
    return [(key, key if keys else _(header)) for key, header in CHANGE_COLUMNS]


def people_changes(records: list[dict]) -> list[dict]:
    """Each change with its codes named (outcomes, families, kinds of change, causes)."""
    def state(code: str) -> str:
        return reachability_name(code) if code in ("reachable", "unreachable") else outcome_name(code)

    return [{**r, "family": family_name(r["family"]) if r["family"] else "", "before": state(r["before"]),
             "after": state(r["after"]), "change": change_kind_name(r["change"]), "cause": cause_name(r["cause"])}
            for r in records]
