"""Compare the rules with the hand labels of ../shared/fixtures/real/LABELS.csv, page by page.

Each saved page is audited as a one-page site on the day it was captured. A label starting with
"y" means the content itself is on the page; the rule agrees when it finds it (pass, or a fail
marked partial: present but stale or incomplete, since the labels do not judge freshness).
Any other label (link, img-link, mention, n) agrees with any outcome that is not a find.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from minhbach.rules.artifacts import PageSource, Site
from minhbach.rules.registry import Context, all_rules

# Label column -> rule that judges it.
COLUMNS = {
    "has_hotline": "HL01", "lists_legal_docs": "LD01", "has_plans": "PL01",
    "has_budget_disclosure": "BG01", "has_tenders": "TD01", "has_tthc": "TT01", "has_qa": "QA01",
    "has_draft_for_comment": "DT01",
}
CAPTURED = {"sotttt_hanoi_": date(2022, 8, 27), "odp_cantho_": date(2026, 1, 22), "thpt_nbk_angiang_": date(2024, 11, 7)}


@dataclass
class Comparison:
    file: str
    rule: str
    label: str
    outcome: str
    expected_found: bool
    found: bool

    @property
    def agrees(self) -> bool:
        return self.expected_found == self.found


def compare(real_dir: Path) -> list[Comparison]:
    rules = all_rules()
    results = []
    with (real_dir / "LABELS.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            url = row["original_url"]
            site = Site(row["file"], "so", home_url=url,
                        sources=[PageSource(url=url, body=(real_dir / row["file"]).read_bytes())])
            day = next(d for prefix, d in CAPTURED.items() if row["file"].startswith(prefix))
            for column, code in COLUMNS.items():
                result = rules[code].evaluate(site, Context(day))
                found = result.outcome.value == "pass" or (result.outcome.value == "fail" and result.partial)
                label = row[column]
                results.append(Comparison(row["file"], code, label, result.outcome.value,
                                          label.strip().lower().startswith("y"), found))
    return results
