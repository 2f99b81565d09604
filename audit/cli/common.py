"""What every command shares: the console, the store, one-line errors."""
from __future__ import annotations

import os
import sys
from typing import NoReturn

import click
from rich.console import Console

from minhbach.audit.words.i18n import _

# In a terminal (or with COLUMNS set) tables fit its width; piped or captured output is never
# cut or wrapped: rows keep their whole text.
console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 10_000)


def sessions():
    """The configured store, its schema upgraded (every command calls this first)."""
    from minhbach.audit.store.db import open_store

    return open_store()


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(_("error: {message}").format(message=message), err=True)
    sys.exit(code)


def score_text(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def hold_lock(job: str):
    """The night lock for `job` (nightly, gc, crawl), or exit 3 naming who holds it since when."""
    from minhbach.audit import config
    from minhbach.audit.ops.locks import LockHeld, NightLock
    from minhbach.audit.ops.nightly import EXIT_LOCKED

    lock = NightLock(config.database_url(), config.data_dir(), job=job)
    try:
        lock.acquire()
    except LockHeld as held:
        click.echo(_("error: {message}").format(message=held), err=True)
        sys.exit(EXIT_LOCKED)
    return lock
