"""The agency registry: every bad input gets one clear line, and nothing is stored from it."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from minhbach.audit.registry.agencies import RegistryError, import_registry, parse_registry
from minhbach.audit.store.models import Agency, AgencyVersion
from tests.support.cli import run_cli
from tests.support.paths import ROOT
from tests.support.stores import current_sessions

# What the errors say, in their English source (users read them in Vietnamese: tests/test_i18n.py).
pytestmark = pytest.mark.usefixtures("english")

HEADER = "code,name,level,province,parent_code,portal_url\n"
GOOD = HEADER + "ubnd,UBND tỉnh Hòa Sơn,tinh,Hòa Sơn,,https://hoason.gov.vn/\n" \
                "stc,Sở Tài chính,so,Hòa Sơn,ubnd,https://stc.hoason.gov.vn/\n"


def write(tmp_path: Path, text: str, name: str = "agencies.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("row, expected", [
    ("x1,Sở A,so,Hòa Sơn,,hoason.gov.vn", ":3: portal_url: bad URL 'hoason.gov.vn' (needs http:// or https:// and a host)"),
    ("x1,Sở A,so,Hòa Sơn,,ftp://a.gov.vn/", ":3: portal_url: bad URL 'ftp://a.gov.vn/'"),
    ("ubnd,Sở A,so,Hòa Sơn,,https://a.gov.vn/", ":3: code: duplicate code 'ubnd' (first on line 2)"),
    ("x1,Sở A,bo,Hòa Sơn,,https://a.gov.vn/", ":3: level: unknown level 'bo' (use tinh | so | huyen | xa | khac)"),
    ("x1,Sở A,so,Hòa Sơn,nobody,https://a.gov.vn/", ":3: parent_code: unknown parent 'nobody'"),
    ("x1,,so,Hòa Sơn,,https://a.gov.vn/", ":3: name: empty name"),
    (",Sở A,so,Hòa Sơn,,https://a.gov.vn/", ":3: code: empty code"),
])
def test_each_bad_row_is_named_by_line_and_field(tmp_path, row, expected):
    path = write(tmp_path, HEADER + "ubnd,UBND tỉnh,tinh,Hòa Sơn,,https://hoason.gov.vn/\n" + row + "\n")
    with pytest.raises(RegistryError) as error:
        parse_registry(path)
    assert len(error.value.problems) == 1
    assert error.value.problems[0].startswith(str(path) + ":")
    assert expected in error.value.problems[0]


def test_optional_fields_are_checked(tmp_path):
    path = write(tmp_path, HEADER.strip() + ",max_pages,render,obey_robots\n"
                 "a,Sở A,so,Hòa Sơn,,https://a.gov.vn/,zero,pdf,maybe\n")
    problems = pytest.raises(RegistryError, parse_registry, path).value.problems
    assert [p.split(": ", 2)[1] for p in problems] == ["max_pages", "render", "obey_robots"]


def test_missing_column_and_non_utf8_are_one_line(tmp_path):
    path = write(tmp_path, "code,name,level\nx,y,so\n")
    assert pytest.raises(RegistryError, parse_registry, path).value.problems == [
        f"{path}:1: header: missing column(s) province, parent_code, portal_url"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "a,Sở,so,Hòa Sơn,,https://a.gov.vn/\n").encode("utf-16"))
    assert "not UTF-8" in pytest.raises(RegistryError, parse_registry, latin).value.problems[0]


def test_hostile_files_are_one_line_each(tmp_path):
    """A folder, a repeated column, a NUL byte, a 200 KB cell, a control character: one line, no traceback."""
    assert pytest.raises(RegistryError, parse_registry, tmp_path).value.problems == [
        f"{tmp_path}: is a folder; give the CSV file inside it"]
    cases = {
        "repeated.csv": (HEADER.strip() + ",code\nx,Sở A,so,Hòa Sơn,,https://a.gov.vn/,y\n",
                         ":1: header: column(s) code appear more than once"),
        "nul.csv": (HEADER + "x,Sở\x00A,so,Hòa Sơn,,https://a.gov.vn/\n",
                    ":2: (file): contains a NUL byte; this is not a text CSV file"),
        "huge.csv": (HEADER + "x," + "A" * 200_000 + ",so,Hòa Sơn,,https://a.gov.vn/\n",
                     ":2: (file): field larger than field limit"),
        "long.csv": (HEADER + "x," + "A" * 5000 + ",so,Hòa Sơn,,https://a.gov.vn/\n",
                     ":2: name: 5000 characters; at most 2000"),
        "control.csv": (HEADER + "x,Sở\x01A,so,Hòa Sơn,,https://a.gov.vn/\n", ":2: name: contains a control character"),
    }
    for name, (text, expected) in cases.items():
        path = write(tmp_path, text, name)
        problems = pytest.raises(RegistryError, parse_registry, path).value.problems
        assert len(problems) == 1 and problems[0].startswith(f"{path}{expected}"), problems


def test_reimport_changes_nothing_and_a_changed_row_keeps_history(tmp_path, data_dir):
    sessions = current_sessions()
    path = write(tmp_path, GOOD)
    with sessions() as session:
        first = import_registry(session, path)
        again = import_registry(session, path)
    assert sorted(first.added) == ["stc", "ubnd"] and again.unchanged == ["ubnd", "stc"]
    write(tmp_path, GOOD.replace("Sở Tài chính", "Sở Tài chính tỉnh Hòa Sơn"))
    with sessions() as session:
        changed = import_registry(session, path)
        agency = session.scalar(select(Agency).where(Agency.code == "stc"))
        versions = [v.data["name"] for v in agency.history]
    assert changed.updated == ["stc"] and agency.version == 2
    assert versions == ["Sở Tài chính", "Sở Tài chính tỉnh Hòa Sơn"]


def test_cli_bad_file_stores_nothing_and_keeps_what_was_there(tmp_path, data_dir):
    good = write(tmp_path, GOOD)
    assert run_cli("agencies", "import", str(good)).returncode == 0
    bad = write(tmp_path, GOOD + "x1,Sở X,so,Hòa Sơn,,not-a-url\nx2,,so,Hòa Sơn,,https://x.gov.vn/\n", "bad.csv")
    result = run_cli("agencies", "import", str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"{bad}:4: portal_url: bad URL 'not-a-url' (needs http:// or https:// and a host)"
    assert lines[1] == f"{bad}:5: name: empty name"
    assert lines[2] == "2 problems; nothing was imported."
    with current_sessions()() as session:
        assert session.scalar(select(func.count(Agency.id))) == 2
        assert session.scalar(select(func.count(AgencyVersion.id))) == 2
    listing = run_cli("agencies", "list")
    assert "Sở Tài chính" in listing.stdout and "x1" not in listing.stdout


def test_example_registry_is_valid():
    assert len(parse_registry(ROOT / "data" / "agencies.example.csv")) >= 3
    assert len(parse_registry(ROOT / "data" / "demo" / "agencies.csv")) >= 8


def test_agencies_stop_restart_and_merge_without_losing_history(tmp_path, data_dir):
    from tests.support.sites import LoopbackSite, html

    site = LoopbackSite({"/": html("<p>Trang chủ</p>")})
    text = HEADER + f"a,Sở A,so,Hòa Sơn,,{site.base}/\nb,Sở B,so,Hòa Sơn,,{site.base}/b/\nc,Sở C,so,Hòa Sơn,,{site.base}/c/\n"
    path = write(tmp_path, text)
    try:
        assert run_cli("agencies", "import", str(path)).returncode == 0
        merged = run_cli("agencies", "merge", "--into", "a", "b", "--reason", "Nghị quyết sáp nhập 2025")
        assert merged.returncode == 0 and "b: Merged into a" in merged.stdout
        assert run_cli("agencies", "deactivate", "c", "--reason", "cổng đóng").returncode == 0
        unknown = run_cli("agencies", "deactivate", "zz")
        assert unknown.returncode == 2 and unknown.stderr.strip() == "error: unknown agency 'zz' (see `minhbach agencies list`)"
        assert run_cli("agencies", "import", str(path)).returncode == 0  # re-import changes no state
        crawl = run_cli("crawl", "--allow-private")
        assert crawl.returncode == 0, crawl.stderr
        with current_sessions()() as session:
            from minhbach.audit.store.models import SiteCrawl

            crawled = {s.agency.code for s in session.scalars(select(SiteCrawl))}
            b = session.scalar(select(Agency).where(Agency.code == "b"))
            versions = session.scalar(select(func.count(AgencyVersion.id)).where(AgencyVersion.agency_id == b.id))
        assert crawled == {"a"}  # only active agencies are crawled
        assert (b.active, b.replaced_by, versions) == (False, "a", 2)
        assert run_cli("agencies", "activate", "c").returncode == 0
        listed = run_cli("agencies", "list").stdout
        assert "Merged into a" in listed and listed.count("Followed") == 2
    finally:
        site.close()
