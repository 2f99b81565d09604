"""Citizen-facing transparency: drafts for comment, Q&A, procedures, online services and the
access-to-information section."""
from __future__ import annotations

from urllib.parse import urlsplit

from minhbach.rules.artifacts import Site
from minhbach.rules.extract import find_emails
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, failed, passed
from minhbach.rules.sections import attachments, date_term, evidence, judge_age, newest_date, not_found

PROVINCE_AND_DEPARTMENTS = ("tinh", "so", "huyen")


@rule("DT01", "drafts", "Lấy ý kiến góp ý dự thảo văn bản", "Drafts open for public comment",
      levels=PROVINCE_AND_DEPARTMENTS, catalogue_id="DRAFT-CONSULT", options={"max_age_days": 365},
      citations=["ND43-2011 Điều 10.1.i", "TCTT-2016 Điều 17.1.c", "THDCCS-2022 Điều 11.11"],
      topics=("drafts",), terms=("comment_channel",), version=2)
def drafts(site: Site, ctx: Context) -> Result:
    """What: a "Lấy ý kiến dự thảo" section whose drafts come with the full text (a file) or a
    way to comment (a comment deadline, an email), the newest no older than `max_age_days`.

    Why: NĐ 43/2011 Điều 10.1.i: drafts open for comment, with full text, deadline and the
    address for comments; TCTT Điều 17.1.c.

    Good: "Lấy ý kiến góp ý dự thảo Quyết định ..." with the .docx and "Hạn góp ý: 21/12/2026".
    Bad: an opinion poll ("Thăm dò ý kiến", "Lấy ý kiến bình chọn"): it is not a draft.

    Limits: whether the comment period is still open is not judged; the newest draft's date is.
    """
    pages = site.pages_about("drafts")
    if not pages:
        return not_found(site, ("drafts",), "mục lấy ý kiến dự thảo")
    ways = attachments(pages) or [t for p in pages for t in p.terms_about("comment_channel")]
    newest = newest_date(pages, ctx.audit_date)
    if not newest:
        return failed("Mục lấy ý kiến dự thảo không có dự thảo nào ghi ngày.", evidence(pages[0]), partial=True)
    when, page = newest
    if not ways:
        return failed("Dự thảo không kèm toàn văn hay cách gửi góp ý.", evidence(page), partial=True)
    return judge_age(ctx, when, evidence(page, date_term(page, when), ways[0], when), "dự thảo lấy ý kiến")


@rule("QA01", "qa", "Hỏi đáp, tiếp nhận câu hỏi của người dân", "Citizen Q&A",
      catalogue_id="QA", options={"max_age_days": 180},
      citations=["ND43-2011 Điều 15.2, 17.1.đ", "TT32-2017 Điều 11.1.b", "ND224-2026 Điều 10.3.b"],
      topics=("qa",), terms=("question_form",), version=2)
def questions_and_answers(site: Site, ctx: Context) -> Result:
    """What: a Q&A section with a way to ask (a question form or an email) and published,
    dated answers, the newest no older than `max_age_days`.

    Why: NĐ 43/2011 Điều 15.2 (Q&A as a basic portal function) and Điều 17.1.đ (answer within
    15 working days, publish answers of general interest).

    Good: "Hỏi đáp" with "Gửi câu hỏi" form and answers dated last month.
    Bad: a "Hỏi đáp" menu item leading to an empty list.

    Limits: whether every question got an answer is not checked.
    """
    pages = site.pages_about("qa")
    if not pages:
        return not_found(site, ("qa",), "mục hỏi đáp")
    ask = [f for p in pages for f in p.forms if site.index.terms_of(f, "question_form")]
    ask = ask or [e for p in pages for e in find_emails(p.text)]
    newest = newest_date(pages, ctx.audit_date)
    if not newest:
        return failed("Mục hỏi đáp không có câu trả lời nào ghi ngày.", evidence(pages[0]), partial=True)
    when, page = newest
    if not ask:
        return failed("Mục hỏi đáp không có nơi gửi câu hỏi (biểu mẫu hoặc thư điện tử).", evidence(page),
                      partial=True)
    return judge_age(ctx, when, evidence(page, date_term(page, when), when.strftime("%d/%m/%Y"), when),
                     "hỏi đáp")


def _links_to(site: Site, pages, hosts_topic: str):
    names = site.terms(hosts_topic)
    for page in pages:
        for link in page.links:
            host = urlsplit(link.url).netloc.lower()
            if any(name in host for name in names):
                yield page, link


@rule("TT01", "procedures", "Thủ tục hành chính", "Administrative procedures", catalogue_id="TTHC",
      citations=["ND63-2010 Điều 16–17 (ND92-2017)", "ND43-2011 Điều 18", "TCTT-2016 Điều 17.1.a, 19.1.a",
                 "ND224-2026 Điều 9.1.a"],
      topics=("procedures",), terms=("procedure_fields", "public_service_portal"), version=2)
def procedures(site: Site, ctx: Context) -> Result:
    """What: procedure pages that give the procedure's details (code, steps, dossier, time
    limit, fees), or a link to the national or provincial public-service portal (Cổng DVC),
    where the procedure database lives.

    Why: NĐ 63/2010 Điều 17 (as amended by NĐ 92/2017) and NĐ 224/2026 Điều 9.1.a: procedures are
    published, integrated from the national database.

    Good: "Cấp giấy phép xây dựng" with "Trình tự thực hiện", "Thành phần hồ sơ", "Thời hạn giải
    quyết"; or a banner linking to dichvucong.gov.vn.
    Bad: a "Thủ tục hành chính" heading over a list of field names only, linking nowhere.

    Limits: the link to the service portal is not followed.
    """
    pages = site.pages_about("procedures")
    for page in pages:
        fields = page.terms_about("procedure_fields")
        if len(fields) >= 2:
            return passed("Có thủ tục hành chính với trình tự, hồ sơ, thời hạn.",
                          evidence(page, fields[0], ", ".join(map(page.as_written, fields))))
    home = [site.home] if site.home else []
    for page, link in _links_to(site, home + pages, "public_service_portal"):
        return passed("Có liên kết tới Cổng dịch vụ công (cơ sở dữ liệu thủ tục hành chính).",
                      Evidence(url=link.url, snippet=link.text or link.image, stored_copy=page.source.sha256))
    if pages:
        return failed("Mục thủ tục hành chính không nêu nội dung thủ tục.", evidence(pages[0]), partial=True)
    return not_found(site, ("procedures",), "mục thủ tục hành chính")


@rule("DV01", "online_services", "Dịch vụ công trực tuyến trên menu chính", "Online public services",
      catalogue_id="DVC", citations=["TT32-2017 Điều 16.3.a", "ND43-2011 Điều 18", "ND224-2026 Điều 14–15"],
      topics=("online_services",), terms=("public_service_portal",), version=2)
def online_services(site: Site, ctx: Context) -> Result:
    """What: a main-menu (or home page) link labelled "Dịch vụ công trực tuyến" (or leading to a
    public-service portal).

    Why: TT 32/2017 Điều 16.3.a puts "Dịch vụ công trực tuyến" in the main menu of every portal.

    Good: menu item "Dịch vụ công trực tuyến" → https://dichvucong.<tinh>.gov.vn/.
    Bad: no such link.

    Limits: the service portal itself is not assessed.
    """
    if site.home is None:
        return failed("Không có trang chủ.")
    links = site.links_about("online_services")
    links = [(page, link) for page, link in links if link.region == "menu"] or links
    if not links:
        links = list(_links_to(site, [site.home], "public_service_portal"))
    if links:
        page, link = links[0]
        return passed("Trang chủ có liên kết \u201cDịch vụ công trực tuyến\u201d.",
                      Evidence(url=link.url, snippet=link.text or link.image, stored_copy=page.source.sha256))
    return failed("Trang chủ không có liên kết dịch vụ công trực tuyến.",
                  Evidence(url=site.home.url, stored_copy=site.home.source.sha256))


@rule("TI01", "access_to_information", "Chuyên mục tiếp cận thông tin", "Access-to-information section",
      catalogue_id="ATI", citations=["TCTT-2016 Điều 17.1.m, 19.1.g, 34.1.b, 34.1.h", "ND13-2018 Điều 6, 11"],
      topics=("access_to_information",), terms=("ati_parts",), version=2)
def access_to_information(site: Site, ctx: Context) -> Result:
    """What: a "Tiếp cận thông tin" section with at least two of: the list of information that
    must be published, the contact point, the request form, the information-provision rules.

    Why: NĐ 13/2018 Điều 11 requires that section; TCTT Điều 34.1.b the published list.

    Good: "Danh mục thông tin phải được công khai", "Đầu mối cung cấp thông tin: Bà ...",
    "Mẫu phiếu yêu cầu cung cấp thông tin".
    Bad: no such section.

    Limits: whether the list is complete is not checked.
    """
    pages = site.pages_about("access_to_information")
    if not pages:
        return not_found(site, ("access_to_information",), "chuyên mục tiếp cận thông tin")
    best = pages[0]
    best_parts: list[str] = []
    for page in pages:
        parts = page.terms_about("ati_parts")
        if len(parts) > len(best_parts):
            best, best_parts = page, parts
    if len(best_parts) >= 2:
        return passed("Chuyên mục tiếp cận thông tin có danh mục, đầu mối hoặc mẫu phiếu yêu cầu.",
                      evidence(best, best_parts[0], ", ".join(map(best.as_written, best_parts))))
    # An article that mentions the law is not the section: partial credit only for a page
    # whose short title is the section's own.
    return failed("Chuyên mục tiếp cận thông tin thiếu danh mục thông tin, đầu mối hoặc mẫu phiếu.",
                  evidence(best), partial=bool(best_parts) and len(best.subject.split()) <= 6)
