"""Contacts: the agency's own, the person responsible for the portal, and named officials."""
from __future__ import annotations

from urllib.parse import urlsplit

from minhbach.rules.artifacts import Page, Site
from minhbach.rules.extract import find_addresses, find_emails, find_phones
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, failed, passed
from minhbach.rules.sections import evidence, not_found
from minhbach.rules.text import fold


@rule("CT01", "contacts", "Thông tin liên hệ của cơ quan: địa chỉ, điện thoại, thư điện tử",
      "Agency contact: address, phone and email", catalogue_id="CONTACT-AGENCY",
      citations=["ND43-2011 Điều 10.1.l", "TCTT-2016 Điều 17.1.m, 19.1.đ", "TT32-2017 Điều 16.3.c"],
      topics=("contact_page",), version=2)
def agency_contact(site: Site, ctx: Context) -> Result:
    """What: a postal address, at least one Vietnamese phone number and an email address of the
    agency, in the home page footer or on the contact page ("Liên hệ").

    Why: NĐ 43/2011 Điều 10.1.l and the access-to-information law (Điều 17.1.m, 19.1.đ) require
    the agency's address, phone, fax and email on its portal.

    Good: footer "Địa chỉ: Số 1 Hùng Vương ... – Điện thoại: (0211) 3 862 629 – Email: ubnd@...".
    Bad: a contact page with only a form.

    Limits: an address is recognised by its label ("Địa chỉ", "Trụ sở") or by a street number
    followed by a ward or commune; emails shown only as images are not read.
    """
    sources = ([(site.home, site.home.footer_text)] if site.home else [])
    sources += [(page, page.text) for page in site.pages_about("contact_page")]
    found: dict[str, tuple[str, Page] | None] = {"address": None, "phone": None, "email": None}
    for page, text in sources:
        for kind, finder in (("address", find_addresses), ("phone", find_phones), ("email", find_emails)):
            if found[kind] is None:
                values = finder(text)
                if values:
                    found[kind] = (values[0], page)
    have = {kind: value for kind, value in found.items() if value}
    # for the month's report (item 7): the ways in it names
    facts = {"emails": list(dict.fromkeys(e for _, text in sources for e in find_emails(text)))[:5],
             "social": _social_networks(site)}
    if not have:
        return failed("Không tìm thấy địa chỉ, điện thoại hay thư điện tử của cơ quan.").with_facts(**facts)
    first_page = next(iter(have.values()))[1]
    value = " | ".join(v for v, _ in have.values())
    proof = Evidence(url=first_page.url, snippet=value, value=value, stored_copy=first_page.source.sha256)
    if len(have) == 3:
        return passed("Có địa chỉ, điện thoại và thư điện tử của cơ quan.", proof).with_facts(**facts)
    names = {"address": "địa chỉ", "phone": "điện thoại", "email": "thư điện tử"}
    missing = ", ".join(names[k] for k in found if k not in have)
    return failed(f"Thiếu {missing} của cơ quan.", proof, partial=True).with_facts(**facts)


# The social networks whose pages an agency links from its home page, by their hosts.
SOCIAL_NETWORKS = {"Zalo": ("zalo.me", "zalo.vn"), "Facebook": ("facebook.com", "fb.com", "fb.me"),
                   "YouTube": ("youtube.com", "youtu.be"), "TikTok": ("tiktok.com",)}


def _social_networks(site: Site) -> list[str]:
    links = site.home.links if site.home else []
    return sorted({name for link in links for name, hosts in SOCIAL_NETWORKS.items()
                   if any(urlsplit(link.url).netloc.lower().endswith(host) for host in hosts)})


@rule("CT02", "contacts", "Chân trang: cơ quan chủ quản, người chịu trách nhiệm, bản quyền",
      "Footer: publisher, responsible person and copyright", catalogue_id="CONTACT-RESPONSIBLE",
      citations=["TT32-2017 Điều 16.3.c", "ND43-2011 Điều 21"],
      terms=("responsible_person",), version=2)
def responsible_person(site: Site, ctx: Context) -> Result:
    """What: the home page footer names the person responsible for the portal ("Chịu trách
    nhiệm chính", "Trưởng Ban biên tập") and carries a copyright line ("Bản quyền", ©).

    Why: TT 32/2017 Điều 16.3.c lists what the footer of an agency portal must show.

    Good: "Chịu trách nhiệm chính: Ông Trần Quốc Hưng – Chánh Văn phòng" and "© Bản quyền ...".
    Bad: a footer with only the address, or "Ban biên tập" without a person.

    Limits: the footer is the page's <footer> or an element whose id/class says footer; without
    one, the last 800 characters of the page are read.
    """
    home = site.home
    if home is None:
        return failed("Không có trang chủ để đọc chân trang.")
    footer = fold(home.footer_text)
    responsible = [t for t in site.index.terms_of(footer, "responsible_person")]
    has_copyright = "©" in home.footer_text or any(t in footer for t in ("ban quyen", "copyright"))
    proof = Evidence(url=home.url, snippet=home.footer_text[:200], stored_copy=home.source.sha256)
    if responsible and has_copyright:
        return passed("Chân trang có người chịu trách nhiệm và dòng bản quyền.", proof)
    missing = "dòng bản quyền" if responsible else "người chịu trách nhiệm"
    return failed(f"Chân trang thiếu {missing}.", proof, partial=bool(responsible) or has_copyright)


@rule("CT03", "contacts", "Thông tin liên hệ của cán bộ, công chức có thẩm quyền",
      "Named officials' contacts", catalogue_id="CONTACT-OFFICIALS",
      citations=["ND43-2011 Điều 10.1.k", "TCTT-2016 Điều 17.1.m", "ND61-2018 Điều 9.7"],
      topics=("officials_directory", "org_leaders"), terms=("leader_titles",), version=2)
def officials_contacts(site: Site, ctx: Context) -> Result:
    """What: a directory ("Danh bạ") or leaders page giving officials' titles with their own
    phone numbers or official emails (at least two people).

    Why: NĐ 43/2011 Điều 10.1.k requires the name, position, unit, phone and official email of
    competent officials; NĐ 61/2018 Điều 9.7 the same for the one-stop shop.

    Good: a "Danh bạ điện thoại" table: Họ tên · Chức vụ · Đơn vị · Điện thoại · Thư điện tử.
    Bad: only the switchboard number of the agency.

    Limits: "two people" is read as two distinct phones or two distinct emails on one page
    beside an official title; the pairing of names and numbers is not checked.
    """
    pages = site.pages_about("officials_directory") + site.pages_about("org_leaders")
    for page in pages:
        phones, emails = find_phones(page.text), find_emails(page.text)
        titles = page.terms_about("leader_titles")
        if titles and (len(phones) >= 2 or len(emails) >= 2):
            value = ", ".join((emails or phones)[:3])
            return passed("Có danh bạ cán bộ với điện thoại hoặc thư điện tử riêng.",
                          evidence(page, titles[0], value))
    if pages:
        return failed("Trang danh bạ / lãnh đạo không có điện thoại hoặc thư điện tử của từng người.",
                      evidence(pages[0]), partial=True)
    return not_found(site, ("officials_directory",), "danh bạ cán bộ, công chức")
