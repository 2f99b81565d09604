"""Budget disclosure: the section, the approved estimate, in-year execution, final accounts and
the annual financial report. Each carries the year (or quarter) of its newest item."""
from __future__ import annotations

from datetime import date, timedelta

from minhbach.rules.artifacts import Site
from minhbach.rules.extract import find_periods
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, failed, passed
from minhbach.rules.sections import Item, attachments, evidence, not_found, section_items

SECTION = ("budget_section",)
BUDGET_CITATIONS = ["TT61-2017 Điều 5, 6, 9, 11 (TT90-2018)", "LNSNN-2015 Điều 15", "LNSNN-2025 Điều 15.1.b",
                    "ND73-2026 Điều 36–37", "TT26-2026 Điều 34"]


def _proof(item: Item, value: str) -> Evidence:
    return Evidence(url=item.url, snippet=item.title, value=value, stored_copy=item.page.source.sha256)


def _due(ctx: Context, option: str, year: int) -> date:
    month, day = (int(x) for x in str(ctx.option(option)).split("-"))
    return date(year, month, day)


@rule("BG01", "budget", "Chuyên mục công khai ngân sách", "Budget-disclosure section",
      catalogue_id="BUDGET-SECTION", citations=BUDGET_CITATIONS,
      topics=("budget_section", "budget_estimate", "budget_execution", "budget_final", "budget_finreport",
              "budget_disclosure"), version=2)
def budget_section(site: Site, ctx: Context) -> Result:
    """What: a "Công khai ngân sách" (or "Công khai tài chính", "Thu chi tài chính") section
    holding disclosure items: estimates, execution reports, final accounts, with files.

    Why: TT 61/2017 Điều 11 as amended by TT 90/2018 requires a separate "Công khai ngân sách"
    category; since 2026 the budget law 89/2025 Điều 15.1.b makes portal publication compulsory.

    Good: "Công khai ngân sách" listing "Quyết định công bố công khai dự toán ngân sách năm 2026"
    with an .xlsx table.
    Bad: only a "congkhaingansach.jpg" banner (linked but not crawled: needs review); a dataset
    group called "Tài chính" on an open-data portal.

    Limits: the tables inside the files are not opened.
    """
    pages = site.pages_about(*SECTION)
    if not pages:
        return not_found(site, SECTION, "chuyên mục công khai ngân sách")
    items = section_items(site, SECTION, ("budget_estimate", "budget_execution", "budget_final",
                                          "budget_finreport", "budget_disclosure"))
    if items:
        newest = max(items, key=lambda i: i.year or 0)
        return passed(f"Chuyên mục công khai ngân sách có {len(items)} mục.",
                      _proof(newest, str(newest.year or "")))
    files = attachments(pages)
    if files:
        return passed("Chuyên mục công khai ngân sách có tệp đính kèm.", evidence(pages[0], "", files[0]))
    return failed("Chuyên mục công khai ngân sách không có mục công khai nào.", evidence(pages[0]), partial=True)


def _newest_by_year(site: Site, topic: str, what: str, expected: int) -> Result:
    items = section_items(site, SECTION, (topic,))
    if not items:
        return not_found(site, (topic,), what)
    dated = [(i.year, i) for i in items if i.year]
    if not dated:
        return failed(f"Có {what} nhưng không rõ năm.", _proof(items[0], ""), partial=True)
    year, newest = max(dated, key=lambda pair: pair[0])
    period = {"period": f"năm {year}"}   # for the month's report (item 3)
    if year >= expected:
        return passed(f"Có {what} năm {year}.", _proof(newest, str(year))).with_facts(**period)
    return failed(f"{what.capitalize()} mới nhất là năm {year}; cần năm {expected}.",
                  _proof(newest, str(year)), partial=True).with_facts(**period)


@rule("BG02", "budget", "Công khai dự toán ngân sách được giao", "Approved budget estimate",
      catalogue_id="BUDGET-ESTIMATE", citations=BUDGET_CITATIONS, options={"estimate_due": "02-15"},
      topics=("budget_section", "budget_estimate"), version=2)
def budget_estimate(site: Site, ctx: Context) -> Result:
    """What: the published approved estimate ("Công khai dự toán ngân sách năm N") for the
    audit year once the rubric's `estimate_due` (MM-DD) has passed, else for the year before.

    Why: estimates are published within 30 days of approval (NĐ 73/2026 Điều 37.2; TT 343/2016
    Điều 10.2; 15 days for budget units under TT 61/2017 Điều 6.1); approval comes in December,
    so the current year's estimate is due by about mid-February.

    Good: "Quyết định công bố công khai dự toán ngân sách năm 2026" audited in November 2026.
    Bad: the newest estimate is for 2022.

    Limits: the year is read from the item's title ("năm 2026", or the last year written).
    """
    year = ctx.audit_date.year
    expected = year if ctx.audit_date >= _due(ctx, "estimate_due", year) else year - 1
    return _newest_by_year(site, "budget_estimate", "công khai dự toán ngân sách", expected)


@rule("BG03", "budget", "Công khai tình hình thực hiện dự toán (quý, 6 tháng, năm)",
      "In-year budget execution reports", catalogue_id="BUDGET-EXECUTION", citations=BUDGET_CITATIONS,
      options={"grace_days": 15},
      topics=("budget_section", "budget_execution"), version=2)
def budget_execution(site: Site, ctx: Context) -> Result:
    """What: an execution report ("tình hình thực hiện dự toán quý III năm 2026") for the last
    quarter that ended at least `grace_days` before the audit date, or a later one.

    Why: quarterly and 6-month execution is published within 15 days of the period's end
    (TT 343/2016 Điều 10.3, TT 61/2017 Điều 6.2), 10 days from budget year 2026 (NĐ 73/2026
    Điều 37.3): the rubric sets `grace_days`.

    Good: "Công khai tình hình thực hiện dự toán ngân sách quý III năm 2026" in November 2026.
    Bad: the newest report is for 2022.

    Limits: periods are read from titles: "quý I–IV năm N", "quý 3/N", "6 tháng", "9 tháng",
    "cả năm N"; a title with none of them counts as the year's last quarter only if "năm N".
    """
    cutoff = ctx.audit_date - timedelta(days=int(ctx.option("grace_days", 15)))
    required = (cutoff.year, (cutoff.month - 1) // 3) if cutoff.month > 3 else (cutoff.year - 1, 4)
    items = section_items(site, SECTION, ("budget_execution",))
    if not items:
        return not_found(site, ("budget_execution",), "báo cáo tình hình thực hiện dự toán")
    periods = [(period, item) for item in items for period in find_periods(item.title)]
    # an item whose title names no period ("Báo cáo thực hiện dự toán", a file): the file says it
    periods += [(period, item) for item in items if not find_periods(item.title)
                for document in site.documents_at([item.url]) for period in find_periods(document.text)[:1]]
    if not periods:
        return failed("Có báo cáo thực hiện dự toán nhưng không rõ kỳ báo cáo.", _proof(items[0], ""), partial=True)
    (year, quarter), item = max(periods, key=lambda p: p[0])
    shown = f"quý {quarter}/{year}"
    if (year, quarter) >= required:
        return passed(f"Có báo cáo thực hiện dự toán {shown}.", _proof(item, shown)).with_facts(period=shown)
    return failed(f"Báo cáo thực hiện dự toán mới nhất là {shown}; cần quý {required[1]}/{required[0]}.",
                  _proof(item, shown), partial=True).with_facts(period=shown)


@rule("BG04", "budget", "Công khai quyết toán ngân sách", "Final budget accounts",
      catalogue_id="BUDGET-FINAL", citations=BUDGET_CITATIONS,
      options={"final_due": {"xa": "04-30", "default": "07-31"}},
      topics=("budget_section", "budget_final"), version=2)
def budget_final(site: Site, ctx: Context) -> Result:
    """What: published final accounts ("Công khai quyết toán ngân sách năm N-1") for the year
    before the audit year once the rubric's `final_due` (MM-DD, per level) has passed, else for
    two years before.

    Why: approved final accounts are published within 30 days (NĐ 73/2026 Điều 37.2; 15 days for
    budget units, TT 61/2017 Điều 6.4); communes approve them by 31/3, provinces by 1/7.

    Good: "Công khai quyết toán ngân sách năm 2025" audited in November 2026.
    Bad: the newest final accounts are for 2021.

    Limits: the year is read from the title.
    """
    year = ctx.audit_date.year
    expected = year - 1 if ctx.audit_date >= _due(ctx, "final_due", year) else year - 2
    return _newest_by_year(site, "budget_final", "công khai quyết toán ngân sách", expected)


@rule("BG05", "budget", "Báo cáo tài chính năm", "Annual financial report", catalogue_id="BUDGET-FINREPORT",
      citations=["TCTT-2016 Điều 17.1.l, 19.1.e"],
      topics=("budget_section", "budget_finreport"), version=2)
def financial_report(site: Site, ctx: Context) -> Result:
    """What: an item or document titled "Báo cáo tài chính" (annual financial report).

    Why: the access-to-information law (Điều 17.1.l, 19.1.e) puts the annual financial report on
    the portal.

    Good: "Báo cáo tài chính năm 2025" with its PDF.
    Bad: none.

    Limits: no freshness limit: the law sets none for this item.
    """
    items = section_items(site, SECTION, ("budget_finreport",))
    documents = site.documents_about("budget_finreport")
    if items:
        newest = max(items, key=lambda i: i.year or 0)
        return passed("Có báo cáo tài chính năm.", _proof(newest, str(newest.year or "")))
    if documents:
        return passed("Có tệp báo cáo tài chính năm.",
                      Evidence(url=documents[0].url, snippet=documents[0].anchor_text))
    return not_found(site, ("budget_finreport",), "báo cáo tài chính năm")
