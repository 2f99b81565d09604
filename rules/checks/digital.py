"""What Decree 224/2026 adds to every portal from 1 July 2026: a way to rate the information,
the service-quality commitment, notice of planned outages, and sites that are components of the
provincial portal."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from minhbach.rules.artifacts import Site
from minhbach.rules.calendar import working_days_between
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, failed, passed, review

_RATING_MARKUP = re.compile(r"\b(rating|star-?rating|danh-?gia|hai-?long|survey|khao-?sat)\b", re.I)


@rule("RT01", "site", "Đánh giá mức độ hài lòng về thông tin", "Online satisfaction rating of information",
      catalogue_id="RATING", citations=["ND224-2026 Điều 10.3.b"], levels=("tinh", "so", "xa", "khac"),
      terms=("satisfaction_rating",), every_page=True)
def satisfaction_rating(site: Site, ctx: Context) -> Result:
    """What: a way for readers to rate the information they read: a rating widget or form
    ("Bạn có hài lòng với thông tin này?", stars, "Đánh giá mức độ hài lòng") on the portal.

    Why: NĐ 224/2026 Điều 10.3.b requires the information channels to let people rate the
    information online.

    Good: a form "Đánh giá mức độ hài lòng" with choices under articles.
    Bad: no way to rate anything.

    Limits: whether the ratings are collected or published is not checked; a rating of public
    services only (on the DVC portal) does not count here.
    """
    for page in site.pages:
        if not page.ok:
            continue
        for form in page.forms:
            terms = site.index.terms_of(form, "satisfaction_rating")
            if terms or _RATING_MARKUP.search(form):
                return passed("Có chức năng đánh giá mức độ hài lòng về thông tin.",
                              Evidence(url=page.url, snippet=page.snippet_around(terms[0]) if terms else "",
                                       stored_copy=page.source.sha256))
        terms = page.terms_about("satisfaction_rating")
        if terms and page.forms:
            return passed("Có chức năng đánh giá mức độ hài lòng về thông tin.",
                          Evidence(url=page.url, snippet=page.snippet_around(terms[0]),
                                   stored_copy=page.source.sha256))
    # every_page: a widget may sit on any page, so any page the crawl could not read makes this
    # fail a question for an officer (the engine says so: rules/registry.py)
    return failed("Không thấy chức năng đánh giá mức độ hài lòng về thông tin.")


@rule("DQ01", "online_services", "Cam kết và chỉ số chất lượng dịch vụ công",
      "Service-quality commitment and indicators",
      catalogue_id="DVC-QUALITY", citations=["LCDS-2025 Điều 34.2", "ND224-2026 Điều 19"],
      levels=("tinh", "so", "xa"),
      terms=("service_quality", "service_commitment"), every_page=True)
def service_quality(site: Site, ctx: Context) -> Result:
    """What: the agency's service-quality commitment for its public services, with the quality
    indicators (dossiers received and resolved, share on time, satisfaction).

    Why: Luật Chuyển đổi số 2025 Điều 34.2 requires the portal to publish a service-quality
    commitment and quality indicators; NĐ 224/2026 Điều 19 lists the indicators.

    Good: "Cam kết chất lượng dịch vụ công" and "Thống kê hồ sơ: 98% đúng hạn".
    Partial: statistics without a commitment, or a commitment without statistics.
    Bad: neither.

    Limits: whether the indicators are real-time is not checked.
    """
    commitment = statistics = None
    for page in site.pages:
        if not page.ok:
            continue
        terms = page.terms_about("service_quality")
        if not terms:
            continue
        promised = [t for t in terms if t in site.terms("service_commitment")]
        if promised and commitment is None:
            commitment = (page, promised[0])
        figures = [t for t in terms if t not in site.terms("service_commitment")]
        if figures and statistics is None and re.search(r"\d+([.,]\d+)?\s?%", page.text):
            statistics = (page, figures[0])
        if commitment and statistics:
            break
    found = commitment or statistics
    if found is None:
        return failed("Không thấy cam kết chất lượng dịch vụ công hay chỉ số chất lượng (hồ sơ đúng hạn, hài lòng).")
    page, term = found
    proof = Evidence(url=page.url, snippet=page.snippet_around(term), stored_copy=page.source.sha256)
    if commitment and statistics:
        return passed("Có cam kết chất lượng dịch vụ và chỉ số chất lượng.", proof)
    missing = "chỉ số chất lượng (tỷ lệ đúng hạn, hài lòng)" if commitment else "cam kết chất lượng dịch vụ"
    return failed(f"Thiếu {missing}.", proof, partial=True)  # (unread pages: the engine asks an officer)


_NOTICE_WINDOW = 7  # working days between the notice and the outage (NĐ 224 Điều 13)


@rule("OT01", "site", "Thông báo trước khi tạm dừng cổng", "Notice of a planned outage",
      catalogue_id="OUTAGE", citations=["ND224-2026 Điều 13"], levels=("tinh", "so", "xa", "khac"),
      terms=("outage_notice",), every_page=True, version=2)
def outage_notice(site: Site, ctx: Context) -> Result:
    """What: a planned stop of the portal (maintenance, upgrade) is announced on it at least 7
    working days before (Monday to Friday, less Vietnam's public holidays: Tết, 30/4, 2/9...).

    Why: NĐ 224/2026 Điều 13.

    Good: "Thông báo (ngày 02/11/2026): cổng tạm dừng hoạt động từ 14/11/2026 để nâng cấp".
    Bad: the notice is dated less than 7 working days before the stop.

    Limits: a crawl sees notices, not outages: without a notice the rule cannot know whether a
    stop was planned, so it asks an officer (needs review), and the rubric leaves it out of the
    score. A notice whose two dates cannot be read is also left to an officer.
    """
    for page in site.pages:
        if not page.ok:
            continue
        terms = page.terms_about("outage_notice")
        if not terms:
            continue
        snippet = page.snippet_around(terms[0], 240)
        dates = sorted(set(d for d in page.dates if abs((d - ctx.audit_date).days) <= 400))
        proof = Evidence(url=page.url, snippet=snippet, stored_copy=page.source.sha256)
        if len(dates) < 2:
            return review("Có thông báo tạm dừng nhưng không đọc được ngày thông báo và ngày tạm dừng.", proof)
        notice, stop = dates[0], dates[-1]
        lead = working_days_between(notice, stop)
        proof = Evidence(url=page.url, snippet=snippet, value=f"{lead}", date=notice, stored_copy=page.source.sha256)
        if lead >= _NOTICE_WINDOW:
            return passed(f"Thông báo tạm dừng trước {lead} ngày làm việc.", proof)
        return failed(f"Thông báo tạm dừng chỉ trước {lead} ngày làm việc (cần ít nhất {_NOTICE_WINDOW}).", proof)
    return review("Không thấy thông báo tạm dừng cổng; chỉ bắt buộc khi có kế hoạch tạm dừng.")


_PROVINCE_HOST = re.compile(r"^(www\.)?[a-z0-9]+\.gov\.vn$")
_COMPONENT_HOST = re.compile(r"^(www\.)?[a-z0-9-]+\.[a-z0-9]+\.gov\.vn$")


@rule("PC01", "site", "Cổng thành phần của cổng thông tin tỉnh", "A component of the provincial portal",
      catalogue_id="DOMAIN", citations=["ND224-2026 Điều 11.1, 11.4"], levels=("tinh", "so", "xa"))
def provincial_component(site: Site, ctx: Context) -> Result:
    """What: the portal's address follows the provincial naming: `tentinh.gov.vn` for the
    province, `tencoquan.tentinhthanh.gov.vn` for a department or a commune, whose site is a
    component of the provincial portal.

    Why: NĐ 224/2026 Điều 11.1 makes department and commune sites components of the provincial
    portal; Điều 11.4 sets their domain names.

    Good: `stp.hoason.gov.vn` for the Sở Tư pháp of Hòa Sơn.
    Bad: `sotuphap-hoason.vn`, `stphoason.gov.vn` for a department.

    Limits: only the address is checked, not that the provincial portal links to the site; a
    site reached by an IP address or `localhost` has no name to check (needs review).
    """
    url = site.home.url if site.home is not None else site.home_url
    host = (urlsplit(url).hostname or "").lower()
    proof = Evidence(url=url, value=host)
    if not host or "." not in host or re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        return review(f"Cổng không có tên miền để kiểm tra ({host or url}).", proof)
    pattern = _PROVINCE_HOST if site.level == "tinh" else _COMPONENT_HOST
    if pattern.match(host):
        return passed(f"Tên miền {host} theo quy tắc của cổng thông tin tỉnh.", proof)
    wanted = "tentinh.gov.vn" if site.level == "tinh" else "tencoquan.tentinh.gov.vn"
    return failed(f"Tên miền {host} không theo quy tắc {wanted}.", proof)
