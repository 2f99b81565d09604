"""A home page nested thousands of levels deep (unclosed <div> and <font>, as old CMSs emit) is
read whole (rules/nesting.py): the site is judged exactly as its shallow twin is. A page still
too deep is not read, and the site is not failed on it."""
from __future__ import annotations

import sqlite3

import lxml.etree
import pytest

from minhbach.rules.artifacts import Page, PageSource
from minhbach.rules.lexicon import topic_index
from tests.support.cli import run_cli
from tests.support.sites import LoopbackSite, html

pytestmark = pytest.mark.slow   # crawls loopback sites

CONTENT = ('<h1>Cổng thông tin điện tử Sở Xây dựng</h1>'
           '<ul><li><a href="/gioi-thieu">Giới thiệu</a></li><li><a href="/van-ban">Văn bản pháp luật</a></li>'
           '<li><a href="/lien-he">Liên hệ</a></li><li><a href="/thu-tuc">Thủ tục hành chính</a></li></ul>'
           '<p>Đường dây nóng: 0211 3862 480. Email: sxd@hoason.gov.vn</p>'
           '<p>Địa chỉ: số 1 đường Hùng Vương, thành phố Hòa Sơn</p>')
INNER = {"/gioi-thieu": html("<h1>Giới thiệu</h1><p>Chức năng, nhiệm vụ, quyền hạn của Sở.</p>"),
         "/van-ban": html("<h1>Văn bản pháp luật</h1><table><tr><td>Quyết định 12/2026/QĐ-UBND</td>"
                          "<td>09/11/2026</td></tr></table>"),
         "/lien-he": html("<h1>Liên hệ</h1><p>Điện thoại: 0211 3862 480</p>"),
         "/thu-tuc": html("<h1>Thủ tục hành chính</h1><p>Danh mục thủ tục hành chính.</p>")}


def _deep(body: str, wrappers: str = "<div class='khung'><font face='Arial'>", levels: int = 3000) -> str:
    return wrappers * levels + body   # never closed


def test_a_page_deeper_than_libxml2_reads_is_read_whole():
    parser = lxml.etree.HTMLParser(huge_tree=True, recover=True)
    markup = f"<html><body>{_deep(CONTENT)}</body></html>"
    assert "Đường dây nóng" not in lxml.etree.tostring(lxml.etree.fromstring(markup, parser), method="text",
                                                       encoding=str)   # what libxml2 alone keeps
    page = Page(PageSource(url="http://sxd.test/", body=markup.encode(), encoding="utf-8"), topic_index())
    assert "Đường dây nóng: 0211 3862 480" in page.text
    assert {link.url for link in page.links} >= {"http://sxd.test/lien-he", "http://sxd.test/van-ban"}


def _crawl_and_judge(tmp_path, homes: dict[str, str]):
    sites = {code: LoopbackSite({"/": html(body), **INNER}) for code, body in homes.items()}
    env = {"MINHBACH_DATA_DIR": str(tmp_path / "data")}
    try:
        registry = tmp_path / "co-quan.csv"
        registry.write_text("code,name,level,province,parent_code,portal_url\n" + "".join(
            f"{code},Sở Xây dựng {code},so,Hòa Sơn,,{site.base}/\n" for code, site in sites.items()), encoding="utf-8")
        assert run_cli("agencies", "import", str(registry), env=env).returncode == 0
        crawl = run_cli("crawl", "--allow-private", env=env)
        assert crawl.returncode == 0, crawl.stderr
    finally:
        for site in sites.values():
            site.close()
    audit = run_cli("audit", "--date", "2026-11-21", env=env)
    assert audit.returncode == 0, audit.stderr
    with sqlite3.connect(tmp_path / "data" / "minhbach.sqlite") as db:
        rows = db.execute("select a.code, s.status, s.pages_fetched from site_crawls s join agencies a "
                          "on a.id = s.agency_id").fetchall()
        findings = db.execute("select a.code, f.rule_code, f.outcome from findings f join agencies a "
                              "on a.id = f.agency_id").fetchall()
    crawls = {code: (status, pages) for code, status, pages in rows}
    outcomes: dict[str, dict[str, str]] = {}
    for code, rule, outcome in findings:
        outcomes.setdefault(code, {})[rule] = outcome
    return crawls, outcomes, audit.stdout


def test_a_deep_home_page_is_judged_as_its_shallow_twin(tmp_path):
    crawls, outcomes, _ = _crawl_and_judge(tmp_path, {"shallow": CONTENT, "deep": _deep(CONTENT)})
    assert crawls["deep"] == crawls["shallow"] and crawls["deep"][1] == 1 + len(INNER)
    assert outcomes["deep"] == outcomes["shallow"]
    assert "pass" in outcomes["deep"].values()


def test_a_page_still_too_deep_is_not_read_and_its_site_not_failed(tmp_path):
    # thousands of unclosed list items: structure the rules read, so it is not flattened away
    crawls, outcomes, table = _crawl_and_judge(tmp_path, {"lists": _deep(CONTENT, "<ul><li>", 3000)})
    assert crawls["lists"][0] == "unreachable"
    assert "fail" not in outcomes.get("lists", {}).values()
    assert "lồng nhau quá sâu" in table, table
