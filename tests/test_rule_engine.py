"""The rule engine: rules declare what they read, the declaration decides when a fail is not
final, a crash is logged and counted, and a rule change is told from a site change."""
from __future__ import annotations

import logging
from datetime import date

import pytest

from minhbach.rules.artifacts import PageSource, Site, SiteView, UndeclaredTopic, UnreadRef
from minhbach.rules.registry import _RULES, Context, rule
from minhbach.rules.results import Outcome, failed

DAY = Context(date(2026, 11, 21))


def site(*unread: UnreadRef) -> Site:
    body = "<html><head><title>Trang chủ</title></head><body><p>Sở Thử nghiệm</p></body></html>".encode()
    return Site("x", "so", home_url="http://so.gov.vn/", sources=[PageSource(url="http://so.gov.vn/", body=body)],
                unread=list(unread))


@pytest.fixture
def scratch_rules():
    """Rules registered by a test are forgotten after it."""
    before = dict(_RULES)
    yield
    _RULES.clear()
    _RULES.update(before)


def test_a_rule_naming_an_unknown_topic_is_refused_when_registered(scratch_rules):
    with pytest.raises(ValueError, match="budgt_section"):
        rule("ZZ01", "budget", "x", "x", [], topics=("budgt_section",))


def test_a_rule_asking_for_a_topic_it_did_not_declare_is_an_error_logged_not_a_fail(scratch_rules, caplog):
    @rule("ZZ02", "budget", "x", "x", [], topics=("budget_section",))
    def asks_more(site, ctx):
        site.pages_about("tenders")
        return failed("không thấy")

    with caplog.at_level(logging.ERROR, logger="minhbach.rules"):
        result = _RULES["ZZ02"].evaluate(site(), DAY)
    assert result.outcome is Outcome.ERROR and result.crashed
    assert "ZZ02" in caplog.text and "UndeclaredTopic" in caplog.text and "Traceback" in caplog.text
    view = SiteView(site(), "ZZ02", frozenset({"budget_section"}), frozenset({"budget_section"}))
    assert view.pages_about("budget_section") == []   # what it declared, it may ask
    with pytest.raises(UndeclaredTopic):
        view.pages_about("tenders")


def test_a_term_list_that_no_lexicon_defines_is_an_error():
    page = site().home
    with pytest.raises(KeyError, match="leader_titel"):
        page.terms_about("leader_titel")


def test_what_a_rule_declares_decides_when_an_unread_page_makes_its_fail_a_question(scratch_rules):
    @rule("ZZ03", "budget", "x", "x", [], topics=("budget_section",))
    def section(site, ctx):
        return failed("Không tìm thấy chuyên mục công khai ngân sách.")

    @rule("ZZ04", "site", "x", "x", [], terms=("satisfaction_rating",), every_page=True)
    def anywhere(site, ctx):
        return failed("Không thấy.")

    budget_page = UnreadRef("http://so.gov.vn/ckns", "http_403", "lỗi HTTP 403", "Công khai ngân sách")
    other_page = UnreadRef("http://so.gov.vn/tin", "timeout", "hết thời gian chờ", "Tin tức")
    assert _RULES["ZZ03"].evaluate(site(budget_page), DAY).outcome is Outcome.NEEDS_REVIEW
    assert _RULES["ZZ03"].evaluate(site(other_page), DAY).outcome is Outcome.FAIL   # not about its topic
    assert _RULES["ZZ04"].evaluate(site(other_page), DAY).outcome is Outcome.NEEDS_REVIEW  # it may sit anywhere
    assert _RULES["ZZ04"].evaluate(site(), DAY).outcome is Outcome.FAIL
