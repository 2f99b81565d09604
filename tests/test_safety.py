"""URL canonicalisation, trap bounds, and the private-address guard on real Request objects."""
import asyncio

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from minhbach.crawler.middlewares import PrivateAddressGuard
from minhbach.crawler.safety import TrapGuard, is_public_address
from minhbach.crawler.urls import canonicalize
from minhbach.rules.artifacts import document_type


def test_canonical_urls_drop_sessions_portal_state_and_fragments():
    liferay = ("https://sotttt.hanoi.gov.vn/hoi-ap?p_p_id=3_WAR_portalhoidapportlet&p_p_lifecycle=0"
               "&_3_WAR_portalhoidapportlet_cur=2#top")
    assert canonicalize(liferay) == "https://sotttt.hanoi.gov.vn/hoi-ap?_3_WAR_portalhoidapportlet_cur=2"
    assert canonicalize("HTTP://Stc.HoaSon.gov.vn:80/tin;jsessionid=ABC?b=2&a=1&PHPSESSID=x") == \
        "http://stc.hoason.gov.vn/tin?a=1&b=2"
    assert canonicalize("https://a.gov.vn/x/../y/./z?utm_source=fb") == "https://a.gov.vn/y/z"


def test_document_types():
    assert document_type("https://a.gov.vn/files/26-2017-QD-UBND.signed.pdf") == "pdf"
    assert document_type("https://a.gov.vn/Lists/CKNS/Attachments/3/du-toan.XLSX") == "xlsx"
    assert document_type("https://a.gov.vn/tin-tuc.aspx") is None
    assert document_type("https://a.gov.vn/van-ban/a.pdf?v=2#page=3") == "pdf"
    assert document_type("https://a.gov.vn/download?file=a.pdf") is None
    assert document_type("http://so.gov.vn") is None and document_type("files/bao-cao.docx") == "docx"


def test_trap_guard_bounds_calendars_and_growing_urls():
    guard = TrapGuard(max_query_variants=5)
    allowed = [guard.allows(f"https://a.gov.vn/lich?tuan=2026-W{n}") for n in range(10)]
    assert allowed[:5] == [None] * 5 and all(r and "query variants" in r for r in allowed[5:])
    assert "repeating" in guard.allows("https://a.gov.vn/a/b/a/b/a/b/")
    assert "too many query" in guard.allows("https://a.gov.vn/x?" + "&".join(f"k{i}=1" for i in range(12)))
    assert "too long" in guard.allows("https://a.gov.vn/" + "x" * 500)


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("169.254.169.254", False), ("192.168.1.1", False),
    ("172.16.0.5", False), ("100.64.0.1", False), ("::1", False), ("fe80::1", False),
    ("::ffff:10.0.0.1", False), ("0.0.0.0", False), ("203.162.4.190", True), ("2001:4860::8888", True),
])
def test_public_address(address, public):
    assert is_public_address(address) is public


def guard_for(**settings):
    return PrivateAddressGuard(get_crawler(settings_dict=settings))


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/", "http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
])
def test_guard_refuses_private_targets_without_allowance(url):
    from minhbach.audit.words.reasons import reason_text

    with pytest.raises(IgnoreRequest) as refused:
        asyncio.run(guard_for().process_request(Request(url)))
    assert refused.value.reason["kind"] == "private_address"
    assert "địa chỉ nội bộ" in reason_text(refused.value.reason)


def test_guard_allows_them_only_when_told():
    assert asyncio.run(guard_for(MINHBACH_ALLOW_PRIVATE=True).process_request(Request("http://10.0.0.1/"))) is None
    named = guard_for(MINHBACH_ALLOWED_PRIVATE_HOSTS=["127.0.0.1:8080"])
    assert asyncio.run(named.process_request(Request("http://127.0.0.1:8080/"))) is None
    with pytest.raises(IgnoreRequest):
        asyncio.run(named.process_request(Request("http://127.0.0.1:9090/")))


def test_trap_guard_bounds_path_style_calendars_but_not_dated_articles():
    guard = TrapGuard(max_query_variants=5)
    months = [f"http://so.gov.vn/lich/{2020 + n // 12}/{n % 12 + 1}/" for n in range(20)]
    assert [guard.allows(url) is None for url in months] == [True] * 5 + [False] * 15
    assert guard.allows("http://so.gov.vn/lich/2026/11/") == "trap: too many dated variants of one path"
    days = [f"http://so.gov.vn/lich-cong-tac/2026-11-{d:02d}" for d in range(1, 20)]
    assert sum(guard.allows(url) is None for url in days) == 5
    # News archives keep a slug after the date: every article is its own path.
    articles = [f"http://so.gov.vn/tin-tuc/2026/11/bai-viet-so-{n}" for n in range(30)]
    assert all(guard.allows(url) is None for url in articles)
