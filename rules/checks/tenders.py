"""Tenders and public procurement."""
from __future__ import annotations

from urllib.parse import urlsplit

from minhbach.rules.artifacts import Site
from minhbach.rules.extract import find_tender_codes
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, passed
from minhbach.rules.sections import evidence, not_found


@rule("TD01", "tenders", "Thông tin đấu thầu, mua sắm công", "Tenders and public procurement",
      catalogue_id="TENDER",
      citations=["LDT-2023 Điều 7–8", "ND43-2011 Điều 10.1.h", "TCTT-2016 Điều 17.1.g, 19.1.d"],
      topics=("tenders",), terms=("tender_items", "procurement_system"), version=2)
def tenders(site: Site, ctx: Context) -> Result:
    """What: a tenders section with procurement items (KHLCNT, TBMT, KQLCNT, "gói thầu") or
    national e-procurement codes (IB…, PL…), or a link to the national e-procurement system.

    Why: the bidding law (Luật Đấu thầu 2023 Điều 7–8) makes the national system the place of
    publication; NĐ 43/2011 Điều 10.1.h and TCTT Điều 19.1.d keep bidding information on the
    agency's own portal. Either is accepted (regulations.md §2.8).

    Good: "Thông báo mời thầu (TBMT) số IB2600035288-00"; a link to muasamcong.
    Bad: a "Đấu thầu" menu item only; the word "đấu thầu" in an unrelated regulation title.

    Limits: the link to the national system is not followed, so whether the agency's own
    packages are there is not checked.
    """
    pages = site.pages_about("tenders")
    national = _national_system_link(site, pages + ([site.home] if site.home else []))
    # for the month's report (item 4): the dates each tenders page prints, and the national link
    facts = {"dates_by_page": [[d.isoformat() for d in page.dates[:500]] for page in pages[:50]],
             "national_system": national is not None}
    for page in pages:
        codes = find_tender_codes(page.text)
        # Two kinds of procurement item, or a code: one passing mention (a Q&A answer naming
        # "kế hoạch lựa chọn nhà thầu") is not a tenders section.
        items = page.terms_about("tender_items")
        if codes or len(items) >= 2:
            term = codes[0] if codes else items[0]
            return passed("Có thông tin đấu thầu (kế hoạch, thông báo mời thầu hoặc kết quả).",
                          evidence(page, term, term if codes else page.as_written(term))).with_facts(**facts)
    if national is not None:
        page, link = national
        return passed("Có liên kết tới Hệ thống mạng đấu thầu quốc gia.",
                      Evidence(url=link.url, snippet=link.text, stored_copy=page.source.sha256)).with_facts(**facts)
    return not_found(site, ("tenders",), "thông tin đấu thầu (kế hoạch, thông báo mời thầu, kết quả)").with_facts(
        **facts)


def _national_system_link(site: Site, pages) -> tuple | None:
    """(page, link) of the first link to the national e-procurement system, or None."""
    names = site.terms("procurement_system")
    for page in pages:
        for link in page.links:
            host = urlsplit(link.url).netloc.lower()
            if any(name in host for name in names):
                return page, link
    return None
