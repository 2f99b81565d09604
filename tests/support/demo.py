"""Where the demo served its sites: each on a port the system chose, as its registry says."""
from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit


def demo_url(out: Path, code: str) -> str:
    """The portal address of agency `code` in the demo whose output folder is `out`."""
    with (out / "agencies.csv").open(encoding="utf-8") as handle:
        return next(row["portal_url"] for row in csv.DictReader(handle) if row["code"] == code)


def demo_host(out: Path, code: str) -> str:
    """`127.0.0.1:PORT` of agency `code`'s portal in that demo."""
    return urlsplit(demo_url(out, code)).netloc
