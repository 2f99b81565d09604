"""Rubrics: scoring schemes kept as YAML in `data/rubrics/`, validated against the rule registry.

Every problem in a rubric file is reported at once, one line each, as `FILE:LINE: field: message`,
and a rubric with any problem is not used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from minhbach.audit.words.i18n import _
from minhbach.data import DATA_DIR
from minhbach.rules.levels import ALL_LEVELS
from minhbach.rules.registry import all_rules

RUBRICS_DIR = DATA_DIR / "rubrics"
OUTCOME_KEYS = ("pass", "partial", "fail", "not_applicable", "needs_review", "error")
REQUIRED = ("id", "version", "title", "legal_basis", "applies_to", "outcomes", "grades", "categories")


class RubricError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Item:
    rule: str
    weight: float
    options: dict[str, Any]
    category: str


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Grade:
    name: str
    min: float


@dataclass
class Rubric:
    id: str
    version: str
    title: str
    applies_to: tuple[str, ...]
    outcomes: dict[str, Any]
    grades: tuple[Grade, ...]
    categories: tuple[Category, ...]
    grade_coverage: float = 0.9   # graded whatever the unjudged rules could change, from this share judged
    source: str = ""
    items: dict[str, Item] = field(default_factory=dict)
    legal_basis: tuple[str, ...] = ()
    effective_from: date | None = None   # the law it scores is in force from ... until (inclusive)
    effective_until: date | None = None

    def __post_init__(self):
        self.items = {item.rule: item for category in self.categories for item in category.items}

    def grade_for(self, total: float) -> str:
        return next((g.name for g in self.grades if total >= g.min), "")

    def in_force(self, day: date) -> bool:
        return ((self.effective_from is None or self.effective_from <= day)
                and (self.effective_until is None or day <= self.effective_until))

    def effective(self) -> dict[str, str | None]:
        """The dates as an audit records them (ISO, None when open-ended)."""
        return {"from": self.effective_from.isoformat() if self.effective_from else None,
                "until": self.effective_until.isoformat() if self.effective_until else None}


# -- YAML with line numbers -----------------------------------------------------------------

class _Node:
    """A YAML value with the line it starts on (1-based), for error messages."""

    def __init__(self, value, line: int):
        self.value, self.line = value, line


def _plain(node: yaml.Node) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        return _Node({key.value: _plain(value) for key, value in node.value}, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_plain(value) for value in node.value], line)
    try:
        return _Node(yaml.SafeLoader.construct_object(yaml.SafeLoader(""), node), line)
    except ValueError:  # a value YAML takes for a date that is none ("2026-13-01"): checked as text
        return _Node(node.value, line)


def _unwrap(node: _Node):
    if isinstance(node.value, dict):
        return {k: _unwrap(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_unwrap(v) for v in node.value]
    return node.value


# -- loading --------------------------------------------------------------------------------

def rubric_path(rubric_id: str, directory: Path = RUBRICS_DIR) -> Path:
    path = Path(rubric_id)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    return Path(directory) / f"{rubric_id}.yaml"


def available(directory: Path = RUBRICS_DIR) -> list[str]:
    return sorted(p.stem for p in Path(directory).glob("*.yaml"))


def load_rubric(rubric_id: str, directory: Path = RUBRICS_DIR) -> Rubric:
    """Load and validate a rubric by id (a file in `data/rubrics/`) or by path."""
    path = rubric_path(rubric_id, directory)
    if not path.exists():
        raise RubricError([_("{path}: rubric not found (available: {rubrics})").format(
            path=path, rubrics=', '.join(available(directory)))])
    try:
        document = yaml.compose(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", -1) + 1
        raise RubricError([_("{path}:{line}: (file): not valid UTF-8 YAML: {reason}").format(
            path=path, line=line, reason=str(error).splitlines()[0])]) from None
    if not isinstance(document, yaml.MappingNode):
        raise RubricError([_("{path}:1: (file): a rubric is a YAML mapping").format(path=path)])
    return _validate(_plain(document), path)


class _Problems:
    """Every problem of one rubric file, one line each: FILE:LINE: field: message."""

    def __init__(self, path: Path, root: _Node):
        self.path, self.root = path, root
        self.lines: list[str] = []

    def __call__(self, node: _Node | None, field_: str, message: str) -> None:
        self.lines.append(_("{path}:{line}: {field}: {message}").format(
            path=self.path, line=node.line if node else self.root.line, field=field_, message=message))


def _validate(root: _Node, path: Path) -> Rubric:
    top = root.value
    bad = _Problems(path, root)
    for key in REQUIRED:
        if key not in top:
            bad(root, key, _("missing"))
    for key in top:
        if key not in REQUIRED + ("effective", "grade_coverage"):
            bad(top[key], key, _("unknown field"))
    levels = _levels(top, bad)
    outcomes = _outcomes(top, bad)
    grades = _grades(top, bad)
    categories = _categories(top, bad)
    effective = _effective(top, bad)
    grade_coverage = top["grade_coverage"].value if "grade_coverage" in top else 0.9
    if not _is_number(grade_coverage) or not 0 <= grade_coverage <= 1:
        bad(top.get("grade_coverage"), "grade_coverage", _("a share from 0 to 1"))
    if bad.lines:
        raise RubricError(bad.lines)
    return Rubric(id=str(top["id"].value), version=str(top["version"].value), title=str(top["title"].value),
                  applies_to=tuple(levels), outcomes=outcomes, grades=tuple(grades),
                  categories=tuple(categories), grade_coverage=float(grade_coverage), source=str(path),
                  effective_from=effective["from"], effective_until=effective["until"],
                  legal_basis=tuple(str(b) for b in (_unwrap(top["legal_basis"]) or ())))


def _levels(top: dict, bad: _Problems) -> list[str]:
    levels = _unwrap(top["applies_to"]) if "applies_to" in top else []
    if not isinstance(levels, list) or any(level not in ALL_LEVELS for level in levels):
        bad(top.get("applies_to"), "applies_to", _("a list of levels among {levels}").format(
            levels=', '.join(ALL_LEVELS)))
        return []
    return levels


def _outcomes(top: dict, bad: _Problems) -> dict[str, Any]:
    outcomes: dict[str, Any] = {}
    if "outcomes" not in top:
        return outcomes
    node = top["outcomes"]
    values = node.value if isinstance(node.value, dict) else {}
    if not values:
        bad(node, "outcomes", _("a mapping of outcome to points"))
    for key in OUTCOME_KEYS:
        if values and key not in values:
            bad(node, f"outcomes.{key}", _("missing"))
    for key, value in values.items():
        if key not in OUTCOME_KEYS:
            bad(value, f"outcomes.{key}", _("unknown outcome (use {outcomes})").format(
                outcomes=', '.join(OUTCOME_KEYS)))
        elif value.value != "exclude" and not (_is_number(value.value) and 0 <= value.value <= 1):
            bad(value, f"outcomes.{key}", _("'{value}' is neither a share from 0 to 1 nor 'exclude'").format(
                value=value.value))
        else:
            outcomes[key] = value.value
    return outcomes


def _grades(top: dict, bad: _Problems) -> list[Grade]:
    grades: list[Grade] = []
    if "grades" not in top:
        return grades
    node = top["grades"]
    if not isinstance(node.value, list) or not node.value:
        bad(node, "grades", _("a list of {{name, min}}, highest first"))
        return grades
    for n, entry in enumerate(node.value):
        spec = entry.value if isinstance(entry.value, dict) else {}
        name, minimum = spec.get("name"), spec.get("min")
        if not name or not isinstance(name.value, str):
            bad(entry, f"grades[{n}].name", _("missing"))
        elif minimum is None or not _is_number(minimum.value) or not 0 <= minimum.value <= 100:
            bad(minimum or entry, f"grades[{n}].min", _("a number from 0 to 100"))
        elif grades and minimum.value >= grades[-1].min:
            bad(minimum, f"grades[{n}].min", _("bands must go from the highest minimum down"))
        else:
            grades.append(Grade(name.value, float(minimum.value)))
    if grades and grades[-1].min != 0:
        bad(node, "grades", _("the last band must start at 0 so every score gets a grade"))
    return grades


def _categories(top: dict, bad: _Problems) -> list[Category]:
    categories: list[Category] = []
    if "categories" not in top:
        return categories
    node = top["categories"]
    if not isinstance(node.value, list) or not node.value:
        bad(node, "categories", _("a list of categories with items"))
    rules, seen = all_rules(), dict[str, int]()
    for c, entry in enumerate(node.value if isinstance(node.value, list) else []):
        spec = entry.value if isinstance(entry.value, dict) else {}
        cat_id = spec["id"].value if "id" in spec else f"#{c}"
        if "id" not in spec:
            bad(entry, f"categories[{c}].id", _("missing"))
        item_nodes = spec["items"].value if "items" in spec and isinstance(spec["items"].value, list) else []
        if not item_nodes:
            bad(entry, f"categories[{cat_id}].items", _("a category needs at least one item"))
        items = [item for i, item_node in enumerate(item_nodes)
                 if (item := _item(item_node, f"categories[{cat_id}].items[{i}]", cat_id, rules, seen, bad))]
        title = spec["title"].value if "title" in spec else cat_id
        categories.append(Category(cat_id, str(title), tuple(items)))
    return categories


def _item(item_node: _Node, where: str, cat_id: str, rules: dict, seen: dict[str, int], bad: _Problems) -> Item | None:
    """One scored rule of a category: its code (known, once), weight and options."""
    item = item_node.value if isinstance(item_node.value, dict) else {}
    code = item["rule"].value if "rule" in item else None
    if code is None:
        bad(item_node, f"{where}.rule", _("missing"))
        return None
    if not isinstance(code, str):
        bad(item["rule"], f"{where}.rule", _("one rule code, such as LD01 (one item per rule)"))
        return None
    if code not in rules:
        bad(item["rule"], f"{where}.rule", _("unknown rule '{code}' (see `minhbach rules`)").format(code=code))
        return None
    if code in seen:
        bad(item["rule"], f"{where}.rule", _("rule {code} is already scored on line {line}").format(
            code=code, line=seen[code]))
        return None
    seen[code] = item["rule"].line
    weight = item.get("weight")
    if weight is None or not _is_number(weight.value) or weight.value <= 0:
        bad(weight or item_node, f"{where}.weight", _("a positive number"))
        return None
    options = _unwrap(item["options"]) if "options" in item else {}
    if not isinstance(options, dict):
        bad(item["options"], f"{where}.options", _("a mapping of option to value"))
        return None
    for name, value in options.items():
        if name not in rules[code].options:
            known = ", ".join(rules[code].options) or "none"
            bad(item["options"], f"{where}.options.{name}",
                _("rule {code} has no such option (known: {known})").format(code=code, known=known))
            continue
        problem = option_problem(value, rules[code].options[name])
        if problem:
            bad(item["options"], f"{where}.options.{name}", problem)
    for name in item:
        if name not in ("rule", "weight", "options"):
            bad(item[name], f"{where}.{name}", _("unknown field"))
    return Item(code, float(weight.value), options, cat_id)


def _effective(top: dict, bad: _Problems) -> dict[str, date | None]:
    effective: dict[str, date | None] = {"from": None, "until": None}
    if "effective" not in top:
        return effective
    node = top["effective"]
    values = node.value if isinstance(node.value, dict) else None
    if not values or set(values) - {"from", "until"}:
        bad(node, "effective", _("a mapping with from and/or until dates (YYYY-MM-DD)"))
    for key, value in (values or {}).items():
        if key in effective:
            try:
                effective[key] = date.fromisoformat(str(value.value))
            except ValueError:
                bad(value, f"effective.{key}", _("'{value}' is not a date written YYYY-MM-DD").format(
                    value=value.value))
    if effective["from"] and effective["until"] and effective["from"] > effective["until"]:
        bad(node, "effective", _("from must not be after until"))
    return effective


def all_rubrics(directory: Path = RUBRICS_DIR) -> list[Rubric]:
    """Every rubric in `directory` that loads (a broken one is left to `load_rubric` to report)."""
    rubrics = []
    for rubric_id in available(directory):
        try:
            rubrics.append(load_rubric(rubric_id, directory))
        except RubricError:
            continue
    return rubrics


def rubric_in_force(day: date, directory: Path = RUBRICS_DIR) -> Rubric | None:
    """The rubric whose dates hold `day` (the one that started last, if several), or None."""
    candidates = [r for r in all_rubrics(directory) if r.in_force(day)]
    return max(candidates, key=lambda r: r.effective_from or date.min, default=None)


def dates_warning(rubric_id: str, effective: dict | None, day: date) -> str:
    """What every report says when a rubric judged a day outside its dates ("" when inside)."""
    start, end = ((effective or {}).get(key) for key in ("from", "until"))
    start, end = (date.fromisoformat(value) if value else None for value in (start, end))
    if (start is None or start <= day) and (end is None or day <= end):
        return ""
    dates = _("from {start} until {end}").format(start=f"{start:%d/%m/%Y}" if start else "…",
                                                 end=f"{end:%d/%m/%Y}" if end else "…")
    return _("Warning: rubric {rubric} applies {dates}; the audit date {day} is outside those dates, so "
             "these scores do not measure the rules of that day.").format(rubric=rubric_id, dates=dates,
                                                                          day=f"{day:%d/%m/%Y}")


_MONTH_DAY = re.compile(r"^(\d\d)-(\d\d)$")


def option_problem(value: Any, default: Any) -> str | None:
    """Why `value` cannot stand for an option whose default is `default`, or None. Options are
    typed by their default: whole numbers of days or items (0 or more), month-day dates
    ("MM-DD"), or either given per agency level ({tinh: 14, xa: 30, default: 30})."""
    if isinstance(value, dict):
        unknown = [key for key in value if key not in (*ALL_LEVELS, "default")]
        if unknown:
            return f"unknown level(s) {', '.join(map(str, unknown))} (use {' | '.join(ALL_LEVELS)} | default)"
        for level, inner in value.items():
            problem = option_problem(inner, default)
            if problem:
                return f"{level}: {problem}"
        return None
    if isinstance(default, dict):
        default = default.get("default", next(iter(default.values())))
    if isinstance(default, bool):
        return None if isinstance(value, bool) else f"yes or no (true/false), not {value!r}"
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"a whole number, not {value!r}"
        return None if value >= 0 else f"0 or more, not {value}"
    if isinstance(default, str) and _MONTH_DAY.match(default):
        match = _MONTH_DAY.match(value) if isinstance(value, str) else None
        try:
            date(2024, int(match.group(1)), int(match.group(2))) if match else None
        except ValueError:
            match = None
        return None if match else f"a day of the year as MM-DD, such as {default!r}, not {value!r}"
    return None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def audit_warning(audit) -> str:
    """The dates warning of one stored audit (its rubric's dates as they were when it ran)."""
    return dates_warning(audit.rubric_id, audit.rubric_effective, audit.audit_date)
