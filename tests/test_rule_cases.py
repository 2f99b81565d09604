"""Every rule against its cases in tests/rule_cases/*.yaml, plus the registry's own promises."""
from __future__ import annotations

import html as html_lib
import os
import re
from datetime import date

import pytest
import yaml

from minhbach.audit.reports.rule_docs import instruments
from minhbach.rules.artifacts import DocumentRef, PageSource, Site, UnreadRef
from minhbach.rules.registry import FAMILIES, Context, all_rules
from tests.support.paths import CASES_DIR, SHARED

REAL = SHARED / "fixtures" / "real"
RULES = all_rules()


def load_cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            yield pytest.param(spec["rule"], case, id=f"{spec['rule']}: {case['name']}")


def build(case: dict) -> Site:
    if "real" in case:
        if not REAL.exists():
            pytest.skip(f"{REAL} not found (the shared fixtures sit beside the project)")
        body = (REAL / case["real"]).read_bytes()
        url = f"https://real.example.gov.vn/{case['real']}"
        return Site("case", case.get("level", "so"), home_url=url, sources=[PageSource(url=url, body=body)])
    sources = []
    for n, page in enumerate(case["pages"]):
        url = page.get("url", "http://so.gov.vn/" if n == 0 else f"http://so.gov.vn/p{n}")
        content_type = page.get("content_type", "text/html; charset=utf-8")
        if "html" in content_type:
            body = (f"<html><head><title>{html_lib.escape(page.get('title', ''))}</title></head>"
                    f"<body>{page['body']}</body></html>")
        else:
            body = page["body"]
        sources.append(PageSource(url=url, body=body.encode("utf-8"), content_type=content_type,
                                  sha256=f"sha-{n}", depth=0 if n == 0 else 1))
    site = case.get("site", {})  # what the crawl recorded of the site itself (TLS, unread pages)
    unread = [UnreadRef(**u) for u in site.get("unread", [])]
    documents = [DocumentRef(**d) for d in case.get("documents", [])]  # files the crawl read
    return Site("case", case.get("level", "so"), name=case.get("agency", ""), home_url=sources[0].url, sources=sources,
                unread=unread, documents=documents,
                tls_status=site.get("tls_status", ""), tls_detail=site.get("tls_detail", ""))


@pytest.mark.parametrize("code, case", list(load_cases()))
def test_rule_case(code, case):
    site = build(case)
    audit_date = case.get("date", date(2026, 11, 21))
    result = RULES[code].evaluate(site, Context(audit_date, case.get("options", {})))
    assert result.outcome.value == case["expect"], result.note
    if "partial" in case:
        assert result.partial == case["partial"], result.note
    if "value" in case:
        assert result.evidence is not None and result.evidence.value == case["value"], result.evidence
    if result.outcome.value in ("pass",):
        assert result.evidence is not None and result.evidence.url, "a pass carries clickable evidence"
    assert result.note


def test_every_rule_has_a_passing_and_a_failing_case():
    seen: dict[str, set[str]] = {}
    for param in load_cases():
        code, case = param.values
        seen.setdefault(code, set()).add(case["expect"])
    for code in RULES:
        assert {"pass", "fail"} <= seen.get(code, set()), f"{code} needs a pass and a fail case"


@pytest.mark.parametrize("code", list(RULES))
def test_rule_metadata_and_documentation(code):
    rule = RULES[code]
    register = instruments()
    assert re.fullmatch(r"[A-Z]{2}\d{2}", code)
    assert rule.family in FAMILIES
    assert rule.title_vi and rule.title_en and rule.levels and rule.version >= 1
    for citation in rule.citations:
        assert citation.split(" ")[0] in register, f"{code}: {citation} is not in data/instruments.yaml"
    for part in ("What:", "Why:", "Good:", "Bad:", "Limits:"):
        assert part in rule.doc, f"{code} docstring lacks '{part}'"


def test_unreachable_site_is_an_error_never_a_fail():
    site = Site("x", "so", crawl_status="unreachable", crawl_reason="máy chủ từ chối kết nối")
    for rule in RULES.values():
        result = rule.evaluate(site, Context(date(2026, 11, 21)))
        assert result.outcome.value in ("error", "not_applicable")
        if result.outcome.value == "error":
            assert result.note == "máy chủ từ chối kết nối"


# What each rule found on each of its cases, per rule version (tests/rule_versions.yaml). A rule
# whose findings change without a new version would make a rule change look like the sites'
# change (in `diff`, the nightly e-mail, dispute expiry): bump `version=` in its @rule(...), then
# record the new outcomes with MINHBACH_RECORD_RULE_VERSIONS=1 (earlier versions are kept).
VERSIONS_FILE = CASES_DIR.parent / "rule_versions.yaml"


def _outcome_of(code: str, case: dict) -> str:
    result = RULES[code].evaluate(build(case), Context(case.get("date", date(2026, 11, 21)), case.get("options", {})))
    return result.outcome.value + (" partial" if result.partial else "")


def test_rule_outcomes_change_only_with_the_rule_version():
    recorded = yaml.safe_load(VERSIONS_FILE.read_text(encoding="utf-8")) if VERSIONS_FILE.exists() else {}
    now: dict[str, dict[str, str]] = {}
    for param in load_cases():
        code, case = param.values
        if "real" in case and not REAL.exists():
            continue
        now.setdefault(f"{code} v{RULES[code].version}", {})[case["name"]] = _outcome_of(code, case)
    if os.environ.get("MINHBACH_RECORD_RULE_VERSIONS"):
        VERSIONS_FILE.write_text(yaml.safe_dump({**recorded, **now}, allow_unicode=True, sort_keys=True, width=120),
                                 encoding="utf-8")
        recorded = {**recorded, **now}
    problems = []
    for key, cases in sorted(now.items()):
        if key not in recorded:
            problems.append(f"{key}: no outcomes recorded for this version")
            continue
        for name, outcome in cases.items():
            before = recorded[key].get(name)
            if before is None:
                problems.append(f"{key}: case '{name}' is new")
            elif before != outcome:
                problems.append(f"{key}: case '{name}' gave '{before}', now '{outcome}' (bump the version)")
    assert not problems, ("record with MINHBACH_RECORD_RULE_VERSIONS=1 after bumping changed rules' versions:\n"
                          + "\n".join(problems))
