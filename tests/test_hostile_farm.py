"""A portal written by an attacker, end to end: every field of it carries payloads (script tags,
event handlers, SVG, `JavaScript:`/`java<TAB>script:`/`data:` links, template syntax, formula
text) in titles, headings, link texts, the hotline, the address, a PDF's and a DOCX's text and
metadata, and the registry's name. It is crawled and audited through the CLI, then every
dashboard page that shows its data is opened in Chromium as an administrator with a dialog,
console and request listener (no dialog opens, nothing loads from elsewhere, no link runs
script), and every file officers receive is read back (no formula cell, no link elsewhere
than http(s))."""
from __future__ import annotations

import io
import os
import sqlite3
from urllib.parse import urlsplit

import pytest

from minhbach.audit.ops.demo.server import minimal_pdf
from tests.support.cli import run_cli
from tests.support.files import check_csv, check_workbook
from tests.support.services import unavailable
from tests.support.sites import LoopbackSite, ServedApp, html
from tests.support.web import PASSWORD

pytestmark = pytest.mark.slow   # crawls a loopback portal and drives Chromium
CHROMIUM = "/usr/bin/chromium"


def _payloads(elsewhere: str) -> dict[str, str]:
    """Markup fragments as an attacker writes them; `elsewhere` is an address nothing may load."""
    return {
        "script": "<script>alert('script')</script>",
        "handler": f"<img src='{elsewhere}/img.png' onerror=\"alert('onerror')\">",
        "svg": "<svg onload=\"alert('svg')\"><circle r=1 /></svg>",
        "escaped": "&lt;script&gt;alert('escaped')&lt;/script&gt; &lt;img src=x onerror=alert('e2')&gt;",
        "template": "{{ 7*7 }} ${7*7} {% raw %}{{config}}",
        "formula": "=HYPERLINK(\"javascript:alert('xlsx')\",\"Bấm\") +cmd|' /C calc'!A0 @SUM(1)",
    }


def _portal(elsewhere: str) -> dict[str, tuple[int, dict, bytes]]:
    p = _payloads(elsewhere)
    every = " ".join(p.values())
    head = f"<link rel='stylesheet' href='{elsewhere}/x.css'><script src='{elsewhere}/x.js'></script>"
    home = (f"{head}<h1>Cổng thông tin {p['escaped']} {p['formula']}</h1>{p['script']}{p['svg']}"
            "<ul>"
            "<li><a href=\"JavaScript:alert('link1')\">Liên hệ</a></li>"
            "<li><a href=\"java&#9;script:alert('link2')\">Văn bản pháp luật</a></li>"
            "<li><a href=\"data:text/html,&lt;script&gt;alert('link3')&lt;/script&gt;\">Ngân sách</a></li>"
            "<li><a href=\" &#1;javascript:alert('link4')\">Thủ tục hành chính</a></li>"
            f"<li><a href=\"/lien-he?q=&quot;&gt;&lt;script&gt;alert('q')&lt;/script&gt;\">Liên hệ {p['escaped']}</a></li>"
            "<li><a href=\"/van-ban/'onmouseover='alert(1)'\">Văn bản pháp luật</a></li>"
            f"<li><a href=\"/ngan-sach\">Công khai ngân sách {p['formula']}</a></li>"
            f"<li><a href=\"/tai-lieu/du-toan.pdf\">Dự toán ngân sách 2026 {p['escaped']}</a></li>"
            f"<li><a href=\"/tai-lieu/bao-cao.docx\">Báo cáo công khai {p['formula']}</a></li>"
            "</ul>"
            f"<footer><p>Đường dây nóng: 0211 3862 480 {p['handler']} {p['formula']}</p>"
            f"<p>Địa chỉ: {p['escaped']} số 1 đường Hùng Vương {p['template']}</p>"
            "<p>Email: <a href=\"mailto:x@y.vn?body=<script>\">x@y.vn</a></p></footer>")
    inner = f"<h1>{p['escaped']} {p['formula']}</h1><p>{every}</p><iframe src='{elsewhere}/frame'></iframe>"
    return {
        "/": html(home, title=f"{p['escaped']} {p['formula']} {p['template']}"),
        "/lien-he": html(inner + "<p>Điện thoại: =1+1 0211 3862 480</p>", title="=1+1 Liên hệ"),
        "/van-ban/'onmouseover='alert(1)'": html(inner + "<table><tr><td>Quyết định 12/2026/QĐ-UBND =1+1</td>"
                                                 "<td>09/11/2026</td></tr></table>", title="@SUM(1) Văn bản"),
        "/ngan-sach": html(inner + "<p>Công khai dự toán ngân sách năm 2026 -2+3</p>", title="-2+3 Ngân sách"),
        "/tai-lieu/du-toan.pdf": (200, {"Content-Type": "application/pdf"}, _pdf()),
        "/tai-lieu/bao-cao.docx": (200, {"Content-Type": "application/vnd.openxmlformats-officedocument"
                                         ".wordprocessingml.document"}, _docx()),
    }


def _pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf("Du toan ngan sach 2026",
                                                                   ("=1+1 +cmd|' /C calc'!A0", "<script>x</script>")))))
    writer.add_metadata({"/Title": "<script>alert('pdf')</script>=1+1", "/Author": "=HYPERLINK(\"javascript:x\")"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx() -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = "<script>alert('docx')</script>"
    document.core_properties.author = "=1+1"
    document.add_paragraph("=HYPERLINK(\"javascript:alert('docx')\") Báo cáo công khai ngân sách <svg onload=x>")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


REGISTRY_NAME = "<script>alert('registry')</script> =1+1 Sở {{7*7}} <img src=x onerror=alert(1)>"


@pytest.fixture
def crawled(tmp_path, monkeypatch):
    """The hostile portal crawled and audited through the CLI into a store of its own; the
    unallowed listener that its pages point to (it counts requests)."""
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} not found (Debian package chromium)", in_ci=".ci/run installs it")
    elsewhere = LoopbackSite({})
    portal = LoopbackSite(_portal(elsewhere.base))
    data = tmp_path / "data"
    monkeypatch.setenv("MINHBACH_DATA_DIR", str(data))
    env = {"MINHBACH_DATA_DIR": str(data)}
    registry = tmp_path / "co-quan.csv"
    registry.write_text("code,name,level,province,parent_code,portal_url\n"
                        f"hostile,\"{REGISTRY_NAME}\",so,Hòa Sơn,,{portal.base}/\n", encoding="utf-8")
    try:
        result = run_cli("agencies", "import", str(registry), env=env)
        assert result.returncode == 0, result.stderr
        result = run_cli("crawl", "--allow-private-host", f"127.0.0.1:{portal.port}", env=env)
        assert result.returncode == 0, result.stderr
    finally:
        portal.close()
    for step in (("audit", "--date", "2026-11-21"), ("monthly", "--month", "2026-11", "--out", str(tmp_path)),
                 ("export", "--out", str(tmp_path / "diem.xlsx")),
                 ("export", "--findings", "--out", str(tmp_path / "phat-hien.xlsx")),
                 ("export", "--out", str(tmp_path / "diem.csv")),
                 ("export", "--findings", "--out", str(tmp_path / "phat-hien.csv"))):
        result = run_cli(*step, env=env)
        assert result.returncode == 0, (step, result.stderr)
    assert run_cli("users", "add", "quantri", "--role", "admin", "--password-stdin",
                   env=env, input=PASSWORD + "\n").returncode == 0
    yield data, elsewhere
    elsewhere.close()


def test_what_the_portal_wrote_stays_data_in_every_file(crawled, tmp_path):
    data, elsewhere = crawled
    with sqlite3.connect(data / "minhbach.sqlite") as db:
        pages = db.execute("select count(*) from pages").fetchone()[0]
        links = [url for (url,) in db.execute("select target_url from links")]
        evidence = [url for (url,) in db.execute("select evidence_url from findings where evidence_url != ''")]
    assert pages >= 3 and links and evidence    # the portal was read, its links kept, its findings cite it
    for url in links + evidence:               # only http(s) addresses left the crawl
        assert urlsplit(url).scheme in ("http", "https"), url
    for name in ("bao-cao-thang-2026-11.xlsx", "diem.xlsx", "phat-hien.xlsx"):
        check_workbook(tmp_path / name)
    for name in ("bao-cao-thang-2026-11.csv", "diem.csv", "phat-hien.csv"):
        if (tmp_path / name).exists():
            rows = check_csv(tmp_path / name)
            assert rows, name
    from docx import Document

    document = Document(tmp_path / "bao-cao-thang-2026-11.docx")
    for relation in document.part.rels.values():   # no link in the Word report leads elsewhere
        if relation.is_external:
            assert urlsplit(relation.target_ref).scheme in ("http", "https"), relation.target_ref
    assert elsewhere.hits == []


def test_no_dashboard_page_runs_what_the_portal_wrote(crawled):
    from playwright.sync_api import sync_playwright

    from minhbach.audit import config
    from minhbach.audit.store.db import Store
    from minhbach.audit.web.app import create_app

    _data, elsewhere = crawled
    settings = config.load()
    with ServedApp(create_app(settings, Store.open(settings))) as served, sync_playwright() as playwright:
        base = served.base
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--disable-gpu", "--disable-quic"])
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        dialogs, requests, errors = [], [], []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append((message.location.get("url", ""), message.text))
                if message.type == "error" else None)
        page.goto(base + "/login")
        page.fill("input[name=username]", "quantri")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        assert "Sở {{7*7}}" in page.content() or "Sở {{7*7}}" in page.inner_text("body")
        visited = ["/", "/agency/hostile", "/runs", "/changes", "/rules", "/disputes", "/monthly", "/registry",
                   "/registry/hostile/edit", "/settings"]
        for path in visited:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            page.wait_for_timeout(100)
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                assert urlsplit(href).scheme in ("http", "https"), (path, href)  # no link that runs script
        page.goto(base + "/agency/hostile")
        evidence_pages = sorted({href for href in page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.href)") if "/evidence/" in href})
        assert evidence_pages
        for href in evidence_pages:          # each finding's evidence, its stored copy framed
            assert page.goto(href).status == 200
            page.wait_for_timeout(100)
        for href in evidence_pages[:3]:      # a click on each link of a stored copy runs nothing
            for n in range(8):
                page.goto(href)
                links = [link for frame in page.frames for link in frame.query_selector_all("a[href]")]
                if n >= len(links):
                    break
                try:
                    links[n].click(timeout=500, no_wait_after=True)
                    page.wait_for_timeout(150)
                except Exception:  # noqa: BLE001 - hidden, covered or gone: no user could click it either
                    pass
        chromium.close()
    assert dialogs == []
    assert elsewhere.hits == []
    assert all(url.startswith(base) or url.startswith("data:") or url == "about:blank" for url in requests), [
        url for url in requests if not url.startswith(base)]
    # the only errors are the browser refusing a stored copy's scripts (its frame's own policy)
    assert all("/evidence/raw/" in url or url.endswith("/favicon.ico") for url, text in errors), errors
