"""The dashboard in a real browser: Debian's chromium driven by Playwright (never a downloaded
browser). Log in, sort and filter, open an agency and its evidence, and a stored page full of
script payloads that must not run. Screenshots at 1366x768 and at phone width are saved in
test-artifacts/ for people to look at."""
import os

import pytest

from tests.support.paths import ROOT
from tests.support.services import unavailable
from tests.support.sites import ServedApp
from tests.support.web import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(web):
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} not found (Debian package chromium)", in_ci=".ci/run installs it")

    client, _, sha = web
    with ServedApp(client.app) as served:
        yield served.base, sha


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def test_an_officer_logs_in_sorts_filters_and_opens_the_evidence(server, browser):
    base, sha = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(base + "/agency/stc-hs")
    assert "/login" in page.url  # no session: to the login page, coming back afterwards
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/agency/stc-hs")
    page.goto(base + "/")
    page.screenshot(path=str(ARTIFACTS / "overview-1366.png"), full_page=True)
    page.locator("a.sort", has_text="Điểm").click()
    page.wait_for_url("**sort=score**")
    page.locator("a.sort", has_text="Điểm").click()  # highest first
    page.wait_for_url("**order=desc**")
    assert page.locator("table.scores tbody tr").first.locator("td").first.inner_text() == "ubnd-hs"
    page.select_option("select[name=level]", "xa")
    page.click("form.filters button")
    assert page.locator("table.scores tbody tr").count() == 1
    page.click("text=xa-thanhbinh")
    page.wait_for_url("**/agency/xa-thanhbinh**")
    page.screenshot(path=str(ARTIFACTS / "agency-1366.png"), full_page=True)
    page.locator("text=Xem bản lưu").first.click()
    page.wait_for_url("**/evidence/**")
    frame = page.frame_locator("iframe.stored")
    assert frame.locator("body").inner_text()  # the stored copy is there
    page.screenshot(path=str(ARTIFACTS / "evidence-1366.png"))
    page.goto(base + "/monthly")
    page.click('form[action="/monthly/freeze"] button')  # November is over: the admin freezes it
    page.wait_for_url("**/monthly")
    page.screenshot(path=str(ARTIFACTS / "monthly-1366.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=XLSX")
    saved = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "bao-cao-thang-2026-11.xlsx" and saved.read_bytes()[:2] == b"PK"
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(base + "/")
    phone.screenshot(path=str(ARTIFACTS / "overview-phone.png"), full_page=True)
    phone.goto(base + "/agency/stc-hs")
    phone.screenshot(path=str(ARTIFACTS / "agency-phone.png"), full_page=True)
    phone.screenshot(path=str(ARTIFACTS / "agency-phone-screen.png"))  # what the first screen shows


def test_a_stored_page_with_script_payloads_runs_none_of_them(server, browser):
    base, sha = server
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base + "/login")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/evidence/raw/{sha}?mark=Dự toán")
    page.locator("a").first.click()  # the javascript: link, if it had survived
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") is None and dialogs == []
    assert all(url.startswith(base) for url in requests)  # nothing loaded from elsewhere
    assert page.locator("mark#trich-doan").inner_text() == "Dự toán"


def _lower_end(verdict: str) -> float:
    """The score of "63,9–66,8 điểm" (its lower end, decimal comma)."""
    return float(verdict.split()[0].split("–")[0].replace(",", "."))


def _log_in(browser, base, username, viewport=None):
    page = browser.new_page(viewport=viewport or {"width": 1366, "height": 768})
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return page


def test_an_agency_disputes_a_finding_the_admin_accepts_and_the_score_changes(server, browser):
    base, _ = server
    agency = _log_in(browser, base, "sotuphap")
    agency.goto(base + "/agency/stp-hs")
    before = _lower_end(agency.locator("p.verdict strong").inner_text())
    row = agency.locator("tr", has=agency.locator("td", has_text="TI01"))
    row.locator("summary", has_text="Khiếu nại").click()
    row.locator("textarea[name=note]").fill("Chuyên mục Tiếp cận thông tin có ở menu chính")
    row.locator("button", has_text="Gửi").click()
    agency.wait_for_url("**/disputes**")
    admin = _log_in(browser, base, "quantri")
    admin.goto(base + "/disputes")
    admin.fill("input[name=reason]", "Đã kiểm tra trên cổng: có chuyên mục")
    admin.click("button[value=accept]")
    admin.wait_for_url("**/disputes**")
    assert "Đã chấp nhận" in admin.locator("section.card").first.inner_text()
    admin.screenshot(path=str(ARTIFACTS / "disputes-1366.png"), full_page=True)
    agency.goto(base + "/agency/stp-hs")
    after = _lower_end(agency.locator("p.verdict strong").inner_text())
    assert after > before
    assert "đã điều chỉnh" in agency.locator("tr", has=agency.locator("td", has_text="TI01")).inner_text()
