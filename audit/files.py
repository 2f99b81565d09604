"""Files written for people (exports, reports): whole or not at all. The content goes to a
temporary file beside the target, which then replaces it, so a full disk or a crash never
leaves half a file, and never spoils the previous one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Callable

from minhbach.audit.words.i18n import _


class OutputError(Exception):
    """One line for the user: which file, and why it could not be written."""


def write_atomically(path: Path, write: Callable[[IO], None], encoding: str = "utf-8", newline: str | None = None) -> Path:
    path = Path(path)
    if path.is_dir():
        raise OutputError(_("{path}: is a folder; give a file name, e.g. {csv}").format(
            path=path, csv=path / 'scores.csv'))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(_("{parent}: cannot create the folder ({strerror})").format(
            parent=path.parent, strerror=error.strerror)) from error
    temporary = None
    try:
        with tempfile.NamedTemporaryFile("w", encoding=encoding, newline=newline, dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False) as handle:
            temporary = handle.name
            write(handle)
        os.replace(temporary, path)
    except OSError as error:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)
        raise OutputError(_("{path}: cannot write ({error}); the previous file is unchanged").format(
            path=path, error=error.strerror or error)) from error
    return path
