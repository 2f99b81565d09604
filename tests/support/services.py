"""Services and tools a test may need: skipped with the reason on a user's machine, a failure
under CI=true, where everything must run."""
from __future__ import annotations

import os

import pytest

PG_URL = os.environ.get("MINHBACH_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(message: str, in_ci: str = "required under CI=true", elsewhere: str = ""):
    """A service or tool a test needs is missing: skip (off CI) or fail (CI)."""
    if IN_CI:
        pytest.fail(f"{message} - {in_ci}")
    pytest.skip(message + elsewhere)


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used at PG_URL, or None."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


def needs_chromium(what: str) -> None:
    """The demo's Sở Tài chính is a portal drawn by JavaScript: without a browser it is
    (rightly) unknown, and tests that expect its scores cannot hold."""
    from minhbach.crawler.rendering import chromium_path

    if chromium_path() is None:
        unavailable(f"{what} needs Debian's chromium (apt-get install chromium): the demo's Sở Tài chính is "
                    "drawn by JavaScript", in_ci=".ci/run installs it")
