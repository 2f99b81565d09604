"""Rule documentation as Markdown, from each rule's metadata and docstring (ruff-style)."""
from __future__ import annotations

import yaml

from minhbach.data import DATA_DIR
from minhbach.rules.registry import Rule

INSTRUMENTS = DATA_DIR / "instruments.yaml"


def instruments() -> dict[str, dict]:
    return yaml.safe_load(INSTRUMENTS.read_text(encoding="utf-8"))


def citation_text(citation: str, register: dict[str, dict]) -> str:
    instrument, _, article = citation.partition(" ")
    entry = register.get(instrument)
    if not entry:
        return citation
    return f"{entry['number']} {article}".strip() + f" ({entry['title']})"


def render_rule_docs(rules: list[Rule]) -> str:
    register = instruments()
    parts = []
    for rule in rules:
        citations = "\n".join(f"- {citation_text(c, register)}" for c in rule.citations)
        options = ", ".join(f"`{k}` = {v}" for k, v in rule.options.items()) or "none"
        parts.append(
            f"## {rule.code} – {rule.title_vi}\n\n*{rule.title_en}* · family `{rule.family}` · "
            f"catalogue `{rule.catalogue_id}` · version {rule.version} · levels {', '.join(rule.levels)}\n\n"
            f"{rule.doc}\n\nOptions (defaults): {options}\n\nCitations:\n{citations}\n")
    return "\n".join(parts)
