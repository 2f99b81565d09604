"""The shape of the code, checked.

The contracts live in pyproject.toml ([tool.importlinter]) and import-linter checks them:
    rules    depends on nothing of minhbach (only minhbach.data, the resource files)
    crawler  depends on rules (text helpers, lexicons, the link model) and data
    audit    the application, in rooms that import only what lies below them:
             cli > web > ops > reports | crawl > judge > registry | people > store > config | files > words
and the dashboard never imports the crawler, Scrapy or Twisted.
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
OLD_NAMES = {"rules", "crawler", "audit"}


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(project / "pyproject.toml"), "--no-cache"],
                          cwd=project, capture_output=True, text=True, env={"PYTHONPATH": str(project)})


def test_every_import_follows_the_contracts():
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_contracts_catch_an_import_against_the_layers(tmp_path):
    """The same kind of contract on a small package with one wrong-way import: it is caught."""
    for module in ("pkg/__init__.py", "pkg/top/__init__.py", "pkg/low/__init__.py"):
        (tmp_path / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / module).write_text("")
    (tmp_path / "pkg/low/leaf.py").write_text("from pkg.top import app\n")
    (tmp_path / "pkg/top/app.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.importlinter]
        root_packages = ["pkg"]
        [[tool.importlinter.contracts]]
        name = "top above low"
        type = "layers"
        containers = ["pkg"]
        layers = ["top", "low"]
    """))
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "pkg.low.leaf -> pkg.top.app" in result.stdout


def test_the_dashboard_process_loads_no_crawler():
    """What the contract says, as the running process sees it: building the dashboard imports
    neither Scrapy nor the crawler (they cost seconds and memory before the first page)."""
    probe = ("import sys; import minhbach.audit.web.app; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted') "
             "or m.startswith(('minhbach.crawler', 'minhbach.audit.crawl', 'minhbach.audit.ops'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_tests_and_benchmarks_import_the_installed_names():
    old = []
    for folder in ("tests", "bench", "audit", "crawler", "rules"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
                old += [f"{path.relative_to(ROOT)}:{node.lineno}: '{name}'" for name in names
                        if name.split(".")[0] in OLD_NAMES]
    assert not old, "old top-level names (the installed name is minhbach.*):\n" + "\n".join(old)


def _tree_in_readme() -> dict[str, set[str]]:
    """The names the README's "Where things are" block lists: {top folder: {names inside}}."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## Where things are", 1)[1]
    block = text.split("```", 2)[1]
    listed: dict[str, set[str]] = {}
    top = ""
    for line in block.splitlines()[1:]:
        first = line.strip().split("   ")[0].split("  ")[0] if line.strip() else ""
        if not first or line.startswith(" " * 10):  # a description carried on to the next line
            continue
        names = {name.strip() for name in first.split(",")}
        if not line.startswith(" "):
            top = first.rstrip("/")
            listed[top] = set()
        else:
            listed[top] |= names
    return listed


def test_the_readme_tree_matches_the_folders():
    """Every folder the README's tree names exists, and every package of rules/, crawler/ and
    audit/ (and every module at audit/'s top) is in it: the tree a newcomer reads is the tree."""
    listed = _tree_in_readme()
    missing = [f"{top}/{name}" for top, names in listed.items() for name in names
               if not (ROOT / top / name.rstrip("/")).exists()]
    missing += [top for top in listed if not (ROOT / top).is_dir()]
    unlisted = [f"{top}/{path.name}/" for top in ("rules", "crawler", "audit")
                for path in sorted((ROOT / top).iterdir())
                if path.is_dir() and (path / "__init__.py").exists() and f"{path.name}/" not in listed.get(top, ())]
    unlisted += [f"audit/{path.name}" for path in sorted((ROOT / "audit").glob("*.py"))
                 if path.name != "__init__.py" and path.name not in listed["audit"]]
    assert not missing, f"the README names what is not there: {missing}"
    assert not unlisted, f"the README's tree leaves out: {unlisted}"
