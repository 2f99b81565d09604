"""The scheduling files in deploy/: systemd units that systemd itself accepts, and the crontab
line the README quotes."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

DEPLOY = ROOT / "deploy"


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        message = "systemd-analyze is not installed (Debian package systemd)"
        if IN_CI:
            pytest.fail(message + " - .ci/run installs it")
        pytest.skip(message)
    minhbach = Path(sys.executable).with_name("minhbach")
    for unit in ("minhbach-nightly.service", "minhbach-nightly.timer"):
        text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
        # verify checks that ExecStart exists: point it at this checkout's minhbach
        (tmp_path / unit).write_text(text.replace("/opt/minhbach/.venv/bin/minhbach", str(minhbach)),
                                     encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(tmp_path / "minhbach-nightly.timer"),
                             str(tmp_path / "minhbach-nightly.service")], capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_the_timer_is_persistent_and_randomised_and_the_service_stops_cleanly():
    timer = (DEPLOY / "systemd" / "minhbach-nightly.timer").read_text(encoding="utf-8")
    service = (DEPLOY / "systemd" / "minhbach-nightly.service").read_text(encoding="utf-8")
    assert "Persistent=true" in timer and re.search(r"RandomizedDelaySec=\d+", timer)
    assert "ExecStart=/opt/minhbach/.venv/bin/minhbach nightly" in service and "KillSignal=SIGINT" in service


def test_the_readme_quotes_the_crontab_line_and_the_units():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cron_line = next(line for line in (DEPLOY / "cron" / "minhbach").read_text(encoding="utf-8").splitlines()
                     if line and not line.startswith("#") and "=" not in line.split()[0])
    assert cron_line in readme
    assert "deploy/systemd/minhbach-nightly.timer" in readme
