"""The optional parts: a command that needs one that is not installed says so in one line."""
import os
import subprocess
import sys
import textwrap

import pytest

from tests.support.paths import ROOT

# Run minhbach in a child process where the given modules cannot be imported, as on a machine
# where the part that brings them was not installed.
BLOCKER = textwrap.dedent("""
    import importlib.abc, sys
    BLOCKED = set({blocked!r})
    class Absent(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(name)
            return None
    sys.meta_path.insert(0, Absent())
    import importlib.util
    real = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a, **k: None if name.split(".")[0] in BLOCKED else real(name, *a, **k)
    from minhbach.audit.cli.main import main
    main()
""")


def without(blocked: tuple[str, ...], *args: str, tmp_path, database: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "MINHBACH_DATA_DIR": str(tmp_path / "d"), "MINHBACH_LANG": "en"}
    env.pop("MINHBACH_DATABASE_URL", None)
    if database:
        env["MINHBACH_DATABASE_URL"] = database
    return subprocess.run([sys.executable, "-c", BLOCKER.format(blocked=blocked), *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("blocked, args, part", [
    (("fastapi",), ("serve",), "web"),
    (("argon2",), ("users", "list"), "web"),
    (("rq",), ("workers",), "cluster"),
    (("pandas",), ("monthly", "--month", "2026-11"), "reports"),
    (("psycopg",), ("runs",), "postgres"),
])
def test_a_missing_part_is_one_line(blocked, args, part, tmp_path):
    database = "postgresql+psycopg://127.0.0.1:1/none" if part == "postgres" else ""
    result = without(blocked, *args, tmp_path=tmp_path, database=database)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and f"pip install 'minhbach[{part}]'" in result.stderr


def test_a_crawl_needs_no_optional_part(tmp_path):
    """The base install crawls, audits and writes CSV: the options help comes up without any part."""
    result = without(("fastapi", "pandas", "rq", "redis", "psycopg", "scrapy_playwright", "argon2"),
                     "crawl", "--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
