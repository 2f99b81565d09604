"""Where things are, for the tests."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"          # the saved real pages and sites, beside the checkout
CASES_DIR = ROOT / "tests" / "rule_cases"
DEMO_REGISTRY = ROOT / "data" / "demo" / "agencies.csv"
