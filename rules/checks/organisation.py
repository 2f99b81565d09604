"""Introduction, organisation and leaders (NĐ 43/2011 Điều 10.1.a)."""
from __future__ import annotations

from minhbach.rules.artifacts import Site
from minhbach.rules.extract import find_emails, find_phones
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Result, failed, passed
from minhbach.rules.sections import evidence, not_found

LOCAL = ("tinh", "so", "huyen", "xa")


@rule("OR01", "organisation", "Giới thiệu: chức năng, nhiệm vụ, cơ cấu tổ chức",
      "Introduction: functions, duties and organisation", levels=LOCAL, catalogue_id="ORG-INTRO",
      citations=["ND43-2011 Điều 10.1.a", "TCTT-2016 Điều 17.1.k, 19.1.đ", "ND224-2026 Điều 9.1.b–c"],
      topics=("org_intro",), terms=("org_functions", "org_structure"), version=2)
def introduction(site: Site, ctx: Context) -> Result:
    """What: an introduction page ("Giới thiệu") that states the agency's functions and duties
    and its structure (units, departments or an organisation chart).

    Why: NĐ 43/2011 Điều 10.1.a (and NĐ 224/2026 Điều 9.1.b–c today) make the introduction the
    first mandatory section of every agency portal.

    Good: a page titled "Giới thiệu" or "Chức năng, nhiệm vụ" whose text has "chức năng, nhiệm
    vụ" and "cơ cấu tổ chức" or a list of "đơn vị trực thuộc".
    Bad: a "Giới thiệu" menu item leading to a page with only a welcome paragraph.

    Limits: an organisation chart given only as an image counts when its caption or file name
    says "sơ đồ tổ chức"; a chart with neither is not recognised.
    """
    pages = site.pages_about("org_intro")
    if not pages:
        return not_found(site, ("org_intro",), "trang giới thiệu")
    best, best_found = pages[0], (False, False)
    for page in pages:
        found = (bool(page.terms_about("org_functions")), bool(page.terms_about("org_structure")))
        if sum(found) > sum(best_found):
            best, best_found = page, found
    if all(best_found):
        return passed("Trang giới thiệu nêu chức năng, nhiệm vụ và cơ cấu tổ chức.",
                      evidence(best, best.terms_about("org_structure")[0]))
    missing = "cơ cấu tổ chức" if best_found[0] else "chức năng, nhiệm vụ"
    return failed(f"Trang giới thiệu thiếu {missing}.", evidence(best), partial=any(best_found))


@rule("OR02", "organisation", "Lãnh đạo cơ quan: họ tên, chức vụ, nhiệm vụ đảm nhiệm",
      "Leaders: names, titles and portfolios", levels=LOCAL, catalogue_id="ORG-LEADERS",
      citations=["ND43-2011 Điều 10.1.a", "ND224-2026 Điều 9.1.b–c"],
      topics=("org_leaders", "org_intro"), terms=("leader_titles", "leader_duties"), version=2)
def leaders(site: Site, ctx: Context) -> Result:
    """What: a leaders page listing the head and deputies by name and title, with their
    portfolio ("phân công nhiệm vụ"), a short biography or their contacts.

    Why: NĐ 43/2011 Điều 10.1.a asks for "tiểu sử tóm tắt và nhiệm vụ đảm nhiệm" of the leaders.

    Good: "Lãnh đạo Sở" with "Giám đốc Nguyễn Văn A – phụ trách chung", deputies and phones.
    Bad: a "Lãnh đạo" page with photos only, or no leaders page at all.

    Communes and small agencies often put functions, leaders and portfolios on one
    introduction page ("Giới thiệu chung"): without a leaders page, an introduction page that
    names leaders with their portfolios or contacts counts too.

    Limits: names are not checked against any register; a page with titles ("Giám đốc") and
    portfolios is taken to name the leaders.
    """
    pages = site.pages_about("org_leaders") or [p for p in site.pages_about("org_intro")
                                                 if p.terms_about("leader_titles")]
    if not pages:
        return not_found(site, ("org_leaders",), "trang lãnh đạo")
    for page in pages:
        titles = page.terms_about("leader_titles")
        duties = page.terms_about("leader_duties")
        if titles and (duties or find_phones(page.text) or find_emails(page.text)):
            return passed(f"Trang lãnh đạo có chức vụ ({page.as_written(titles[0])}) và nhiệm vụ hoặc liên hệ.",
                          evidence(page, titles[0]))
    return failed("Trang lãnh đạo không nêu chức vụ kèm nhiệm vụ đảm nhiệm hoặc liên hệ.",
                  evidence(pages[0]), partial=True)
