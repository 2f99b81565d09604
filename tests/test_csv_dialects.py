"""CSV files in one language per file and one number form, as a spreadsheet opens them: the
semicolon dialect opens with typed numbers in a spreadsheet set to Vietnamese (decimal comma),
the comma dialect in one set to English; both read back through LibreOffice's CSV import."""
import sqlite3

import pytest

from tests.support.cli import run_cli
from tests.support.office import EN_US, VI_VN, open_csv

MONTH = "2026-11"
pytestmark = pytest.mark.slow   # LibreOffice converts every file (make test-fast leaves it out)


@pytest.mark.parametrize(("dialect", "separator", "locale"), [("semicolon", ";", VI_VN), ("comma", ",", EN_US)])
def test_scores_open_as_numbers_in_the_readers_spreadsheet(demo_store, tmp_path, dialect, separator, locale):
    out = tmp_path / "diem.csv"
    assert run_cli("export", "--out", str(out), "--csv-dialect", dialect).returncode == 0
    rows = open_csv(out, tmp_path / "lo", separator, locale)
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    score, coverage = header.index("Điểm"), header.index("Độ bao phủ (%)")
    assert isinstance(body["stc-hs"][score], float) and body["stc-hs"][score] == pytest.approx(75.6, abs=0.05)
    assert body["stc-hs"][coverage] == pytest.approx(97.1)  # one decimal, as in every file
    assert body["sgddt-hs"][score] is None  # not scored: empty, never 0


def test_the_month_in_the_semicolon_dialect(demo_store, tmp_path, monkeypatch):
    config = tmp_path / "minhbach.toml"
    config.write_text('[report]\ncsv_dialect = "semicolon"\n', encoding="utf-8")
    monkeypatch.setenv("MINHBACH_CONFIG", str(config))
    assert run_cli("monthly", "--month", MONTH, "--out", str(tmp_path / "out")).returncode == 0
    path = tmp_path / "out" / "bao-cao-thang-2026-11.csv"
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("STT;Mã;")
    rows = open_csv(path, tmp_path / "lo", ";", VI_VN)
    header, body = rows[0], {row[1]: row for row in rows[1:]}
    assert body["stc-hs"][header.index("9. Điểm chất lượng website")] == pytest.approx(75.6, abs=0.05)
    assert body["stc-hs"][header.index("Độ bao phủ (%)")] == pytest.approx(97.1)


def test_the_changes_csv_speaks_one_language_or_gives_the_keys(demo_store, tmp_path):
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    with db:  # a second audit in which one finding of stc-hs failed
        db.execute("delete from monthly_reports")
    assert run_cli("audit", "--date", "2026-11-22").returncode == 0
    with db:
        db.execute("update findings set outcome = 'fail' where rule_code = 'HL01' and audit_run_id = "
                   "(select max(id) from audit_runs) and agency_id = (select id from agencies where code = 'stc-hs')")
    people, keys = tmp_path / "thay-doi.csv", tmp_path / "changes.csv"
    assert run_cli("diff", "--format", "csv", "--out", str(people)).returncode == 0
    assert run_cli("diff", "--format", "csv", "--keys", "--out", str(keys)).returncode == 0
    header, *rows = [line.split(",") for line in people.read_text(encoding="utf-8-sig").splitlines()]
    assert header == ["Mã cơ quan", "Mã tiêu chí", "Nhóm", "Trước", "Sau", "Thay đổi", "Thay đổi do"]
    assert ["stc-hs", "HL01", "Đường dây nóng", "Đạt", "Không đạt", "Giảm", "Trang web"] in rows
    header, *rows = [line.split(",") for line in keys.read_text(encoding="utf-8-sig").splitlines()]
    assert header == ["agency_code", "rule_code", "family", "before", "after", "change", "cause"]
    assert ["stc-hs", "HL01", "hotline", "pass", "fail", "regression", "site"] in rows
