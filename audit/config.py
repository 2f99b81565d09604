"""Where minhbach keeps its data, and how it finds the database.

Two environment variables, read when needed (not at import), so tests can set them:
- MINHBACH_DATA_DIR: data folder (SQLite file, raw bodies). Default: the user's data folder.
- MINHBACH_DATABASE_URL: any SQLAlchemy URL; PostgreSQL for many workers. Default: SQLite in
  the data folder.
"""
from __future__ import annotations

import os
from pathlib import Path



def data_dir() -> Path:
    explicit = os.environ.get("MINHBACH_DATA_DIR")
    if explicit:
        path = Path(explicit).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        path = Path(base) / "minhbach"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    return os.environ.get("MINHBACH_DATABASE_URL") or f"sqlite:///{data_dir() / 'minhbach.sqlite'}"


def bodies_dir() -> Path:
    return data_dir() / "bodies"
