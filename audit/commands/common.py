"""What every command shares: the console, the store, one-line errors."""
from __future__ import annotations

import sys
from typing import NoReturn

import click
from rich.console import Console

# Wide tables when piped or captured, so Vietnamese names do not wrap letter by letter.
console = Console(width=None if sys.stdout.isatty() else 200)


def sessions():
    """The configured store, its schema upgraded (every command calls this first)."""
    from minhbach.audit.store.db import open_store

    return open_store()


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def score_text(value) -> str:
    return "–" if value is None else f"{value:.1f}"
