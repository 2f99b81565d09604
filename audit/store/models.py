"""Typed SQLAlchemy 2.0 models. Long, narrow tables: one row per thing, never one per site.

Changing a model means adding an Alembic migration under `migrations/versions/`; a test checks
that the migrations and these models agree.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from minhbach.rules.text import fold


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class Agency(Base):
    """One agency website, as the registry CSV describes it."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(400))
    level: Mapped[str] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(64))
    portal_url: Mapped[str] = mapped_column(String(2000))
    extra_hosts: Mapped[str] = mapped_column(Text, default="")
    max_pages: Mapped[int | None] = mapped_column(Integer)
    render: Mapped[str] = mapped_column(String(8), default="html")
    obey_robots: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Agencies are never deleted (their audits are history): they stop being crawled, and may
    # have been replaced by another (the 2025 mergers).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    replaced_by: Mapped[str | None] = mapped_column(String(64))
    lifecycle_note: Mapped[str] = mapped_column(Text, default="")
    # code and name folded ("so tai chinh"): searched in the database, with or without
    # diacritics; kept by the listener below whenever either changes
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    history: Mapped[list[AgencyVersion]] = relationship(
        back_populates="agency", order_by="AgencyVersion.version"
    )


@event.listens_for(Agency, "before_insert")
@event.listens_for(Agency, "before_update")
def _fold_for_search(_mapper, _connection, agency: Agency) -> None:
    agency.search_text = fold(f"{agency.code} {agency.name}")


class AgencyVersion(Base):
    """Every state an agency's registry row has had: an import that changes a row adds one."""

    __tablename__ = "agency_versions"
    __table_args__ = (UniqueConstraint("agency_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    source_file: Mapped[str] = mapped_column(String(1000), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="history")


class CrawlRun(Base):
    """One `minhbach crawl` invocation over one or more agencies."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # running|completed|interrupted|pruned (its pages removed by the retention policy)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    pid: Mapped[int | None] = mapped_column(Integer)
    hostname: Mapped[str] = mapped_column(String(200), default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # why a run stopped before its end (e.g. the cluster's Redis was gone too long); "" otherwise
    reason: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), default=None)  # a code: words/reasons.py

    sites: Mapped[list[SiteCrawl]] = relationship(back_populates="run")


class SiteCrawl(Base):
    """One agency's site within one run: what was reached, and why not when it was not."""

    __tablename__ = "site_crawls"
    __table_args__ = (UniqueConstraint("run_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # pending|running|ok|partial|unreachable|blocked|interrupted
    status: Mapped[str] = mapped_column(String(16), default="pending")
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    bytes_fetched: Mapped[int] = mapped_column(BigInteger, default=0)
    documents_found: Mapped[int] = mapped_column(Integer, default=0)
    error_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), default=None)  # a code: words/reasons.py
    robots_blocked: Mapped[int] = mapped_column(Integer, default=0)
    stop_reason: Mapped[str] = mapped_column(String(64), default="")
    # The home page's HTTPS certificate: valid|self_signed|expired|wrong_host|untrusted|failed,
    # empty when the site is not served over https.
    tls_status: Mapped[str] = mapped_column(String(16), default="")
    tls_detail: Mapped[str] = mapped_column(Text, default="")
    # Incremental recrawl: pages the server said had not changed (304, read from the stored
    # copy), and pages the site's earlier crawl had that this one no longer found.
    pages_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    pages_disappeared: Mapped[int] = mapped_column(Integer, default=0)
    # Distributed nights (audit/ops/cluster/): each time a worker (re)starts the site, `attempt` goes
    # up and the rows of the earlier attempt go; a lost worker's late writes carry the old number
    # and are refused, so no page is stored twice. `worker` names the holder ("host:pid").
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(200), default="")

    run: Mapped[CrawlRun] = relationship(back_populates="sites")
    agency: Mapped[Agency] = relationship()
    pages: Mapped[list[Page]] = relationship(back_populates="site_crawl")


class Page(Base):
    """A fetched response. The body itself lives in the body store under `body_sha256`."""

    __tablename__ = "pages"
    __table_args__ = (Index("ix_pages_site_url", "site_crawl_id", "final_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_crawl_id: Mapped[int] = mapped_column(
        ForeignKey("site_crawls.id", ondelete="CASCADE"), index=True
    )
    requested_url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(200), default="")
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(40))
    legacy_encoding: Mapped[str | None] = mapped_column(String(16))  # tcvn3|vni, when detected
    depth: Mapped[int] = mapped_column(Integer, default=0)
    rendered: Mapped[bool] = mapped_column(Boolean, default=False)  # drawn by JavaScript in the browser
    # The server's validators, sent back on the next crawl; `carried` when this crawl got a
    # 304 and the row points at the body an earlier crawl stored.
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    carried: Mapped[bool] = mapped_column(Boolean, default=False)

    site_crawl: Mapped[SiteCrawl] = relationship(back_populates="pages")
    links: Mapped[list[Link]] = relationship(back_populates="page")


class Link(Base):
    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    target_url: Mapped[str] = mapped_column(Text)
    anchor_text: Mapped[str] = mapped_column(Text, default="")
    is_document: Mapped[bool] = mapped_column(Boolean, default=False)

    page: Mapped[Page] = relationship(back_populates="links")


class Document(Base):
    """A PDF/DOC/DOCX/XLS/XLSX (or archive) linked from a page of the site."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("site_crawl_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_crawl_id: Mapped[int] = mapped_column(
        ForeignKey("site_crawls.id", ondelete="CASCADE"), index=True
    )
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(Text)
    anchor_text: Mapped[str] = mapped_column(Text, default="")
    doc_type: Mapped[str] = mapped_column(String(16))
    size: Mapped[int | None] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(200))
    # set when the document was read (linked from a disclosure section): its stored body, its
    # text, and "text", "image" (scanned, no text layer), "unsupported" or "unreadable"
    sha256: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    text_status: Mapped[str] = mapped_column(String(16), default="")


class UnreadPage(Base):
    """A page the crawl knew of (linked, in the sitemap) but could not read: an HTTP error, a
    timeout, the time budget, robots.txt... Rules never take its section as missing."""

    __tablename__ = "unread_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_crawl_id: Mapped[int] = mapped_column(
        ForeignKey("site_crawls.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))      # http_403, timeout, time_budget, robots...
    reason: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), default=None)  # a code: words/reasons.py
    anchor_text: Mapped[str] = mapped_column(Text, default="")


class DisappearedPage(Base):
    """A page the site's earlier crawl read that this crawl no longer found (no link leads to
    it any more) or found gone (404/410)."""

    __tablename__ = "disappeared_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_crawl_id: Mapped[int] = mapped_column(
        ForeignKey("site_crawls.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # unlinked|gone
    earlier_site_crawl_id: Mapped[int] = mapped_column(Integer)


class NightlyRun(Base):
    """One `minhbach nightly`: its crawl, its audit, where it wrote, how it ended."""

    __tablename__ = "nightly_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    night: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|completed|interrupted|failed
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    pid: Mapped[int | None] = mapped_column(Integer)
    hostname: Mapped[str] = mapped_column(String(200), default="")
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    audit_run_id: Mapped[int | None] = mapped_column(ForeignKey("audit_runs.id", ondelete="SET NULL"))
    output_dir: Mapped[str] = mapped_column(Text, default="")
    exit_code: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SurveyValue(Base):
    """A survey figure an agency supplies for the monthly report (items 5, 6 and 8), imported
    with `minhbach monthly import-survey`."""

    __tablename__ = "survey_values"
    __table_args__ = (UniqueConstraint("agency_id", "month", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    month: Mapped[str] = mapped_column(String(7))      # YYYY-MM
    item: Mapped[int] = mapped_column(Integer)         # 5, 6 or 8
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    source_file: Mapped[str] = mapped_column(String(1000), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonthlyReport(Base):
    """A frozen monthly report: its content as it was published, never edited. A republish is
    a new version; earlier versions stay as they were."""

    __tablename__ = "monthly_reports"
    __table_args__ = (UniqueConstraint("month", "province", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    province: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    audit_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)   # {"audits": [ids]}
    rubric_id: Mapped[str] = mapped_column(String(64))
    rubric_version: Mapped[str] = mapped_column(String(32))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_sha256: Mapped[str] = mapped_column(String(64))


class User(Base):
    """A dashboard account: admin, inspector, or agency (reads its own agency and its children)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin|inspector|agency
    agency_code: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token for the read-only JSON API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # what the token may read, as a user of that role would (an agency token: its agency)
    role: Mapped[str] = mapped_column(String(16), default="inspector")
    agency_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser. The cookie carries only a random id, whose SHA-256 is kept here, so
    logging out, a password change, a disabled account or an administrator's "sign out
    everywhere" ends the session on the server, whatever copy of the cookie exists."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None]


class Dispute(Base):
    """An agency contesting a finding, or an inspector settling a "needs review" one. Accepted,
    its outcome replaces the rule's in later audits for as long as the rule itself still says
    what it said when the dispute was raised."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    rule_code: Mapped[str] = mapped_column(String(16))
    audit_run_id: Mapped[int] = mapped_column(ForeignKey("audit_runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))           # dispute|review
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|accepted|rejected|expired
    rule_outcome: Mapped[str] = mapped_column(String(16))    # what the rule said when raised
    rule_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # ...and its version (0: unknown)
    note: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16), default="")   # the decided outcome, when accepted
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None]


class DisputeEvent(Base):
    """The audit trail of a dispute: who did what when, with the state before and after."""

    __tablename__ = "dispute_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(16))  # opened|commented|accepted|rejected|expired
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


class AuditRun(Base):
    """One `minhbach audit`: a rubric applied to one crawl on one audit date. Re-auditing the
    same crawl with the same rubric and date replaces it, so the result is reproducible."""

    __tablename__ = "audit_runs"
    __table_args__ = (UniqueConstraint("crawl_run_id", "rubric_id", "audit_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    rubric_id: Mapped[str] = mapped_column(String(64))
    rubric_version: Mapped[str] = mapped_column(String(32))
    audit_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the rubric's dates as they were ({"from": ISO or None, "until": ...}): every report warns
    # when the audit date lies outside them
    rubric_effective: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # rules that crashed while judging this audit (their findings are `error`; the log has why)
    rule_errors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    findings: Mapped[list[Finding]] = relationship(back_populates="audit_run", cascade="all, delete-orphan",
                                                     passive_deletes=True)
    scores: Mapped[list[Score]] = relationship(back_populates="audit_run", cascade="all, delete-orphan",
                                                 passive_deletes=True)


class Finding(Base):
    """One rule's outcome for one agency, with the evidence behind it."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("audit_run_id", "agency_id", "rule_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_run_id: Mapped[int] = mapped_column(ForeignKey("audit_runs.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    rule_code: Mapped[str] = mapped_column(String(16))
    rule_version: Mapped[int] = mapped_column(Integer)
    family: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))  # pass|fail|not_applicable|needs_review|error
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(Text, default="")
    snippet: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[str] = mapped_column(Text, default="")
    evidence_date: Mapped[date | None] = mapped_column(Date)
    stored_copy: Mapped[str] = mapped_column(String(64), default="")  # sha256 of the stored body
    # what the rule counted and dated (items, newest date, period...): reports read it here
    facts: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), default=None)
    # Set when an accepted dispute or review decided the outcome; `rule_outcome` keeps what the
    # rule itself said.
    override_id: Mapped[int | None] = mapped_column(Integer)
    rule_outcome: Mapped[str] = mapped_column(String(16), default="")

    audit_run: Mapped[AuditRun] = relationship(back_populates="findings")
    agency: Mapped[Agency] = relationship()


class Score(Base):
    """One agency's score under one audit. `total` is NULL when the site could not be judged."""

    __tablename__ = "scores"
    # (the overview sorts and pages an audit's scores in the database)
    __table_args__ = (UniqueConstraint("audit_run_id", "agency_id"),
                      Index("ix_scores_audit_total", "audit_run_id", "total"))

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_run_id: Mapped[int] = mapped_column(ForeignKey("audit_runs.id", ondelete="CASCADE"), index=True)
    # an agency's history reads its scores across every audit
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(32), default="")
    coverage: Mapped[float] = mapped_column(Float, default=0.0)
    categories: Mapped[dict[str, Any]] = mapped_column(default=dict)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), default=None)  # a code: words/reasons.py

    audit_run: Mapped[AuditRun] = relationship(back_populates="scores")
    agency: Mapped[Agency] = relationship()


class RubricChoice(Base):
    """The rubric an administrator chose in the dashboard for the audits to come ("" = none: the
    settings file, then the rubric in force, decide). The newest row is the choice; the others
    are its history."""

    __tablename__ = "rubric_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[str] = mapped_column(String(64), default="")
    chosen_by: Mapped[str] = mapped_column(String(64))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
