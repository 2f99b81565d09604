"""The shape of the code, checked: dependencies run one way, and nothing is imported under the
old top-level names.

    rules    depends on nothing of minhbach (only minhbach.data, the resource files)
    crawler  depends on rules (text helpers, lexicons) and data
    audit    the application: depends on all of them
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The installed name of each source folder, and what its modules may import of minhbach.
FOLDERS = {"rules": "minhbach.rules", "crawler": "minhbach.crawler", "audit": "minhbach.audit",
           "data": "minhbach.data"}
ALLOWED = {
    "minhbach.rules": {"minhbach.rules", "minhbach.data"},
    "minhbach.crawler": {"minhbach.crawler", "minhbach.rules", "minhbach.data"},
    "minhbach.audit": {"minhbach.audit", "minhbach.crawler", "minhbach.rules", "minhbach.data"},
    "minhbach.data": {"minhbach.data"},
}
OLD_NAMES = {"rules", "crawler", "audit"}


def module_name(root: Path, path: Path) -> str:
    folder, *rest = path.relative_to(root).with_suffix("").parts
    parts = [FOLDERS[folder], *rest]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def wrong_way_imports(root: Path) -> list[str]:
    problems = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            module = module_name(root, path)
            layer = FOLDERS[folder]
            for line, name in imports_of(path, module):
                where = f"{path.relative_to(root)}:{line}"
                top = name.split(".")[0]
                if top in OLD_NAMES:
                    problems.append(f"{where}: imports '{name}'; the installed name is 'minhbach.{name}'")
                elif top == "minhbach":
                    target = ".".join(name.split(".")[:2])
                    if target not in ALLOWED[layer]:
                        problems.append(f"{where}: {layer} must not import {target} ('{name}')")
    return problems


def test_dependencies_run_one_way():
    problems = wrong_way_imports(ROOT)
    assert not problems, "imports against the layering:\n" + "\n".join(problems)


def test_the_check_catches_a_crawler_module_importing_the_application(tmp_path):
    for folder in FOLDERS:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "crawler" / "spider.py").write_text("from minhbach.rules.text import fold\n"
                                                    "from minhbach.audit.store.models import Page\n")
    (tmp_path / "rules" / "lexicon.py").write_text("from ..crawler import spider\nimport crawler.urls\n")
    assert wrong_way_imports(tmp_path) == [
        "rules/lexicon.py:1: minhbach.rules must not import minhbach.crawler ('minhbach.crawler')",
        "rules/lexicon.py:2: imports 'crawler.urls'; the installed name is 'minhbach.crawler.urls'",
        "crawler/spider.py:2: minhbach.crawler must not import minhbach.audit ('minhbach.audit.store.models')",
    ]


def test_tests_and_benchmarks_import_the_installed_names():
    old = [f"{path.relative_to(ROOT)}:{line}: '{name}'"
           for folder in ("tests", "bench") for path in sorted((ROOT / folder).rglob("*.py"))
           for line, name in imports_of(path, "x.y") if name.split(".")[0] in OLD_NAMES]
    assert not old, "old top-level names:\n" + "\n".join(old)
