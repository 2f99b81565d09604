"""The hotline: a number labelled as such, or a way into the feedback system."""
from __future__ import annotations

import re

from minhbach.rules.artifacts import Page, Site
from minhbach.rules.extract import find_phones
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, failed, passed
from minhbach.rules.text import fold

# How far after "Đường dây nóng" the number may be printed (label, colon, "ĐT:", spaces).
_WINDOW = 45
# "... đường dây nóng của Bộ Y tế: 1900 9095": a number that belongs to another body
_OWNER = re.compile(r"\bcua\s+((?:bo|so|cuc|tong cuc|uy ban|ubnd|benh vien|trung tam|cong an|nganh|tinh|thanh pho)"
                    r"(?:\s+[a-z0-9]+){0,4})")


def _someone_else(window: str, agency_name: str) -> bool:
    """Whether the words after the label name a body that is not this agency."""
    owner = _OWNER.search(window)
    if owner is None:
        return False
    named = " ".join(owner.group(1).split()[:2])  # "so tu (phap ...)": the kind and the first word
    return named not in fold(agency_name)


def labelled_number(page: Page, agency_name: str = "") -> tuple[str, str] | None:
    """(number, snippet) where a hotline term is followed closely by a phone number that is not
    another body's."""
    folded, text = page.folded, page.text
    same_length = len(folded) == len(text)
    for term in page.terms_about("hotline"):
        start = 0
        while (position := folded.find(term, start)) >= 0:
            start = position + len(term)
            window = (text if same_length else folded)[start:start + _WINDOW]
            phones = find_phones(window)
            if phones and _someone_else(folded[start:start + _WINDOW], agency_name):
                continue
            if phones:
                snippet = (text if same_length else folded)[position:start + _WINDOW]
                return phones[0], snippet.strip()
    return None


@rule("HL01", "hotline", "Đường dây nóng / tiếp nhận phản ánh, kiến nghị",
      "Hotline or feedback intake", catalogue_id="HOTLINE",
      citations=["ND43-2011 Điều 10.1.i", "ND224-2026 Điều 10.2.c", "TCTT-2016 Điều 17.1.m",
                 "VP-QD1703-2019"],
      topics=("hotline", "feedback_system"), version=2)
def hotline(site: Site, ctx: Context) -> Result:
    """What: a phone number printed right after a hotline label ("Đường dây nóng", "Hotline",
    "Tổng đài", "Tiếp nhận phản ánh") on the home page (header, footer) or a hotline page; or a
    link from the home page to a feedback system ("Phản ánh, kiến nghị", PAKN).

    Why: a policy and PCI expectation more than a hard rule: no national article was found that
    names a "đường dây nóng" on portals (regulations.md §2.11); the nearest bases are NĐ 43/2011
    Điều 10.1.i, NĐ 224/2026 Điều 10.2.c and the province's feedback rules (VP QĐ 1703/2019).

    Good: "Đường dây nóng: 1900 9268"; footer "Đường dây nóng – ĐT: (0211) 3.862.480".
    Bad: a page titled "Đường dây nóng" with no number (the Hà Nội page in the real fixtures);
    an article that says "các số điện thoại đường dây nóng" and prints none; a banner image.

    A number labelled as another body's ("đường dây nóng của Bộ Y tế: 1900 9095", often quoted in
    a news item on the home page) is not the agency's.

    Limits: a number inside an image is not read; a campaign hotline of the agency itself
    announced in a news article counts, since the rule cannot tell it from the site-wide one.
    """
    pages = ([site.home] if site.home else []) + site.pages_about("hotline")
    for page in dict.fromkeys(pages):
        found = labelled_number(page, site.name)
        if found:
            number, snippet = found
            return passed(f"Có số đường dây nóng {number}.",
                          Evidence(url=page.url, snippet=snippet, value=number, stored_copy=page.source.sha256)
                          ).with_facts(number=number)
    # A headline that mentions "phản ánh kiến nghị" is news, not a way in: only menus, footers
    # and banners count.
    for page, link in site.links_about("feedback_system"):
        banner = link.image and "feedback_system" in site.index.topics_in(link.cue)
        if link.region == "body" and not banner:  # a thumbnail of a news article is not a banner
            continue
        return passed("Trang chủ có liên kết tới hệ thống tiếp nhận phản ánh, kiến nghị.",
                      Evidence(url=link.url, snippet=link.text or link.image, stored_copy=page.source.sha256))
    hotline_pages = site.pages_about("hotline")
    if hotline_pages:
        page = hotline_pages[0]
        return failed("Có trang \u201cĐường dây nóng\u201d nhưng không ghi số điện thoại.",
                      Evidence(url=page.url, snippet=page.title, stored_copy=page.source.sha256))
    return failed("Không tìm thấy số đường dây nóng hay liên kết tiếp nhận phản ánh.")
