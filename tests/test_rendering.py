"""Portals drawn by JavaScript: rendered in Debian's chromium through scrapy-playwright, only for
the sites that need it (registered render=js, or a home page that is a script shell); without
rendering the same site shows nothing."""
import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from minhbach.audit.ops.demo.server import serve_demo
from minhbach.audit.registry.agencies import parse_registry
from tests.support.cli import run_cli
from tests.support.paths import DEMO_REGISTRY

pytestmark = pytest.mark.slow   # crawls loopback sites (make test-fast leaves it out)

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                                    reason="Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def js_site(tmp_path):
    """The demo's Sở Tài chính, whose pages arrive empty and are drawn by a script; a registry
    with it alone, as `render` says (js) or as a plain site (html)."""
    province = serve_demo([r for r in parse_registry(DEMO_REGISTRY) if r.code == "stc-hs"], date(2026, 11, 21))
    header, row = province.registry(orphans=True).splitlines()   # no parent in this registry

    def registry(render: str) -> Path:
        path = tmp_path / f"co-quan-{render}.csv"
        path.write_text(f"{header}\n{row.replace(',js,', f',{render},')}\n", encoding="utf-8")
        return path

    yield registry
    province.stop()


def _crawl(tmp_path, registry: Path, *flags) -> tuple[int, int, str]:
    env = {"MINHBACH_DATA_DIR": str(tmp_path / registry.stem)}
    assert run_cli("agencies", "import", str(registry), env=env).returncode == 0
    result = run_cli("crawl", "--allow-private", *flags, env=env)
    assert result.returncode == 0, result.stderr
    audit = run_cli("audit", "--date", "2026-11-21", env=env)
    with sqlite3.connect(tmp_path / registry.stem / "minhbach.sqlite") as db:
        pages, rendered = db.execute("select count(*), coalesce(sum(rendered), 0) from pages").fetchone()
    return pages, rendered, audit.stdout


@needs_chromium
def test_a_site_registered_render_js_is_rendered_and_read_whole(js_site, tmp_path):
    pages, rendered, table = _crawl(tmp_path, js_site("js"))
    assert pages >= 20 and rendered == pages  # every page drawn in the browser, and marked so
    assert "Sở Tài chính tỉnh Hòa Sơn" in table and ("Tốt" in table or "Khá" in table)


def test_without_rendering_the_same_site_shows_nothing_and_is_unknown_not_failed(js_site, tmp_path):
    pages, rendered, table = _crawl(tmp_path, js_site("js"), "--no-js")
    assert pages == 1 and rendered == 0  # an empty shell: no menu, no link, no content
    # what the crawl could not see is never "missing": the site is not scored, and says why
    assert "Không xác định" in table and "dựng bằng JavaScript" in table and "Yếu" not in table


@needs_chromium
def test_a_home_page_that_is_a_script_shell_is_detected_and_rendered(js_site, tmp_path):
    pages, rendered, _ = _crawl(tmp_path, js_site("html"))  # registered as a plain site
    assert pages >= 20 and rendered >= pages - 1  # the shell itself is not kept: the rendered home is


def test_the_shell_test_tells_an_application_shell_from_a_small_page():
    import lxml.html

    from minhbach.crawler.spider import _script_shell

    shell = lxml.html.fromstring('<html><body><div id="app">Đang tải…</div><script src="/app.js"></script></body></html>')
    page = lxml.html.fromstring('<html><body><p>' + "Nội dung trang. " * 30 + '</p><script src="/a.js"></script>'
                                '<a href="/1">1</a><a href="/2">2</a><a href="/3">3</a></body></html>')
    no_script = lxml.html.fromstring('<html><body><p>Đang cập nhật</p></body></html>')
    assert _script_shell(shell) and not _script_shell(page) and not _script_shell(no_script)
    assert shutil.which("true")  # (the crawl tests above need chromium; this one does not)


@needs_chromium
def test_a_rendered_site_unchanged_since_last_night_is_not_rendered_again(js_site, tmp_path):
    registry = js_site("js")
    _crawl(tmp_path, registry)
    env = {"MINHBACH_DATA_DIR": str(tmp_path / registry.stem)}
    assert run_cli("crawl", "--allow-private", env=env).returncode == 0
    with sqlite3.connect(tmp_path / registry.stem / "minhbach.sqlite") as db:
        second = db.execute("select count(*), sum(carried), sum(rendered) from pages p join site_crawls s "
                            "on s.id = p.site_crawl_id where s.run_id = 2").fetchone()
    pages, carried, rendered = second
    assert pages >= 20 and carried == pages and rendered == pages  # asked "changed?", read from the store
