"""Strategies and plans, land-use plans, investment promotion and public-investment projects."""
from __future__ import annotations

from minhbach.rules.artifacts import Site
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Result, failed, passed
from minhbach.rules.sections import attachments, dated_section, evidence, newest_date, not_found


@rule("PL01", "plans", "Chiến lược, quy hoạch, kế hoạch phát triển", "Strategies, master plans and plans",
      catalogue_id="PLAN-SEDP", options={"max_age_days": 365},
      citations=["ND43-2011 Điều 10.1.đ, 17.1.d", "TCTT-2016 Điều 17.1.d, 19.1.c", "THDCCS-2022 Điều 11.1"],
      topics=("plans",), version=2)
def plans(site: Site, ctx: Context) -> Result:
    """What: a "Quy hoạch – Kế hoạch" (or "Chiến lược", "Kế hoạch") section with dated plan
    items, the newest no older than the rubric's `max_age_days`.

    Why: NĐ 43/2011 Điều 10.1.đ (strategies, orientations, plans, master plans) and the
    access-to-information law Điều 19.1.c put plans on every agency portal.

    Good: "Kế hoạch phát triển kinh tế - xã hội năm 2026" with the approval decision attached.
    Bad: a "Kế hoạch tài chính" page of thrift programmes (that is a budget page); plans only
    mentioned inside news headlines on the home page.

    Limits: whether the newest plan is the current year's socio-economic plan is not checked.
    """
    return dated_section(site, ctx, ("plans",), "mục quy hoạch, kế hoạch")


@rule("PL02", "plans", "Quy hoạch, kế hoạch sử dụng đất; giá đất; thu hồi đất, bồi thường",
      "Land-use plans, land prices and expropriation", levels=("tinh", "huyen", "xa"),
      catalogue_id="PLAN-LAND", citations=["ND43-2011 Điều 10.1.đ", "TCTT-2016 Điều 17.1.g", "THDCCS-2022 Điều 11.3"],
      topics=("land_plans", "plans"), version=2)
def land_plans(site: Site, ctx: Context) -> Result:
    """What: a page about land-use plans, the land price table or expropriation and
    compensation ("Kế hoạch sử dụng đất", "Bảng giá đất", "Thu hồi đất, bồi thường").

    Why: NĐ 43/2011 Điều 10.1.đ requires provincial and district portals to cover land-use
    planning; the commune democracy law (Điều 11.3) and TCTT Điều 17.1.g do for communes.

    Good: "Kế hoạch sử dụng đất năm 2026" with its file.
    Bad: no land item anywhere.

    Limits: applies to provinces, districts and communes; land and construction departments
    are not told apart from other departments, so departments are not assessed.
    """
    pages = site.pages_about("land_plans")
    if not pages:
        for page in site.pages_about("plans"):
            terms = page.terms_about("land_plans")
            if terms:
                return passed("Mục quy hoạch có nội dung về đất đai.", evidence(page, terms[0]))
        return not_found(site, ("land_plans",), "thông tin quy hoạch, kế hoạch sử dụng đất")
    newest = newest_date(pages, ctx.audit_date)
    page = newest[1] if newest else pages[0]
    return passed("Có thông tin quy hoạch, kế hoạch sử dụng đất.",
                  evidence(page, "", "", newest[0] if newest else None))


@rule("IV01", "investment", "Thu hút đầu tư: chính sách ưu đãi, dự án kêu gọi đầu tư",
      "Investment incentives and projects calling for investment", levels=("tinh", "huyen"),
      catalogue_id="INVEST-PROMO", citations=["ND43-2011 Điều 10.1.đ"],
      topics=("investment",), version=2)
def investment(site: Site, ctx: Context) -> Result:
    """What: a section on investment incentives and the list of projects calling for
    investment ("Thu hút đầu tư", "Danh mục dự án kêu gọi đầu tư").

    Why: NĐ 43/2011 Điều 10.1.đ names them for provincial and district portals.

    Good: "Danh mục dự án kêu gọi đầu tư năm 2026" with an Excel list.
    Bad: no investment section on the provincial portal.

    Limits: the project list inside an attachment is not opened.
    """
    pages = site.pages_about("investment")
    if not pages:
        return not_found(site, ("investment",), "mục thu hút đầu tư")
    files = attachments(pages)
    newest = newest_date(pages, ctx.audit_date)
    if files or newest:
        return passed("Có mục thu hút đầu tư với danh mục hoặc tệp đính kèm.",
                      evidence(pages[0], "", files[0] if files else "", newest[0] if newest else None))
    return failed("Mục thu hút đầu tư không có danh mục dự án.", evidence(pages[0]), partial=True)


@rule("PJ01", "projects", "Danh sách dự án đầu tư (chuẩn bị, đang thực hiện, hoàn thành)",
      "Public-investment project list", catalogue_id="PROJECTS-LIST", options={"min_fields": 5},
      citations=["ND43-2011 Điều 10.1.h", "TCTT-2016 Điều 17.1.g, 19.1.d", "THDCCS-2022 Điều 11.3"],
      topics=("projects",), terms=("project_fields",), version=2)
def projects(site: Site, ctx: Context) -> Result:
    """What: a list of projects giving, for each, at least `min_fields` of: name, objective,
    field, duration, total investment, funding source, investor, status.

    Why: NĐ 43/2011 Điều 10.1.h lists those fields; TCTT Điều 19.1.d requires the public
    investment project list on the portal.

    Good: a table "Tên dự án · Mục tiêu · Lĩnh vực · Thời gian thực hiện · Tổng mức đầu tư ·
    Nguồn vốn · Tình trạng".
    Bad: a news item about one project; a page titled "Dự án" with only headlines.

    Limits: fields are recognised by their Vietnamese column labels.
    """
    pages = site.pages_about("projects")
    if not pages:
        return not_found(site, ("projects",), "danh sách dự án đầu tư")
    needed = int(ctx.option("min_fields", 5))
    best = pages[0]
    best_fields: list[str] = []
    for page in pages:
        fields = page.terms_about("project_fields")
        if len(fields) > len(best_fields):
            best, best_fields = page, fields
    if len(best_fields) >= needed:
        return passed(f"Danh sách dự án có {len(best_fields)} trường thông tin.",
                      evidence(best, best_fields[0], ", ".join(map(best.as_written, best_fields))))
    return failed(f"Danh sách dự án chỉ có {len(best_fields)} trường thông tin (cần {needed}).",
                  evidence(best), partial=len(best_fields) >= 2)
