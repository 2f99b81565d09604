"""The audit: stored crawl -> site artifacts -> every rule -> findings and scores in the store.

Rules see only what the crawl stored; the audit date comes from the caller, never the clock.
Re-auditing a crawl with the same rubric and date replaces the earlier audit, so it is repeatable.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from minhbach.audit.judge.disputes import override
from minhbach.audit.judge.rubric import Rubric
from minhbach.audit.judge.scoring import score_site
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.models import (
    Agency,
    AuditRun,
    CrawlRun,
    Document,
    Finding,
    Link,
    Page,
    Score,
    SiteCrawl,
    UnreadPage,
)
from minhbach.audit.words.i18n import _, in_language
from minhbach.audit.words.reasons import reason_text
from minhbach.rules.artifacts import DocumentRef, PageSource, Site, UnreadRef
from minhbach.rules.registry import Context, Rule, all_rules


class AuditError(ValueError):
    pass


def resolve_run(session: Session, run_id: int | None, allow_partial: bool = False) -> CrawlRun:
    if run_id is not None:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise AuditError(_("no crawl run {run_id} (see `minhbach runs`)").format(run_id=run_id))
        if run.status == "pruned":  # judged on nothing, every rule would fail
            raise AuditError(_("the pages of crawl run {run_id} were removed by the retention policy; its audits "
                               "are kept (see `minhbach runs`), but it cannot be judged again").format(
                run_id=run_id))
        if run.status != "completed" and not allow_partial:
            raise AuditError(_("crawl run {run_id} is {status}, so its sites may be incomplete; "
                               "audit it anyway with --allow-partial (what it missed is not judged)").format(
                run_id=run_id, status=run.status))
        return run
    run = session.scalar(select(CrawlRun).where(CrawlRun.status == "completed").order_by(CrawlRun.id.desc()).limit(1))
    if run is None:
        raise AuditError(_("no completed crawl to audit: run `minhbach crawl` first"))
    return run


def build_site(session: Session, site_crawl: SiteCrawl, agency: Agency, bodies: BodyStore) -> Site:
    pages = session.execute(
        select(Page.requested_url, Page.final_url, Page.http_status, Page.content_type, Page.encoding, Page.title,
               Page.sha256, Page.depth, Page.legacy_encoding)
        # depth, then address: the same site gives the same evidence however its pages arrived
        # (concurrent downloads, 304s read from the store)
        .where(Page.site_crawl_id == site_crawl.id).order_by(Page.depth, Page.final_url, Page.id)
    ).all()
    sources, home_url = [], agency.portal_url
    for row in pages:
        if row.requested_url == agency.portal_url:
            home_url = row.final_url
        sources.append(PageSource(url=row.final_url, body=b"", load_body=partial(_stored_body, bodies, row.sha256),
                                  status=row.http_status, content_type=row.content_type or "",
                                  # a legacy font encoding is read from the raw bytes, whatever
                                  # charset the crawl decoded them with
                                  encoding=row.legacy_encoding or row.encoding,
                                  title=None if row.legacy_encoding else row.title, sha256=row.sha256,
                                  depth=row.depth))
    documents = [DocumentRef(d.url, d.anchor_text, d.doc_type, text=d.text, text_status=d.text_status,
                             sha256=d.sha256) for d in session.scalars(
        select(Document).where(Document.site_crawl_id == site_crawl.id).order_by(Document.id))]
    with in_language("vi"):  # the rules write their notes in Vietnamese, and quote these reasons
        unread = [UnreadRef(u.url, u.kind, reason_text(u.reason), u.anchor_text) for u in session.scalars(
            select(UnreadPage).where(UnreadPage.site_crawl_id == site_crawl.id).order_by(UnreadPage.id))]
        crawl_reason = reason_text(site_crawl.reason)
    link_texts: dict[str, list[str]] = {}
    for url, text in session.execute(select(Page.final_url, Link.anchor_text).join(Link, Link.page_id == Page.id)
                                     .where(Page.site_crawl_id == site_crawl.id)):
        link_texts.setdefault(url, []).append(text)
    return Site(agency_code=agency.code, level=agency.level, name=agency.name, home_url=home_url,
                sources=sources, documents=documents, crawl_status=site_crawl.status,
                crawl_reason=crawl_reason, unread=unread, tls_status=site_crawl.tls_status,
                tls_detail=site_crawl.tls_detail, stored_link_texts=link_texts)


def _stored_body(bodies: BodyStore, sha256: str) -> bytes:
    try:
        return bodies.get(sha256) if sha256 else b""
    except FileNotFoundError:   # a body store copied without some files: judge what is left
        return b""


def context_for(rule: Rule, rubric: Rubric, audit_date: date) -> Context:
    item = rubric.items.get(rule.code)
    return Context(audit_date, dict(item.options) if item else {})


class AuditBuilder:
    """One audit run written site by site: `add` judges one site of the crawl and stores its
    findings and score; the caller commits. `run_audit` adds every site of a finished crawl;
    a distributed night adds each site as soon as its crawl ends (audit/ops/cluster/)."""

    def __init__(self, session: Session, bodies: BodyStore, rubric: Rubric, audit_date: date, run: CrawlRun):
        self.session, self.bodies, self.rubric, self.audit_date = session, bodies, rubric, audit_date
        session.execute(delete(AuditRun).where(AuditRun.crawl_run_id == run.id, AuditRun.rubric_id == rubric.id,
                                               AuditRun.audit_date == audit_date))
        self.audit_run = AuditRun(crawl_run_id=run.id, rubric_id=rubric.id, rubric_version=rubric.version,
                                  audit_date=audit_date, rubric_effective=rubric.effective())
        session.add(self.audit_run)
        session.flush()
        self.rules = all_rules()

    def add(self, site_crawl: SiteCrawl, agency: Agency) -> None:
        session, rubric, audit_date, audit_run = self.session, self.rubric, self.audit_date, self.audit_run
        site = build_site(session, site_crawl, agency, self.bodies)
        outcomes, findings = {}, []
        for rule in self.rules.values():
            result = rule.evaluate(site, context_for(rule, rubric, audit_date))
            audit_run.rule_errors += result.crashed
            outcomes[rule.code] = (result.outcome.value, result.partial)
            proof = result.evidence
            findings.append(dict(
                audit_run_id=audit_run.id, agency_id=agency.id, rule_code=rule.code, rule_version=rule.version,
                family=rule.family, outcome=result.outcome.value, partial=result.partial, note=result.note,
                evidence_url=proof.url if proof else "", snippet=(proof.snippet if proof else "")[:500],
                value=proof.value if proof else "", evidence_date=proof.date if proof else None,
                stored_copy=proof.stored_copy if proof else "", override_id=None, rule_outcome="",
                facts=result.facts or None))
        if not site.reachable:
            reason = site_crawl.reason or {"kind": "no_page"}
        else:  # a partial crawl keeps its reason ("crawled in part: ...") in every report
            reason = site_crawl.reason if site_crawl.status in ("partial", "interrupted") else None
        if site.reachable:  # accepted disputes and reviews decide, while the rule says the same
            override(session, agency.id, findings, outcomes)
        scored = score_site(rubric, agency.level, outcomes, site.reachable, reason)
        # Plain table inserts: the rows are written once and never edited, so the ORM would
        # only add bookkeeping.
        session.execute(insert(cast(Table, Finding.__table__)), findings)
        session.execute(insert(cast(Table, Score.__table__)), [dict(
            audit_run_id=audit_run.id, agency_id=agency.id, total=scored.total, grade=scored.grade,
            coverage=scored.coverage, categories=scored.categories, counts=scored.counts, reason=scored.reason)])

    def add_agency(self, agency_code: str) -> None:
        site_crawl, agency = self.session.execute(
            select(SiteCrawl, Agency).join(Agency, SiteCrawl.agency_id == Agency.id)
            .where(SiteCrawl.run_id == self.audit_run.crawl_run_id, Agency.code == agency_code)).one()
        self.session.refresh(site_crawl)  # written by a worker since this session last read it
        self.add(site_crawl, agency)


def run_audit(session: Session, bodies: BodyStore, rubric: Rubric, audit_date: date, run_id: int | None = None,
              on_site: Callable[[str], None] | None = None) -> int:
    """Audit every site of a crawl run; returns the audit run's id."""
    run = resolve_run(session, run_id, allow_partial=True)  # the command line asked already
    builder = AuditBuilder(session, bodies, rubric, audit_date, run)
    sites = session.execute(select(SiteCrawl, Agency).join(Agency, SiteCrawl.agency_id == Agency.id)
                            .where(SiteCrawl.run_id == run.id).order_by(Agency.code)).all()
    for site_crawl, agency in sites:
        builder.add(site_crawl, agency)
        if on_site:
            on_site(agency.code)
    session.commit()
    return builder.audit_run.id
