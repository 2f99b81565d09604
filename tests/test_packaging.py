"""The built wheel: one top-level package, every source and data file inside, and
`minhbach demo` working from a fresh virtual environment outside the checkout.

The wheel is built without build isolation (setuptools comes from the test extra) and the fresh
environment borrows the dependencies already installed beside these tests through a .pth file,
so nothing is fetched from the network.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"crawler": "minhbach/crawler", "rules": "minhbach/rules", "audit": "minhbach/audit",
           "data": "minhbach/data"}
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                              ".pytest_cache", "demo-output")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=SKIP)  # a clean tree: no stale build/ from earlier runs
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(work / "dist"), str(source)], check=True, capture_output=True)
    (built,) = (work / "dist").glob("minhbach-*.whl")
    return built


def test_wheel_installs_one_top_level_package_with_every_file(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"minhbach"}
    expected = []
    for folder, installed in FOLDERS.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                expected.append(f"{installed}/{path.relative_to(ROOT / folder).as_posix()}")
    missing = sorted(set(expected) - set(names))
    assert not missing, f"files left out of the wheel: {missing}"


def test_demo_runs_from_the_wheel_in_a_fresh_environment(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies, borrowed from the environment running the tests (its .pth files,
    # among them the editable install of this checkout, are not processed from there).
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    installed = sorted(p.name for p in site.iterdir() if "minhbach" in p.name)
    assert installed == ["minhbach", "minhbach-0.1.0.dist-info"]

    env = {k: v for k, v in os.environ.items() if not k.startswith("MINHBACH_")}
    env["PYTHONPATH"] = ""
    where = subprocess.run([python, "-c", "import minhbach.audit.cli as m; print(m.__file__)"],
                           cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(site)), where
    out = tmp_path / "demo-output"
    result = subprocess.run([env_dir / "bin" / "minhbach", "demo", "--out", str(out), "--today", "2026-11-30"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ubnd-hs" in result.stdout
    scores = (out / "scores.csv").read_text(encoding="utf-8-sig")
    assert "Ủy ban nhân dân tỉnh Hòa Sơn" in scores and "Không xác định" in scores
