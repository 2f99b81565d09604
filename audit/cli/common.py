"""What every command shares: the command's settings and store (each made once, handed down
through click's context), the console, one-line errors."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from minhbach.audit.words.i18n import _
from minhbach.audit.words.numbers import score_range


def make_console() -> Console:
    """In a terminal (or with COLUMNS set) tables fit its width; piped or captured output is
    never cut or wrapped: rows keep their whole text."""
    return Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 10_000)


@dataclass
class App:
    """One command's view of the world: its settings (the file, the environment, its flags) and
    its store, each built the first time the command asks for it."""

    config_file: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    use_environment: bool = True

    @cached_property
    def settings(self):
        from minhbach.audit import config

        return config.load(self.config_file, use_environment=self.use_environment, **self.overrides)

    @cached_property
    def store(self):
        """The store, opened once: its schema checked (and created or upgraded) here."""
        from minhbach.audit.store.db import Store

        return Store.open(self.settings)

    @property
    def sessions(self):
        return self.store.sessions

    @cached_property
    def console(self) -> Console:
        return make_console()


pass_app = click.make_pass_decorator(App, ensure=True)


class _Console:
    """The console of the command being run (a test runs many commands in one process)."""

    def __getattr__(self, name):
        context = click.get_current_context(silent=True)
        app = context.find_object(App) if context is not None else None
        return getattr(app.console if app is not None else make_console(), name)


console = _Console()


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(_("error: {message}").format(message=message), err=True)
    sys.exit(code)


def csv_options(command):
    """--csv-dialect and --keys, for a command that writes CSV (reports/exports.py says both)."""
    command = click.option("--keys", is_flag=True, help=_(
        "CSV headed by the stable machine keys (as in the JSON) instead of the reader's words."))(command)
    return click.option("--csv-dialect", "dialect", type=click.Choice(["comma", "semicolon"]), default=None, help=_(
        "comma (`,` and 72.7) or semicolon (`;` and 72,7: opens typed in a spreadsheet set to Vietnamese); "
        "default: [report] csv_dialect."))(command)


def score_text(value, high=None) -> str:
    """A score (with its interval when the rules not judged could raise it), decimal comma."""
    return score_range(value, high)


def hold_lock(app: App, job: str):
    """The night lock for `job` (nightly, gc, crawl), or exit 3 naming who holds it since when."""
    from minhbach.audit.ops.locks import EXIT_LOCKED, LockHeld, NightLock

    lock = NightLock(app.store.url, app.settings.ensure_data_dir(), job=job)
    try:
        lock.acquire()
    except LockHeld as held:
        click.echo(_("error: {message}").format(message=held), err=True)
        sys.exit(EXIT_LOCKED)
    return lock
