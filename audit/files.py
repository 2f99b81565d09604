"""Files written for people (exports, reports): whole or not at all. The content goes to a
temporary file beside the target, which then replaces it, so a full disk or a crash never
leaves half a file, and never spoils the previous one."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

from minhbach.audit.words.i18n import _


class OutputError(Exception):
    """One line for the user: which file, and why it could not be written."""


def replace_atomically(path: Path, save: Callable[[Path], object]) -> Path:
    """Write `path` whole or not at all: `save` writes a temporary file beside it (a name no
    other process or machine uses), which then replaces it. An OSError leaves no temporary file
    and the previous `path` as it was."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        save(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def save_atomically(path: Path, save: Callable[[Path], object]) -> Path:
    """A file written for people (an export, a report), whole or not at all; a problem is one
    line for the user (OutputError)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(_("{path}: is a folder; give a file name, e.g. {csv}").format(
            path=path, csv=path / 'scores.csv'))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(_("{parent}: cannot create the folder ({strerror})").format(
            parent=path.parent, strerror=error.strerror)) from error
    try:
        return replace_atomically(path, save)
    except OSError as error:
        raise OutputError(_("{path}: cannot write ({error}); the previous file is unchanged").format(
            path=path, error=error.strerror or error)) from error


def write_atomically(path: Path, write: Callable[[IO], object], encoding: str = "utf-8",
                     newline: str | None = None) -> Path:
    """A text file for people, written through `write(handle)`, whole or not at all."""
    def save(temporary: Path) -> None:
        with temporary.open("w", encoding=encoding, newline=newline) as handle:
            write(handle)

    return save_atomically(path, save)
