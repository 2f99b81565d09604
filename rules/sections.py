"""Helpers most rules share: find a disclosure section, read its items, judge freshness, and
turn what was found into evidence."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from minhbach.rules.artifacts import Page, Site, document_type
from minhbach.rules.placeholders import only_updating, placeholder_text, placeholder_title
from minhbach.rules.registry import Context
from minhbach.rules.results import Evidence, Result, failed, passed, review
from minhbach.rules.text import fold

_YEAR = re.compile(r"(?<!\d)(20\d\d|19\d\d)(?!\d)")


def evidence(page: Page, term: str = "", value: str = "", when: date | None = None) -> Evidence:
    return Evidence(url=page.url, snippet=page.snippet_around(fold(term)) if term else page.title,
                    value=value, date=when, stored_copy=page.source.sha256)


def newest_date(pages: list[Page], audit_date: date) -> tuple[date, Page] | None:
    """The newest date printed on any of the pages, ignoring dates after the audit date
    (comment deadlines, effective dates in the future, "31/12/9999") and the dates of test or
    placeholder items ("Tesn tin 1 – 25/11/2026")."""
    best = None
    for page in pages:
        if placeholder_title(page.title):
            continue
        previous = 0
        for position, found in page.dated:
            line = fold(page.text[max(previous, position - 120):position])
            previous = position
            if found > audit_date or placeholder_text(line) or (best is not None and found <= best[0]):
                continue
            best = (found, page)
    return best


def updating_only(pages: list[Page]) -> bool:
    """Every page of a section says only that it is being updated ("Đang cập nhật...")."""
    return bool(pages) and all(only_updating(fold(page.content_text)) for page in pages)


def not_found(site: Site, topics: tuple[str, ...], what: str) -> Result:
    """Nothing about the topic was crawled: linked but not reached is for an officer to check;
    not even linked from the home page is a fail."""
    links = site.links_about(*topics)
    if links:
        page, link = links[0]
        shown = link.text or link.image or link.url
        return review(f"Trang chủ có liên kết tới {what} (\u201c{shown}\u201d) nhưng trang đó chưa được "
                      "thu thập; cần kiểm tra thủ công.",
                      Evidence(url=link.url, snippet=shown, stored_copy=page.source.sha256))
    return failed(f"Không tìm thấy {what} trên cổng.")


def dated_section(site: Site, ctx: Context, topics: tuple[str, ...], what: str,
                  max_age_option: str = "max_age_days") -> Result:
    """The common shape: a section whose pages carry dated items, fresh enough for the rubric."""
    pages = site.pages_about(*topics)
    if not pages:
        return not_found(site, topics, what)
    if updating_only(pages):
        return failed(f"Có {what} nhưng chỉ ghi \u201cđang cập nhật\u201d, chưa có nội dung.", evidence(pages[0]))
    newest = newest_date(pages, ctx.audit_date)
    items = len({item.url for item in section_items(site, topics, topics)})  # for the month's report
    if newest is None:
        return failed(f"Có {what} nhưng không có mục nào ghi ngày.", evidence(pages[0]),
                      partial=True).with_facts(items=items)
    when, page = newest
    return judge_age(ctx, when, evidence(page, date_term(page, when), when.strftime("%d/%m/%Y"), when),
                     what, max_age_option).with_facts(items=items, newest=when.isoformat())


def judge_age(ctx: Context, when: date, found: Evidence, what: str, max_age_option: str = "max_age_days") -> Result:
    limit = ctx.option(max_age_option)
    age = (ctx.audit_date - when).days
    if limit is not None and age > int(limit):
        return failed(f"{what.capitalize()}: mục mới nhất ngày {when:%d/%m/%Y}, đã {age} ngày "
                      f"(giới hạn {limit} ngày).", found, partial=True)
    return passed(f"{what.capitalize()}: mục mới nhất ngày {when:%d/%m/%Y}.", found)


def date_term(page: Page, when: date) -> str:
    for text in (when.strftime("%d/%m/%Y"), f"{when.day}/{when.month}/{when.year}"):
        if text in page.text:
            return text
    return ""


@dataclass(frozen=True)
class Item:
    """An entry of a disclosure list: its title, where it leads, and the year it is about."""

    title: str
    url: str
    page: Page
    year: int | None

    @property
    def folded(self) -> str:
        return fold(self.title)


def year_of(text: str) -> int | None:
    """`... năm 2026` or the last 4-digit year in a title."""
    named = re.search(r"năm\s+(\d{4})", text, re.I)
    if named:
        return int(named.group(1))
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


def section_items(site: Site, section_topics: tuple[str, ...], item_topics: tuple[str, ...]) -> list[Item]:
    """Items about `item_topics` found in a section: the titles of crawled pages about them and
    the body links of the section's pages (menus and footers are left out)."""
    wanted = set(item_topics)
    items = [Item(p.title, p.url, p, year_of(p.title)) for p in site.pages_about(*item_topics)
             if p.topics & wanted]
    for page in site.pages_about(*section_topics):
        for link in page.links:
            if link.text and site.index.topics_in(link.cue) & wanted and link.region == "body":
                items.append(Item(link.text, link.url, page, year_of(link.text)))
    return [item for item in items if not placeholder_title(item.title)  # "Tesn tin", "test 1"
            and not site.repeated(item.folded)]                         # the same item in every section


def attachments(pages: list[Page]) -> list[str]:
    return [link.url for page in pages for link in page.links
            if document_type(link.url) and link.region == "body"]
