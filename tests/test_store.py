"""The store on SQLite and PostgreSQL: migrations, models, and bodies kept by content hash."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.db import engine_for, open_store
from minhbach.audit.store.models import Agency, Base, CrawlRun, Document, Link, Page, SiteCrawl


def test_migrations_create_every_table_and_match_the_models(store_url):
    open_store(store_url)
    open_store(store_url)  # idempotent
    engine = engine_for(store_url)
    tables = set(inspect(engine).get_table_names())
    assert {"agencies", "agency_versions", "crawl_runs", "site_crawls", "pages", "links", "documents"} <= tables
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_a_crawl_round_trips_with_vietnamese_text(store_url):
    sessions = open_store(store_url)
    with sessions.begin() as session:
        agency = Agency(code="stc", name="Sở Tài chính tỉnh Hòa Sơn", level="so", province="Hòa Sơn",
                        portal_url="https://stc.hoason.gov.vn/")
        run = CrawlRun(settings={"page_cap": 300})
        session.add_all([agency, run])
        session.flush()
        site = SiteCrawl(run_id=run.id, agency_id=agency.id, status="ok", error_counts={"http_404": 2})
        session.add(site)
        session.flush()
        page = Page(site_crawl_id=site.id, requested_url="https://stc.hoason.gov.vn/",
                    final_url="https://stc.hoason.gov.vn/", http_status=200, sha256="ab" * 32,
                    title="Công khai ngân sách – Đường dây nóng")
        session.add(page)
        session.flush()
        session.add(Link(page_id=page.id, target_url="https://stc.hoason.gov.vn/a.pdf",
                         anchor_text="Quyết định số 26/2017/QĐ-UBND", is_document=True))
        session.add(Document(site_crawl_id=site.id, page_id=page.id, url="https://stc.hoason.gov.vn/a.pdf",
                             anchor_text="Dự toán", doc_type="pdf", size=1234))
    with sessions() as session:
        page = session.scalar(select(Page))
        assert page.title == "Công khai ngân sách – Đường dây nóng"
        assert page.links[0].anchor_text == "Quyết định số 26/2017/QĐ-UBND"
        assert page.site_crawl.error_counts == {"http_404": 2}
        assert page.site_crawl.agency.name == "Sở Tài chính tỉnh Hòa Sơn"


def test_bodies_are_compressed_and_stored_once(tmp_path):
    store = BodyStore(tmp_path)
    body = "<html>Công khai ngân sách</html>".encode() * 200
    sha = store.put(body)
    assert store.put(body) == sha
    assert store.get(sha) == body
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].stat().st_size < len(body) / 5


def test_an_older_store_with_data_upgrades_in_place(store_url):
    """A store at revision 0002 holding a crawl and an audit upgrades to the newest schema with
    every row kept (columns are added in place; no table copy that would break foreign keys)."""
    from alembic import command
    from sqlalchemy import text

    from minhbach.audit.store.db import alembic_config

    engine = engine_for(store_url)
    cfg = alembic_config(store_url)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(text("insert into agencies (code, name, level, province, portal_url, extra_hosts, render, "
                          "obey_robots, notes, version, created_at, updated_at) values ('stc', 'Sở Tài chính', 'so', "
                          "'Hòa Sơn', 'https://stc.gov.vn/', '', 'html', true, '', 1, current_timestamp, "
                          "current_timestamp)"))
        for _ in range(4):
            conn.execute(text("insert into crawl_runs (status, started_at, hostname, settings) "
                              "values ('completed', current_timestamp, '', '{}')"))
        conn.execute(text("insert into site_crawls (run_id, agency_id, status, pages_fetched, bytes_fetched, "
                          "documents_found, error_counts, reason, robots_blocked, stop_reason) "
                          "values (1, 1, 'ok', 1, 10, 0, '{}', '', 0, '')"))
        conn.execute(text("insert into site_crawls (run_id, agency_id, status, pages_fetched, bytes_fetched, "
                          "documents_found, error_counts, reason, robots_blocked, stop_reason) values (2, 1, "
                          "'partial', 1, 10, 0, '{}', 'thu thập chưa đầy đủ: 3 trang lỗi HTTP 403, 1 trang hết "
                          "thời gian chờ', 0, ''), (3, 1, 'unreachable', 0, 0, 0, '{}', 'máy chủ từ chối kết nối "
                          "(127.0.0.1:18409)', 0, ''), (4, 1, 'unreachable', 0, 0, 0, '{}', 'một lý do khác', 0, '')"))
        conn.execute(text("insert into pages (site_crawl_id, requested_url, final_url, http_status, content_type, "
                          "fetched_at, size, sha256, depth) values (1, 'https://stc.gov.vn/', 'https://stc.gov.vn/', "
                          "200, 'text/html', current_timestamp, 10, 'x', 0)"))
    sessions = open_store(store_url)
    with sessions() as session:
        agency = session.scalar(select(Agency))
        site = session.scalar(select(SiteCrawl))
        assert (agency.code, agency.active, agency.replaced_by) == ("stc", True, None)
        assert (site.status, site.tls_status, site.reason) == ("ok", "", None)
        # reasons stored as words by earlier versions are codes now (words/reasons.py), or kept whole
        assert [s.reason for s in session.scalars(select(SiteCrawl).order_by(SiteCrawl.id))][1:] == [
            {"kind": "incomplete", "missed": [["http_403", 3], ["timeout", 1]]},
            {"kind": "refused", "host": "127.0.0.1:18409"}, {"kind": "text", "text": "một lý do khác"}]
        assert session.scalar(select(Page.final_url)) == "https://stc.gov.vn/"
