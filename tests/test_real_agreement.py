"""The rules against the hand labels of the real saved pages; disagreements must be explained."""
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.support.paths import SHARED
from tests.support.real_agreement import compare

REAL = SHARED / "fixtures" / "real"
ACCEPTED = Path(__file__).with_name("real_disagreements.yaml")


@pytest.mark.skipif(not (REAL / "LABELS.csv").exists(), reason=f"{REAL} not found")
def test_rules_agree_with_hand_labels(capsys):
    comparisons = compare(REAL)
    per_rule = defaultdict(lambda: [0, 0])
    for c in comparisons:
        per_rule[c.rule][0] += c.agrees
        per_rule[c.rule][1] += 1
    with capsys.disabled():
        print("\nper-rule agreement with LABELS.csv:")
        for rule, (agree, total) in sorted(per_rule.items()):
            print(f"  {rule}: {agree}/{total} ({100 * agree / total:.0f}%)")
    accepted = {(d["file"], d["rule"]) for d in yaml.safe_load(ACCEPTED.read_text(encoding="utf-8"))}
    disagreements = {(c.file, c.rule): c for c in comparisons if not c.agrees}
    unexplained = [f"{f} {r}: rule says {c.outcome}, label '{c.label[:60]}'"
                   for (f, r), c in disagreements.items() if (f, r) not in accepted]
    assert not unexplained, "explain in tests/real_disagreements.yaml or fix the rule:\n" + "\n".join(unexplained)
    stale = accepted - set(disagreements)
    assert not stale, f"these accepted disagreements no longer happen; remove them: {sorted(stale)}"
    assert sum(c.agrees for c in comparisons) / len(comparisons) >= 0.95


@pytest.mark.skipif(not (REAL / "LABELS.csv").exists(), reason=f"{REAL} not found")
def test_no_rule_crashes_on_a_real_page():
    """Every rule, on every real saved page: a finding may be anything but a crash."""
    from datetime import date

    from minhbach.rules.artifacts import PageSource, Site
    from minhbach.rules.registry import Context, all_rules

    crashed = []
    for path in sorted(REAL.glob("*.htm*")):
        url = f"https://real.example.gov.vn/{path.name}"
        site = Site(path.name, "so", home_url=url, sources=[PageSource(url=url, body=path.read_bytes())])
        for code, rule in all_rules().items():
            result = rule.evaluate(site, Context(date(2026, 11, 21)))
            if result.crashed or result.outcome.value == "error":
                crashed.append(f"{path.name} {code}: {result.note}")
    assert not crashed, "\n".join(crashed)
