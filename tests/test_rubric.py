"""The rubric loader's errors and the scoring arithmetic."""
from pathlib import Path

import pytest

from minhbach.audit.judge.rubric import RUBRICS_DIR, RubricError, load_rubric
from minhbach.audit.judge.scoring import NO_GRADE, score_site
from minhbach.rules.registry import all_rules

# What the errors say, in their English source (users read them in Vietnamese: tests/test_i18n.py).
pytestmark = pytest.mark.usefixtures("english")


def test_the_decision_26_rubric_loads_and_says_it_is_reconstructed():
    rubric = load_rubric("vp-qd26-2017")
    assert rubric.id == "vp-qd26-2017" and [g.name for g in rubric.grades] == ["Tốt", "Khá", "Trung bình", "Yếu"]
    assert set(rubric.items) <= set(all_rules())
    header = (RUBRICS_DIR / "vp-qd26-2017.yaml").read_text(encoding="utf-8").split("\nid:")[0]
    assert "RECONSTRUCTED" in header and "Decree 43/2011" in header


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = """id: t
version: "1"
title: Thử
legal_basis: [x]
applies_to: [tinh, so]
outcomes: {pass: 1, partial: 0.5, fail: 0, not_applicable: exclude, needs_review: exclude, error: exclude}
grades:
  - {name: Tốt, min: 80}
  - {name: Yếu, min: 0}
categories:
"""


def test_loader_reports_every_problem_with_file_line_and_field(tmp_path):
    path = write(tmp_path, GOOD_HEAD + """  - id: a
    items:
      - {rule: HL01, weight: 2}
      - {rule: ZZ99, weight: 1}
      - {rule: HL01, weight: 1}
      - {rule: NW01, weight: -3}
      - {rule: LG01, weight: 1, options: {max_days: 3}}
colour: blue
""")
    with pytest.raises(RubricError) as caught:
        load_rubric(str(path))
    assert caught.value.problems == [
        f"{path}:18: colour: unknown field",
        f"{path}:14: categories[a].items[1].rule: unknown rule 'ZZ99' (see `minhbach rules`)",
        f"{path}:15: categories[a].items[2].rule: rule HL01 is already scored on line 13",
        f"{path}:16: categories[a].items[3].weight: a positive number",
        f"{path}:17: categories[a].items[4].options.max_days: rule LG01 has no such option (known: max_age_days)",
    ]


def test_loader_checks_rule_codes_and_option_values(tmp_path):
    path = write(tmp_path, GOOD_HEAD + """  - id: a
    items:
      - {rule: [LD01], weight: 1}
      - {rule: NW01, weight: 1, options: {max_age_days: -30}}
      - {rule: LG01, weight: 1, options: {max_age_days: "ba mươi"}}
      - {rule: DR01, weight: 1, options: {max_age_days: {tinh: 14, quan: 30}}}
      - {rule: BG02, weight: 1, options: {estimate_due: "31-02"}}
      - {rule: BG04, weight: 1, options: {final_due: {xa: "04-31", default: "07-31"}}}
      - {rule: QA01, weight: 1, options: {max_age_days: {tinh: 30, xa: 60.5}}}
      - {rule: PJ01, weight: 1, options: {min_fields: 3}}
""")
    with pytest.raises(RubricError) as caught:
        load_rubric(str(path))
    assert caught.value.problems == [
        f"{path}:13: categories[a].items[0].rule: one rule code, such as LD01 (one item per rule)",
        f"{path}:14: categories[a].items[1].options.max_age_days: 0 or more, not -30",
        f"{path}:15: categories[a].items[2].options.max_age_days: a whole number, not 'ba mươi'",
        f"{path}:16: categories[a].items[3].options.max_age_days: unknown level(s) quan "
        "(use tinh | so | huyen | xa | khac | default)",
        f"{path}:17: categories[a].items[4].options.estimate_due: a day of the year as MM-DD, "
        "such as '02-15', not '31-02'",
        f"{path}:18: categories[a].items[5].options.final_due: xa: a day of the year as MM-DD, "
        "such as '07-31', not '04-31'",
        f"{path}:19: categories[a].items[6].options.max_age_days: xa: a whole number, not 60.5",
    ]


def test_loader_checks_outcomes_grades_and_levels(tmp_path):
    text = GOOD_HEAD.replace("applies_to: [tinh, so]", "applies_to: [tinh, quan]").replace(
        "error: exclude", "error: maybe").replace("{name: Yếu, min: 0}", "{name: Yếu, min: 90}")
    path = write(tmp_path, text + "  - id: a\n    items:\n      - {rule: HL01, weight: 1}\n")
    with pytest.raises(RubricError) as caught:
        load_rubric(str(path))
    assert caught.value.problems == [
        f"{path}:5: applies_to: a list of levels among tinh, so, huyen, xa, khac",
        f"{path}:6: outcomes.error: 'maybe' is neither a share from 0 to 1 nor 'exclude'",
        f"{path}:9: grades[1].min: bands must go from the highest minimum down",
        f"{path}:8: grades: the last band must start at 0 so every score gets a grade",
    ]


def test_missing_rubric_names_the_available_ones(tmp_path):
    with pytest.raises(RubricError) as caught:
        load_rubric("khong-co")
    assert "rubric not found (available: nd224-2026, vp-qd26-2017)" in caught.value.problems[0]


def test_scoring_partial_excluded_and_unknown():
    rubric = load_rubric("vp-qd26-2017")
    everything = {code: ("pass", False) for code in rubric.items}
    assert score_site(rubric, "tinh", everything).total == 100.0
    half = dict(everything, LD01=("fail", True), LD02=("fail", False), LG01=("needs_review", False))
    score = score_site(rubric, "so", half)
    judged = sum(i.weight for c, i in rubric.items.items() if c not in ("LG01",))
    applicable = judged + 3   # LG01 (weight 3) needs review: applicable, not judged, no points
    assert score.total == round(100 * (judged - 8 * 0.5 - 2) / applicable, 1)
    assert score.high == round(100 * (judged - 8 * 0.5 - 2 + 3) / applicable, 1)
    assert score.coverage == round(judged / applicable, 3)
    assert score.categories["legal"]["score"] == round(100 * (14 - 4 - 2) / 17, 1)
    unknown = score_site(rubric, "so", {c: ("error", False) for c in rubric.items}, reachable=False,
                         reason="máy chủ từ chối kết nối")
    assert unknown.total is None and unknown.grade == "" and unknown.reason == "máy chủ từ chối kết nối"
    thin = {c: ("needs_review", False) for c in rubric.items} | {"HL01": ("pass", False)}
    assert score_site(rubric, "so", thin).grade == NO_GRADE


def test_rubrics_carry_their_dates_and_the_one_in_force_is_picked_by_date():
    from datetime import date

    from minhbach.audit.judge.rubric import dates_warning, rubric_in_force

    old, new = load_rubric("vp-qd26-2017"), load_rubric("nd224-2026")
    assert (old.effective_from, old.effective_until) == (date(2017, 8, 27), date(2022, 8, 14))
    assert (new.effective_from, new.effective_until) == (date(2026, 7, 1), None)
    assert rubric_in_force(date(2026, 11, 30)).id == "nd224-2026"
    assert rubric_in_force(date(2021, 7, 1)).id == "vp-qd26-2017"
    assert rubric_in_force(date(2024, 1, 1)) is None   # NĐ 42/2022's years: no rubric of ours
    assert "huyen" not in new.applies_to                # no district level after 1 July 2025
    warning = dates_warning(old.id, old.effective(), date(2026, 11, 30))
    assert "vp-qd26-2017" in warning and "14/08/2022" in warning and "30/11/2026" in warning
    assert dates_warning(new.id, new.effective(), date(2026, 11, 30)) == ""


def test_bad_dates_are_named_by_line_and_field(tmp_path):
    text = (RUBRICS_DIR / "nd224-2026.yaml").read_text(encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text(text.replace("effective: {from: 2026-07-01}", "effective: {from: 2026-13-01, until: 2025-01-01}"),
                    encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric(str(path))
    assert any("effective.from" in p and "2026-13-01" in p for p in caught.value.problems), caught.value.problems


def test_every_rule_of_the_new_rubric_has_pass_and_fail_fixtures():
    import yaml

    from tests.support.paths import CASES_DIR

    rubric = load_rubric("nd224-2026")
    for code in rubric.items:
        cases = yaml.safe_load((CASES_DIR / f"{code}.yaml").read_text(encoding="utf-8"))["cases"]
        assert {"pass", "fail"} <= {c["expect"] for c in cases}, code
    assert {"RT01", "DQ01", "OT01", "PC01"} <= set(rubric.items)  # what the 2026 law added
    for code in ("RT01", "DQ01", "OT01", "PC01"):
        assert any(c.startswith(("ND224-2026", "LCDS-2025")) for c in all_rules()[code].citations)


def test_audit_picks_the_rubric_in_force_on_its_date_and_warns_outside_its_dates(demo_store):
    from tests.support.cli import run_cli

    today = run_cli("audit", "--date", "2026-11-30")
    assert today.returncode == 0, today.stderr
    assert "nd224-2026 (in force on the audit date 30/11/2026)" in today.stdout
    assert "Scores by nd224-2026" in today.stdout and "Warning" not in today.stdout
    old_day = run_cli("audit", "--date", "2021-07-01")
    assert old_day.returncode == 0, old_day.stderr
    assert "vp-qd26-2017 (in force on the audit date 01/07/2021)" in old_day.stdout
    forced = run_cli("audit", "--rubric", "vp-qd26-2017", "--date", "2026-11-30")
    assert forced.returncode == 0 and "vp-qd26-2017 (given with --rubric)" in forced.stdout
    assert "Warning: rubric vp-qd26-2017 applies from 27/08/2017 until 14/08/2022" in forced.stdout
    again = run_cli("report")  # the newest audit: the warning is in every report of it
    assert "Warning: rubric vp-qd26-2017" in again.stdout
    listed = run_cli("rubrics", "--date", "2026-11-30")
    assert "▶ nd224-2026" in listed.stdout and "01/07/2026" in listed.stdout and "14/08/2022" in listed.stdout
