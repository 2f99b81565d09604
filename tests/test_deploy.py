"""The scheduling files in deploy/: systemd units that systemd itself accepts, and the crontab
line the README quotes."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.services import unavailable

DEPLOY = ROOT / "deploy"


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        unavailable("systemd-analyze is not installed (Debian package systemd)", in_ci=".ci/run installs it")
    minhbach = Path(sys.executable).with_name("minhbach")
    for unit in ("minhbach-nightly.service", "minhbach-nightly.timer", "minhbach-worker.service"):
        text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
        # verify checks that ExecStart exists: point it at this checkout's minhbach
        (tmp_path / unit).write_text(text.replace("/opt/minhbach/.venv/bin/minhbach", str(minhbach)),
                                     encoding="utf-8")
    # the worker's EnvironmentFile must exist for verify: the example stands in for it
    worker = tmp_path / "minhbach-worker.service"
    worker.write_text(worker.read_text(encoding="utf-8").replace(
        "/etc/minhbach/minhbach.env", str(DEPLOY / "minhbach.env.example")), encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(tmp_path / "minhbach-nightly.timer"),
                             str(tmp_path / "minhbach-nightly.service"), str(worker)], capture_output=True, text=True)
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


def _minhbach_commands() -> set[str]:
    from minhbach.audit.cli import main

    return set(main.commands)


def test_the_worker_unit_stops_warmly_and_reads_the_cluster_environment():
    unit = (DEPLOY / "systemd" / "minhbach-worker.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/minhbach/.venv/bin/minhbach worker" in unit
    assert "KillSignal=SIGTERM" in unit and "KillMode=mixed" in unit and "Restart=always" in unit
    assert "EnvironmentFile=/etc/minhbach/minhbach.env" in unit
    variables = {line.split("=", 1)[0] for line in (DEPLOY / "minhbach.env.example").read_text(encoding="utf-8")
                 .splitlines() if line and not line.startswith("#")}
    assert variables == {"MINHBACH_DATABASE_URL", "MINHBACH_REDIS_URL", "MINHBACH_BODIES_DIR", "MINHBACH_DATA_DIR",
                         "MINHBACH_CONFIG"}


def test_compose_runs_redis_postgres_two_workers_and_the_dashboard_with_real_commands():
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"redis", "postgres", "dashboard"} <= set(services)
    workers = [name for name, service in services.items() if service.get("command", [])[:2] == ["minhbach", "worker"]]
    assert len(workers) == 2
    commands = _minhbach_commands()
    for name, service in services.items():
        command = service.get("command", [])
        if command[:1] == ["minhbach"]:
            assert command[1] in commands, f"{name}: minhbach {command[1]} does not exist"
            assert service["environment"]["MINHBACH_DATABASE_URL"].startswith("postgresql+psycopg://")
            assert service["environment"]["MINHBACH_REDIS_URL"] == "redis://redis:6379/0"
            assert "bodies:/srv/minhbach/bodies" in service["volumes"]   # one bodies volume for all
            assert set(service["depends_on"]) == {"postgres", "redis"}
    assert services["dashboard"]["command"][:2] == ["minhbach", "serve"]
    assert (ROOT / "Dockerfile").read_text(encoding="utf-8").count("chromium") >= 1


def test_the_image_installs_its_pinned_dependencies_before_the_code_and_checks_its_health():
    """A change of the code rebuilds one small layer, not the dependencies; the versions are the
    ones the tests ran with (constraints.txt); a container says when its store does not answer."""
    lines = [line for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    copies = [n for n, line in enumerate(lines) if line.startswith("COPY ")]
    assert lines[copies[0]].split()[1:-1] == ["pyproject.toml", "constraints.txt", "README.md"]
    install = next(n for n, line in enumerate(lines) if "-c constraints.txt" in line)
    assert copies[0] < install < copies[1] and lines[copies[1]] == "COPY . ."
    health = next(line for line in lines if line.startswith("HEALTHCHECK"))
    command = health.split("CMD ", 1)[1]
    assert command.startswith('["minhbach", "db", "status"]') and "db" in _minhbach_commands()
    pinned = {line.split("==")[0].lower() for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
    assert {"scrapy", "sqlalchemy", "fastapi", "pandas", "rq", "psycopg"} <= pinned
