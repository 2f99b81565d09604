"""News and events: the activity signal."""
from __future__ import annotations

from minhbach.rules.artifacts import Site
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Result, failed
from minhbach.rules.sections import date_term, evidence, judge_age, newest_date, not_found


@rule("NW01", "news", "Tin tức, sự kiện được cập nhật thường xuyên", "News updated regularly",
      catalogue_id="NEWS", citations=["ND43-2011 Điều 10.1.b, 17.1.a"],
      options={"max_age_days": {"tinh": 14, "so": 14, "huyen": 14, "xa": 30, "default": 30}},
      topics=("news",), version=2)
def news(site: Site, ctx: Context) -> Result:
    """What: the newest dated item on the home page or the news pages is no older than the
    rubric's `max_age_days` (per level) on the audit date.

    Why: NĐ 43/2011 Điều 10.1.b makes news a mandatory section and Điều 17.1.a asks for regular
    updates ("thường xuyên"); the day limits are a heuristic (regulations.md §3.1), set by the
    rubric, not by law.

    Good: "Tin tức – Sự kiện" with an item dated two days before the audit.
    Bad: a news list whose newest item is four years old.

    Limits: dates are read from the page text (dd/mm/yyyy, "ngày … tháng … năm …", "4 tháng 11,
    2024"); a date after the audit date is ignored; a page showing only today's date in its
    header looks fresh.
    """
    pages = ([site.home] if site.home else []) + site.pages_about("news")
    newest = newest_date(pages, ctx.audit_date)
    if newest is None:
        if site.pages_about("news"):
            return failed("Có mục tin tức nhưng không có tin nào ghi ngày.", evidence(site.pages_about("news")[0]),
                          partial=True)
        return not_found(site, ("news",), "mục tin tức")
    when, page = newest
    return judge_age(ctx, when, evidence(page, date_term(page, when), when.strftime("%d/%m/%Y"), when), "tin tức")
