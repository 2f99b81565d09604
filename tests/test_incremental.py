"""Incremental recrawl over loopback: a server that honours conditional requests answers 304
for what did not change; the audit of that crawl equals the audit of a full one."""
import sqlite3

import pytest

from tests.support.cli import run_cli
from tests.support.sites import LoopbackSite, html

pytestmark = pytest.mark.slow   # crawls loopback sites (make test-fast leaves it out)

BUDGET = ("<h1>Công khai ngân sách</h1><a href='/files/du-toan-2026.pdf'>Công khai dự toán ngân sách năm 2026</a>"
          "<p>Ngày 15/01/2026</p>")


def _site(conditional: bool = True) -> LoopbackSite:
    site = LoopbackSite({}, conditional=conditional)
    site.pages.update({
        "/": html("<a href='/ngan-sach'>Công khai ngân sách</a> <a href='/lien-he'>Liên hệ</a> "
                  "<a href='/tin-cu'>Tin cũ</a> <p>Đường dây nóng: 0211 3862 555</p>", "Trang chủ - Sở A"),
        "/ngan-sach": html(BUDGET, "Công khai ngân sách"),
        "/lien-he": html("<h1>Liên hệ</h1><p>Điện thoại: 0211 3862 555. Email: soa@hoason.gov.vn</p>", "Liên hệ"),
        "/tin-cu": html("<h1>Tin cũ</h1>", "Tin cũ"),
    })
    return site


def _register(tmp_path, site) -> None:
    registry = tmp_path / "a.csv"
    registry.write_text("code,name,level,province,parent_code,portal_url\n"
                        f"so-a,Sở A,so,Hòa Sơn,,{site.base}/\n", encoding="utf-8")
    assert run_cli("agencies", "import", str(registry)).returncode == 0


def _crawl_and_audit(*extra: str) -> None:
    result = run_cli("crawl", "--allow-private", *extra)
    assert result.returncode == 0, result.stderr
    result = run_cli("audit", "--date", "2026-11-20")
    assert result.returncode == 0, result.stderr


def _findings(db, audit_id):
    return sorted(db.execute("select rule_code, outcome, evidence_url, snippet, value, stored_copy from findings "
                             "where audit_run_id = ?", (audit_id,)).fetchall())


def test_an_unchanged_site_answers_304_and_audits_the_same_as_a_full_crawl(tmp_path, data_dir):
    site = _site()
    try:
        _register(tmp_path, site)
        _crawl_and_audit()
        first = [(path, status) for path, status, _ in site.answers]
        assert ("/ngan-sach", 200) in first
        site.answers.clear()
        _crawl_and_audit()
        second = {path: status for path, status, _ in site.answers}
        assert {second[p] for p in ("/", "/ngan-sach", "/lien-he", "/tin-cu")} == {304}
        assert sum(size for path, status, size in site.answers if status != 404) == 0  # no body came twice
        site.answers.clear()
        _crawl_and_audit("--full")  # the same content, every page downloaded
        assert {status for path, status, _ in site.answers if path in site.pages} == {200}
    finally:
        site.close()
    table = run_cli("runs", "--run", "2").stdout
    assert "4 trang không đổi" in table  # the crawl table says where pages came from
    db = sqlite3.connect(data_dir / "minhbach.sqlite")
    crawls = db.execute("select pages_fetched, pages_unchanged, bytes_fetched from site_crawls order by id").fetchall()
    assert crawls[0][:2] == (4, 0) and crawls[1][:2] == (0, 4) and crawls[1][2] == 0 and crawls[2][:2] == (4, 0)
    carried = db.execute("select count(*) from pages where carried and site_crawl_id = 2 and etag is not null")
    assert carried.fetchone()[0] == 4
    assert _findings(db, 2) == _findings(db, 3) == _findings(db, 1)
    scores = db.execute("select total, grade, coverage from scores order by audit_run_id").fetchall()
    assert scores[0] == scores[1] == scores[2]


def test_a_changed_page_is_fetched_again_and_a_page_no_longer_linked_is_recorded(tmp_path, data_dir):
    site = _site()
    try:
        _register(tmp_path, site)
        _crawl_and_audit()
        site.pages["/ngan-sach"] = html("<h1>Công khai ngân sách</h1><p>Đang cập nhật.</p>", "Công khai ngân sách")
        site.pages["/"] = html("<a href='/ngan-sach'>Công khai ngân sách</a> <a href='/lien-he'>Liên hệ</a> "
                               "<p>Đường dây nóng: 0211 3862 555</p>", "Trang chủ - Sở A")
        site.answers.clear()
        _crawl_and_audit()
        answers = {path: status for path, status, _ in site.answers}
        assert answers["/"] == 200 and answers["/ngan-sach"] == 200 and answers["/lien-he"] == 304
        assert "/tin-cu" not in answers
    finally:
        site.close()
    db = sqlite3.connect(data_dir / "minhbach.sqlite")
    gone = db.execute("select url, kind from disappeared_pages").fetchall()
    assert gone == [(f"{site.base}/tin-cu", "unlinked")]
    assert db.execute("select pages_disappeared from site_crawls where id = 2").fetchone() == (1,)
    before, after = (dict(db.execute("select rule_code, outcome from findings where audit_run_id = ?", (a,)))
                     for a in (1, 2))
    assert [code for code in before if before[code] != after[code]], "the budget page's change is seen"


def test_a_sitemap_lastmod_older_than_the_stored_copy_saves_the_request(tmp_path, data_dir):
    site = _site(conditional=False)  # a server without validators: only its sitemap dates pages
    # linked from the budget page only, so the sitemap is read before the link is found
    site.pages["/ngan-sach"] = html(BUDGET + "<a href='/lien-he'>Liên hệ</a>", "Công khai ngân sách")
    site.pages["/"] = html("<a href='/ngan-sach'>Công khai ngân sách</a> <a href='/tin-cu'>Tin cũ</a>", "Trang chủ")
    site.pages["/sitemap.xml"] = (200, {"Content-Type": "application/xml"}, (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{site.base}/lien-he</loc><lastmod>2020-01-01</lastmod></url>"
        f"<url><loc>{site.base}/tin-cu</loc><lastmod>2999-01-01</lastmod></url></urlset>").encode())
    try:
        _register(tmp_path, site)
        _crawl_and_audit()
        site.hits.clear()
        _crawl_and_audit()
        assert "/lien-he" not in site.hits  # dated 2020 in the sitemap: read from the store
        assert "/tin-cu" in site.hits and "/ngan-sach" in site.hits
    finally:
        site.close()
    db = sqlite3.connect(data_dir / "minhbach.sqlite")
    assert _findings(db, 1) == _findings(db, 2)
