"""`minhbach ARGS` as a user runs it.

Commands that start Scrapy (its reactor runs once per process), a server or a worker run in a
child process; the others run in this process through click's test runner, which is the same
code from `main()` on, without half a second of start-up per call.
"""
from __future__ import annotations

import os
import subprocess
import sys
import traceback
from dataclasses import dataclass

from tests.support.paths import ROOT

IN_A_CHILD = {"crawl", "nightly", "demo", "worker", "serve"}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict | None = None, timeout: float = 300, input: str | None = None):
    """Run `minhbach ARGS`: (returncode, stdout, stderr) as a user sees them."""
    if _command(args) in IN_A_CHILD:
        return run_cli_in_child(*args, env=env, timeout=timeout, input=input)
    from click.testing import CliRunner

    from minhbach.audit.cli.main import main

    runner = CliRunner()
    result = runner.invoke(main, list(args), env=env, input=input, prog_name="minhbach")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Result(result.exit_code, result.stdout, stderr)


def run_cli_in_child(*args: str, env: dict | None = None, timeout: float = 300,
                     input: str | None = None) -> subprocess.CompletedProcess:
    """Run `minhbach ARGS` in a child process, as a terminal does."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "minhbach.audit.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT, input=input)


def _command(args) -> str:
    from minhbach.audit.cli.main import main

    return next((arg for arg in args if arg in main.commands), "")
