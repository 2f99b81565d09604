"""Site functions: search, sitemap, HTTPS."""
from __future__ import annotations

from urllib.parse import urlsplit

from minhbach.rules.artifacts import Site
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, failed, passed, review


@rule("ST01", "site", "Chức năng tìm kiếm", "Site search", catalogue_id="SEARCH",
      citations=["ND43-2011 Điều 15.1.a", "ND64-2007 Điều 20.2.c"],
      terms=("search",), version=2)
def search(site: Site, ctx: Context) -> Result:
    """What: a search form on the home page (a text field with "Tìm kiếm", "Từ khóa" or a
    search action).

    Why: NĐ 43/2011 Điều 15.1.a makes search a basic function of every portal.

    Good: `<form action="/tim-kiem"><input name="q" placeholder="Tìm kiếm...">`.
    Bad: no search box.

    Limits: the form is not submitted, so whether results come back is not checked.
    """
    home = site.home
    if home is None:
        return failed("Không có trang chủ.")
    for form in home.forms:
        terms = site.index.terms_of(form, "search")
        if terms:
            return passed("Trang chủ có ô tìm kiếm.", Evidence(url=home.url, snippet=terms[0],
                                                               stored_copy=home.source.sha256))
    return failed("Trang chủ không có ô tìm kiếm.", Evidence(url=home.url, stored_copy=home.source.sha256))


@rule("ST02", "site", "Sơ đồ cổng thông tin (HTML và sitemap.xml)", "HTML and XML sitemap",
      catalogue_id="SITEMAP", citations=["TT32-2017 Điều 16.3.a, 16.4.b"],
      topics=("sitemap",), version=2)
def sitemap(site: Site, ctx: Context) -> Result:
    """What: a "Sơ đồ cổng / Sơ đồ trang" link on the home page and a `/sitemap.xml` file.

    Why: TT 32/2017 Điều 16 asks for a sitemap as an HTML tree for people and an XML file for
    search engines.

    Good: both. Partial: one of them.
    Bad: neither.

    Limits: a sitemap announced only in robots.txt at another address is not looked for.
    """
    html_links = site.links_about("sitemap")
    xml = [p for p in site.pages if urlsplit(p.url).path.endswith("sitemap.xml") and p.source.status < 400]
    if html_links and xml:
        page, link = html_links[0]
        return passed("Có sơ đồ cổng và tệp sitemap.xml.",
                      Evidence(url=link.url, snippet=link.text, value=xml[0].url, stored_copy=page.source.sha256))
    if html_links or xml:
        missing = "tệp sitemap.xml" if html_links else "trang sơ đồ cổng"
        url = html_links[0][1].url if html_links else xml[0].url
        return failed(f"Thiếu {missing}.", Evidence(url=url), partial=True)
    return failed("Không có sơ đồ cổng hay sitemap.xml.")


TLS_VI = {
    "self_signed": "chứng chỉ tự ký, trình duyệt sẽ cảnh báo không an toàn",
    "expired": "chứng chỉ đã hết hạn hoặc chưa có hiệu lực",
    "wrong_host": "chứng chỉ cấp cho tên miền khác",
    "untrusted": "chứng chỉ không do tổ chức được tin cậy cấp",
}


@rule("ST03", "site", "Kết nối HTTPS với chứng chỉ hợp lệ", "HTTPS with a valid certificate",
      catalogue_id="TLS-IPV6", citations=["TT32-2017 Điều 15.4, 20", "ND224-2026 Điều 11.4"], version=2)
def https_certificate(site: Site, ctx: Context) -> Result:
    """What: the home page is served over HTTPS, and its certificate passes a browser's checks
    (issued by a trusted authority, within its dates, for the site's host name).

    Why: TT 32/2017 Điều 20 asks for HTTPS on public-service pages, and NĐ 224/2026 Điều 11.4
    for secure connections; a certificate a browser warns about teaches citizens to click
    through warnings.

    Good: `https://` with a valid certificate.
    Bad: plain `http://`; a self-signed, expired or wrong-host certificate.

    Limits: the check is made once, on the address the crawl connected to; a certificate
    that could not be checked at all (no handshake) is left for review. The crawl still reads
    a site with a bad certificate.
    """
    home = site.home
    url = home.url if home else site.home_url
    if not site.tls_status:
        return failed("Cổng không dùng HTTPS.", Evidence(url=url))
    if site.tls_status == "valid":
        return passed("Cổng dùng HTTPS với chứng chỉ hợp lệ.", Evidence(url=url, value=site.tls_detail))
    if site.tls_status == "failed":
        return review(f"Không kiểm tra được chứng chỉ HTTPS ({site.tls_detail}).", Evidence(url=url))
    return failed(f"Cổng dùng HTTPS nhưng {TLS_VI.get(site.tls_status, site.tls_status)}.",
                  Evidence(url=url, value=site.tls_status, snippet=site.tls_detail[:200]))
