"""Real crawls over loopback: the demo province, private-address refusals, SIGKILL recovery,
and the same crawl stored in PostgreSQL."""
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from minhbach.audit.ops.demo.server import serve_demo
from minhbach.audit.registry.agencies import parse_registry
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.db import open_store
from minhbach.audit.store.models import CrawlRun, Page, SiteCrawl
from tests.support.cli import run_cli
from tests.support.demo import demo_host
from tests.support.paths import ROOT
from tests.support.services import needs_chromium
from tests.support.sites import LoopbackSite, html
from tests.support.stores import current_sessions

pytestmark = pytest.mark.slow   # crawls loopback sites (make test-fast leaves it out)

DEMO_REGISTRY = ROOT / "data" / "demo" / "agencies.csv"


def test_demo_prints_and_writes_the_crawl_table(demo_output):
    out, stdout = demo_output
    with (out / "crawl.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["Mã cơ quan"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {r.code for r in parse_registry(DEMO_REGISTRY)}
    unreachable = rows.pop("sgddt-hs")
    assert unreachable["Trạng thái"] == "Không truy cập được"
    assert unreachable["Lý do / ghi chú"] == f"máy chủ từ chối kết nối ({demo_host(out, 'sgddt-hs')})"
    for code, row in rows.items():
        assert row["Trạng thái"] == "Đã thu thập", code
        assert int(row["Số trang"]) >= 20 and int(row["Số tài liệu"]) >= 5, code
    assert "bẫy" in rows["sct-hs"]["Lý do / ghi chú"]  # the calendar trap was bounded
    assert rows["ubnd-hs"]["Bị robots.txt chặn"] == "1"
    assert rows["ubnd-hs"]["Lý do / ghi chú"] == "robots.txt chặn 1 địa chỉ"
    assert "Sở Giáo dục và Đào tạo tỉnh Hòa Sơn" in stdout and "máy chủ từ chối kết nối" in stdout


def test_demo_store_has_decoded_pages_documents_and_bodies(demo_output):
    out, _ = demo_output
    db = sqlite3.connect(out / "minhbach.sqlite")
    titles = [t for (t,) in db.execute(
        "select title from pages p join site_crawls s on s.id = p.site_crawl_id join agencies a on a.id = s.agency_id"
        " where a.code = 'xa-thanhbinh' and title is not null")]
    assert "Trang chủ - Ủy ban nhân dân xã Thanh Bình" in titles  # windows-1258 decoded to NFC
    calendar = db.execute("select count(*) from pages where final_url like '%lich-cong-tac%'").fetchone()[0]
    assert 5 <= calendar <= 30
    sizes = db.execute("select count(*), count(size) from documents where doc_type = 'pdf'").fetchone()
    assert sizes[0] > 20 and sizes[1] == sizes[0]  # HEAD requests learnt every PDF's size
    bodies = BodyStore(out / "bodies")
    for (sha,) in db.execute("select sha256 from pages"):
        assert bodies.has(sha)
    robots = db.execute("select count(*) from pages where final_url like '%/admin/%'").fetchone()[0]
    assert robots == 0


def test_links_and_redirects_to_private_addresses_are_not_followed(tmp_path, data_dir):
    target = LoopbackSite({"/secret": html("bí mật")})
    site = LoopbackSite({})
    site.pages.update({
        "/": html(f'<a href="{target.base}/secret">nội bộ</a> <a href="http://localhost:{target.port}/secret">x</a>'
                  '<a href="/go">chuyển</a> <a href="/lien-he">Liên hệ</a>', "Trang chủ"),
        "/go": (302, {"Location": f"{target.base}/secret"}, b""),
        "/lien-he": html("Liên hệ"),
    })
    registry = tmp_path / "a.csv"
    registry.write_text("code,name,level,province,parent_code,portal_url,extra_hosts\n"
                        f"a,Sở A,so,Hòa Sơn,,{site.base}/,127.0.0.1:{target.port} localhost:{target.port}\n",
                        encoding="utf-8")
    try:
        assert run_cli("agencies", "import", str(registry)).returncode == 0
        result = run_cli("crawl", "--allow-private-host", f"127.0.0.1:{site.port}")
        assert result.returncode == 0, result.stderr
        assert target.hits == []
        assert "/lien-he" in site.hits and "/go" in site.hits
        with current_sessions()() as session:
            errors = session.scalar(select(SiteCrawl.error_counts).order_by(SiteCrawl.id.desc()))
        assert errors["private_address"] == 3  # two links and one redirect hop
        # With the explicit allowance the same crawl does reach it: the refusal above was the guard.
        assert run_cli("crawl", "--allow-private").returncode == 0
        assert "/secret" in target.hits
    finally:
        site.close()
        target.close()


def slow_farm(pages: int = 60, delay: float = 0.05) -> LoopbackSite:
    site = LoopbackSite({})
    for n in range(pages):
        targets = range(1, pages) if n == 0 else range(n + 1, min(n + 6, pages))
        links = " ".join(f'<a href="/p{m}">Trang {m}</a>' for m in targets)
        site.pages[f"/p{n}" if n else "/"] = html(links + " Công khai ngân sách " * 50, f"Trang {n}")
    original = site.httpd.RequestHandlerClass.do_GET

    def slow(handler):
        time.sleep(delay)
        original(handler)

    site.httpd.RequestHandlerClass.do_GET = slow
    return site


def crawl_until(tmp_path, data_dir, site, pages: int, output=subprocess.DEVNULL):
    """Register `site`, start `minhbach crawl` in a child process and return (child, pages stored)
    once it has stored `pages` pages (or after 60 s)."""
    registry = tmp_path / "a.csv"
    registry.write_text(f"code,name,level,province,parent_code,portal_url\nfarm,Sở Farm,so,Hòa Sơn,,{site.base}/\n",
                        encoding="utf-8")
    assert run_cli("agencies", "import", str(registry)).returncode == 0
    child = subprocess.Popen([sys.executable, "-m", "minhbach.audit.cli", "crawl", "--allow-private"], cwd=ROOT,
                             env=dict(os.environ), stdout=output, stderr=output, text=True)
    deadline, fetched = time.monotonic() + 60, 0
    while time.monotonic() < deadline and fetched < pages:
        time.sleep(0.2)
        try:
            with sqlite3.connect(data_dir / "minhbach.sqlite") as db:
                fetched = db.execute("select count(*) from pages").fetchone()[0]
        except sqlite3.OperationalError:
            pass
    return child, fetched


def test_sigkill_halfway_leaves_a_consistent_store_and_the_next_run_completes(tmp_path, data_dir):
    site = slow_farm()
    try:
        child, fetched = crawl_until(tmp_path, data_dir, site, 10)
        db_path = data_dir / "minhbach.sqlite"
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert 10 <= fetched < 60, "the crawl was not killed halfway"

        with sqlite3.connect(db_path) as db:
            assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
            pages, counted, status = db.execute(
                "select (select count(*) from pages), pages_fetched, r.status from site_crawls s"
                " join crawl_runs r on r.id = s.run_id").fetchone()
        assert pages == counted and status == "running"  # page rows and counters commit together
        bodies = BodyStore(data_dir / "bodies")
        with current_sessions()() as session:
            assert all(bodies.has(sha) for sha in session.scalars(select(Page.sha256)))

        result = run_cli("crawl", "--allow-private")
        assert result.returncode == 0, result.stderr
        with current_sessions()() as session:
            runs = session.execute(select(CrawlRun.id, CrawlRun.status).order_by(CrawlRun.id)).all()
            last = session.scalar(select(SiteCrawl).where(SiteCrawl.run_id == runs[-1][0]))
        assert [status for _, status in runs] == ["interrupted", "completed"]
        assert last.status == "ok" and last.pages_fetched == 60
    finally:
        site.close()


def test_ctrl_c_exits_130_and_the_interrupted_run_is_audited_only_when_asked(tmp_path, data_dir):
    site = slow_farm(delay=0.2)
    try:
        child, _ = crawl_until(tmp_path, data_dir, site, 5, output=subprocess.PIPE)
        db_path = data_dir / "minhbach.sqlite"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=120)
        assert child.returncode == 130, err
        assert "bị dừng giữa chừng" in err
        with sqlite3.connect(db_path) as db:
            assert db.execute("select status from crawl_runs").fetchone()[0] == "interrupted"
        refused = run_cli("audit", "--run", "1", "--date", "2026-11-21")
        assert refused.returncode == 2 and "--allow-partial" in refused.stderr
        allowed = run_cli("audit", "--run", "1", "--date", "2026-11-21", "--allow-partial")
        assert allowed.returncode == 0, allowed.stderr
        exported = tmp_path / "f.json"
        assert run_cli("export", "--findings", "--format", "json", "--out", str(exported)).returncode == 0
        outcomes = {row["outcome"] for row in json.loads(exported.read_text(encoding="utf-8"))}
        assert "fail" not in outcomes and "needs_review" in outcomes  # what it missed is not judged
    finally:
        site.close()


def test_exports_are_whole_or_not_at_all(tmp_path, demo_output, english):
    out, _ = demo_output
    env = {"MINHBACH_DATA_DIR": str(out)}
    target = tmp_path / "scores.csv"
    assert run_cli("export", "--out", str(target), env=env).returncode == 0
    before = target.read_bytes()
    folder = run_cli("export", "--out", str(tmp_path), env=env)
    assert folder.returncode == 2 and folder.stderr.strip() == f"error: {tmp_path}: is a folder; give a file name, " \
        f"e.g. {tmp_path / 'scores.csv'}"
    # A full disk, as a file-size limit of 64 KB (the database opens, the 92 KB findings do not fit):
    # one line, the previous export intact.
    import resource

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    full = subprocess.run([sys.executable, "-m", "minhbach.audit.cli", "export", "--findings", "--out", str(target)],
                          env=dict(os.environ, **env), cwd=ROOT, capture_output=True, text=True, preexec_fn=small_disk)
    assert full.returncode == 2 and full.stderr.count("\n") == 1, full.stderr
    assert "cannot write" in full.stderr and "the previous file is unchanged" in full.stderr
    assert target.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_database_problems_are_one_line(tmp_path):
    corrupt = tmp_path / "data"
    corrupt.mkdir()
    (corrupt / "minhbach.sqlite").write_text("not a database", encoding="utf-8")
    result = run_cli("runs", env={"MINHBACH_DATA_DIR": str(corrupt)})
    assert result.returncode == 2 and result.stderr.strip().endswith("file is not a database")
    assert (corrupt / "minhbach.sqlite").read_text(encoding="utf-8") == "not a database"
    result = run_cli("runs", env={"MINHBACH_DATABASE_URL": "postgresql+psycopg://nobody:secret@127.0.0.1:1/x"})
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "secret" not in result.stderr and "không dùng được cơ sở dữ liệu" in result.stderr


def test_crawl_into_postgresql(tmp_path, pg_url):
    needs_chromium("crawling the demo's Sở Tài chính")
    province = serve_demo(parse_registry(DEMO_REGISTRY), date(2026, 11, 21))
    one = tmp_path / "one.csv"
    one.write_text(province.registry(("ubnd-hs", "stc-hs", "sgddt-hs")), encoding="utf-8")
    env = {"MINHBACH_DATABASE_URL": pg_url, "MINHBACH_DATA_DIR": str(tmp_path / "data")}
    try:
        assert run_cli("agencies", "import", str(one), env=env).returncode == 0
        result = run_cli("crawl", "--agency", "stc-hs", "--agency", "sgddt-hs", "--allow-private", env=env)
        assert result.returncode == 0, result.stderr
    finally:
        province.stop()
    with open_store(pg_url)() as session:
        sites = {s.agency.code: s for s in session.scalars(select(SiteCrawl))}
        assert sites["stc-hs"].status == "ok" and sites["stc-hs"].pages_fetched >= 20
        assert sites["sgddt-hs"].status == "unreachable"
        assert session.scalar(select(func.count(Page.id))) == sites["stc-hs"].pages_fetched
    assert "Sở Tài chính tỉnh Hòa Sơn" in result.stdout
