"""Roll-ups per province, parent and level: counts per grade, unknowns apart, averages, the
rules most often failed."""
from minhbach.audit.reports.rollups import NO_PARENT, rollup
from minhbach.audit.words.i18n import _

GRADES = ["Tốt", "Khá", "Trung bình", "Yếu"]


def score(code, level, parent, total, grade, coverage=1.0):
    return {"agency_code": code, "province": "Hòa Sơn", "parent_code": parent, "level_label": level,
            "score": total, "grade": grade if total is not None else "Không xác định", "coverage": coverage}


SCORES = [
    score("ubnd", "Tỉnh", "", 100.0, "Tốt"),
    score("so-a", "Sở/ngành", "ubnd", 81.0, "Tốt"),
    score("so-b", "Sở/ngành", "ubnd", 60.0, "Trung bình", 0.9),
    score("so-c", "Sở/ngành", "ubnd", None, "", 0.0),  # unreachable: counted apart, not as 0
]
FINDINGS = [{"agency_code": code, "rule_code": rule, "outcome": outcome} for code, rule, outcome in [
    ("so-a", "BG01", "fail"), ("so-b", "BG01", "fail"), ("so-b", "PL01", "fail"), ("so-b", "HL01", "pass"),
    ("so-c", "BG01", "error"),
]]


def test_rollup_by_level_counts_grades_and_keeps_unknowns_apart():
    rows = {row["group"]: row for row in rollup(SCORES, FINDINGS, "level", GRADES)}
    assert list(rows) == ["Sở/ngành", "Tỉnh"]
    departments = rows["Sở/ngành"]
    assert (departments["agencies"], departments["unknown"]) == (3, 1)
    assert [departments[g] for g in GRADES] == [1, 0, 1, 0]
    assert departments["average"] == 70.5          # the two scored, not the unreachable one
    assert departments["coverage_pct"] == 63.3      # (1.0 + 0.9 + 0.0) / 3, one decimal as everywhere
    assert departments["most_failed"] == "BG01 (2), PL01 (1)"
    assert rows["Tỉnh"]["most_failed"] == "" and rows["Tỉnh"]["Tốt"] == 1


def test_rollup_by_parent_names_top_level_agencies():
    groups = [row["group"] for row in rollup(SCORES, FINDINGS, "parent", GRADES)]
    assert groups == [_(NO_PARENT), "ubnd"]


def test_rollup_of_an_audit_where_nothing_was_reachable():
    rows = rollup([score("so-c", "Sở/ngành", "ubnd", None, "", 0.0)], [], "province", GRADES)
    assert rows[0]["average"] is None and rows[0]["unknown"] == 1 and rows[0]["Tốt"] == 0
