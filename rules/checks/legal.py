"""Legal and administrative documents, their search, and legal guidance."""
from __future__ import annotations

from minhbach.rules.artifacts import Site
from minhbach.rules.extract import find_dates, find_document_numbers
from minhbach.rules.registry import Context, rule
from minhbach.rules.results import Evidence, Result, failed, passed, review
from minhbach.rules.sections import attachments, dated_section, evidence, judge_age, newest_date, not_found
from minhbach.rules.text import window

_FRESH = {"max_age_days": {"tinh": 90, "so": 90, "huyen": 90, "xa": 180, "default": 180}}


@rule("LD01", "legal_documents", "Văn bản quy phạm pháp luật, văn bản chỉ đạo điều hành",
      "Legal and administrative documents", catalogue_id="LEGAL-DOCS", options=_FRESH,
      citations=["ND43-2011 Điều 10.1.e, 17.1.c", "TCTT-2016 Điều 17.1.a, 19.1.a", "ND224-2026 Điều 9.1.d"],
      topics=("legal_documents",), version=2)
def legal_documents(site: Site, ctx: Context) -> Result:
    """What: a documents section ("Văn bản", "Văn bản QPPL", "Văn bản chỉ đạo điều hành") that
    lists documents with their number and symbol (số ký hiệu), a date, and a downloadable file;
    its newest date no older than the rubric's `max_age_days`.

    Why: NĐ 43/2011 Điều 10.1.e requires type, issuer, số ký hiệu, dates, summary and a file for
    every document; the access-to-information law (Điều 17.1.a, 19.1.a) keeps that duty today.

    Good: a table "Số ký hiệu · Ngày ban hành · Trích yếu · Tải về" with `27/2026/QĐ-UBND`.
    Bad: no documents section; a list of bare attachments "Tệp đính kèm 1, 2, 3" (needs review:
    the numbers may be inside the PDFs); an image banner "Văn bản pháp quy" only.

    A section that lists only files ("Tệp đính kèm 1") is judged by the files themselves: the
    crawl reads the documents of disclosure sections, and the number and issue date are taken
    from their text. A scanned PDF has no text: "tài liệu dạng ảnh", for an officer, never a fail.

    Limits: a listing without numbers or files is sent for review, not failed, because it may
    still be a genuine (poorly described) documents list; old .doc files are not read.
    """
    pages = site.pages_about("legal_documents")
    if not pages:
        return not_found(site, ("legal_documents",), "mục văn bản")
    numbered = [(page, number) for page in pages for number in find_document_numbers(page.text)[:1]]
    files = attachments(pages) + [d.url for d in site.documents_about("legal_documents")]
    newest = newest_date(pages, ctx.audit_date)
    # what the month's report says of the section (data/monthly_items.yaml, item 2)
    counted = dict(numbered=len({n for page in pages for n in find_document_numbers(page.text)}),
                   files=len(set(files)), newest=newest[0].isoformat() if newest else None)
    if not numbered and files:  # only files listed: what they say
        read = [d for d in site.documents_at(files) if d.text_status in ("text", "image")]
        from_files = _numbered_files(read, ctx.audit_date)
        if from_files is not None:
            document, number, when = from_files
            snippet = window(document.text, max(0, document.text.find(number)))
            return judge_age(ctx, when, Evidence(url=document.url, snippet=snippet,
                                                 value=number, date=when, stored_copy=document.sha256),
                             "văn bản (đọc từ tệp)").with_facts(**counted)
        if read and all(d.text_status == "image" for d in read):
            return review(f"Mục văn bản chỉ có tệp dạng ảnh ({len(read)} tệp, tài liệu dạng ảnh): cần cán bộ "
                          "đọc số ký hiệu và ngày ban hành.",
                          Evidence(url=read[0].url, stored_copy=read[0].sha256)).with_facts(**counted)
    if numbered and newest and files:
        when, page = newest
        number_page, number = numbered[0]
        return judge_age(ctx, when, evidence(number_page, number, number, when), "văn bản").with_facts(**counted)
    if numbered or files or newest:
        have = [name for name, ok in (("số ký hiệu", numbered), ("ngày", newest), ("tệp tải về", files)) if ok]
        return review(f"Có mục văn bản nhưng chỉ có {', '.join(have)}; cần kiểm tra văn bản có đủ số ký hiệu, "
                      "ngày ban hành và tệp.", evidence(pages[0], "", files[0] if files else "")).with_facts(**counted)
    return failed("Mục văn bản không liệt kê văn bản nào.", evidence(pages[0]), partial=True).with_facts(**counted)


@rule("LD02", "legal_documents", "Công cụ tìm kiếm văn bản", "Document search",
      catalogue_id="LEGAL-DOCS", citations=["ND43-2011 Điều 10.1.e"],
      topics=("legal_documents",), terms=("document_search",), version=2)
def document_search(site: Site, ctx: Context) -> Result:
    """What: a search form on the documents section whose fields are about documents (số ký
    hiệu, trích yếu, loại văn bản, cơ quan ban hành, ngày ban hành).

    Why: NĐ 43/2011 Điều 10.1.e: "có chức năng tìm kiếm văn bản".

    Good: "Số ký hiệu [   ] Trích yếu [   ] [Tìm kiếm văn bản]" above the documents table.
    Bad: only the site-wide search box in the header.

    Limits: the form is not submitted (rules never touch the network).
    """
    pages = site.pages_about("legal_documents")
    if not pages:
        return not_found(site, ("legal_documents",), "mục văn bản")
    for page in pages:
        for form in page.forms:
            terms = site.index.terms_of(form, "document_search")
            if terms:
                return passed("Mục văn bản có biểu mẫu tìm kiếm văn bản.", evidence(page, terms[0]))
    return failed("Mục văn bản không có công cụ tìm kiếm văn bản.", evidence(pages[0]))


@rule("LG01", "legal_guidance", "Phổ biến, giáo dục, hướng dẫn thực hiện pháp luật",
      "Legal dissemination and guidance", catalogue_id="LEGAL-GUIDE", options={"max_age_days": 180},
      citations=["ND43-2011 Điều 10.1.d, 17.1.b", "TCTT-2016 Điều 17.1.b, 19.1.b"],
      topics=("legal_guidance",), version=2)
def legal_guidance(site: Site, ctx: Context) -> Result:
    """What: a "Phổ biến, giáo dục pháp luật" / "Chính sách mới" section with dated items, the
    newest no older than the rubric's `max_age_days`.

    Why: NĐ 43/2011 Điều 10.1.d (deadline: 15 working days after a law is issued, Điều 17.1.b).

    Good: "Hướng dẫn thực hiện Luật Tiếp cận thông tin" dated two weeks ago.
    Bad: no such section.

    Limits: the 15-working-day deadline runs from the law's issue date, which the page rarely
    shows; freshness is judged on the newest item instead.
    """
    return dated_section(site, ctx, ("legal_guidance",), "mục phổ biến pháp luật")


def _numbered_files(documents, audit_date):
    """(document, its number, its newest date up to the audit date) of the newest read document
    that carries both, or None."""
    best = None
    for document in documents:
        numbers = find_document_numbers(document.text)
        dates = [d for d in find_dates(document.text) if d <= audit_date]
        if numbers and dates and (best is None or max(dates) > best[2]):
            best = (document, numbers[0], max(dates))
    return best
