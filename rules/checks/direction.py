"""Direction and administration: the head's directives and the leaders' weekly calendar."""
from __future__ import annotations

from datetime import timedelta

from minhbach.rules.artifacts import Site
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Result, failed, passed
from minhbach.rules.sections import dated_section, evidence, not_found

PROVINCE_AND_DEPARTMENTS = ("tinh", "so", "huyen")


@rule("DR01", "direction", "Thông tin chỉ đạo, điều hành", "Executive direction",
      levels=PROVINCE_AND_DEPARTMENTS, catalogue_id="DIRECTION",
      citations=["ND43-2011 Điều 10.1.c"], options={"max_age_days": 90},
      topics=("direction",), version=2)
def direction(site: Site, ctx: Context) -> Result:
    """What: a "Chỉ đạo – điều hành" section with dated items (directives, conclusions of
    meetings), the newest no older than the rubric's `max_age_days`.

    Why: NĐ 43/2011 Điều 10.1.c: the head's directions, issued as documents, are a mandatory
    section of provincial and department portals (optional for communes).

    Good: "Thông báo kết luận của Giám đốc tại cuộc họp giao ban" dated last week.
    Bad: no such section, or its newest item years old.

    Limits: items are recognised by the section's title or address, not by reading each one.
    """
    return dated_section(site, ctx, ("direction",), "mục chỉ đạo, điều hành")


@rule("DR02", "direction", "Lịch công tác của lãnh đạo trong tuần", "Leaders' weekly calendar",
      levels=PROVINCE_AND_DEPARTMENTS, catalogue_id="DIRECTION",
      citations=["ND43-2011 Điều 10.1.c"],
      topics=("leaders_calendar",), version=2)
def leaders_calendar(site: Site, ctx: Context) -> Result:
    """What: a "Lịch công tác" page that covers the ISO week of the audit date (a date of that
    week is printed on it).

    Why: NĐ 43/2011 Điều 10.1.c lists the leaders' work calendar among the direction items;
    a calendar is only useful for the current week.

    Good: "Lịch công tác tuần 47 năm 2026" with a row for each day of the week.
    Bad: a calendar page for a past week, or no calendar at all.

    Limits: a calendar published as an attachment (PDF/DOC) only is not opened.
    """
    pages = site.pages_about("leaders_calendar")
    if not pages:
        return not_found(site, ("leaders_calendar",), "lịch công tác")
    monday = ctx.audit_date - timedelta(days=ctx.audit_date.weekday())
    week = {monday + timedelta(days=i) for i in range(7)}
    for page in pages:
        current = sorted(d for d in page.dates if d in week)
        if current:
            return passed(f"Lịch công tác có tuần của ngày đánh giá ({current[0]:%d/%m/%Y}).",
                          evidence(page, "", current[0].strftime("%d/%m/%Y"), current[0]))
    return failed("Lịch công tác không có lịch của tuần đánh giá.", evidence(pages[0]), partial=True)
