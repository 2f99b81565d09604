"""Roll-ups of an audit's scores per province, parent agency or level (pandas group-bys):
agencies, how many could not be scored, counts per grade, average score and coverage, and the
rules most often failed."""
from __future__ import annotations

import pandas as pd

from minhbach.audit.words.i18n import N_, _

ROLLUP_COLUMNS = {"province": N_("Province"), "parent": N_("Parent agency"), "level": N_("Level")}
_GROUP_KEY = {"province": "province", "parent": "parent_code", "level": "level_label"}
NO_PARENT = N_("(none)")


def rollup(score_rows: list[dict], finding_rows: list[dict], by: str, grades: list[str] | None = None,
           most_failed: int = 3) -> list[dict]:
    """One dict per group: group, agencies, unknown, one count per grade (keys = the rubric's
    grade names, best first, listed in `grades`), average, coverage_pct, most_failed
    ("BG01 (3), ..."). Without `grades`, the grades found, ordered by their mean score."""
    scores = pd.DataFrame(score_rows)
    if scores.empty:
        return []
    key = _GROUP_KEY[by]
    scores["group"] = scores[key].replace("", _(NO_PARENT)) if by == "parent" else scores[key]
    scored = scores[scores["score"].notna()]
    grades = grades or list(scored.groupby("grade")["score"].mean().sort_values(ascending=False).index)
    per_grade = pd.crosstab(scored["group"], scored["grade"]).reindex(columns=grades, fill_value=0)
    table = scores.groupby("group").agg(agencies=("agency_code", "size"),
                                        unknown=("score", lambda s: int(s.isna().sum())),
                                        coverage=("coverage", "mean"))
    table["average"] = scored.groupby("group")["score"].mean()
    table = table.join(per_grade).fillna({grade: 0 for grade in grades})
    failed_by_group = _most_failed(scores, pd.DataFrame(finding_rows), most_failed)
    out = []
    for group, row in table.sort_index().iterrows():
        average = row["average"]
        out.append({
            "group": str(group), "agencies": int(row["agencies"]), "unknown": int(row["unknown"]),
            **{grade: int(row[grade]) for grade in grades}, "grades": grades,
            "average": None if pd.isna(average) else round(float(average), 1),
            "coverage_pct": round(100 * float(row["coverage"]), 1),
            "most_failed": failed_by_group.get(group, ""),
        })
    return out


def _most_failed(scores: pd.DataFrame, findings: pd.DataFrame, limit: int) -> dict[str, str]:
    if findings.empty:
        return {}
    failed = findings[findings["outcome"] == "fail"].merge(scores[["agency_code", "group"]], on="agency_code")
    counts = failed.groupby(["group", "rule_code"]).size().reset_index(name="n")
    counts = counts.sort_values(["group", "n", "rule_code"], ascending=[True, False, True])
    return {group: ", ".join(f"{r.rule_code} ({r.n})" for r in rows.head(limit).itertuples())
            for group, rows in counts.groupby("group")}
