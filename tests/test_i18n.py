"""One language for people: every message has its Vietnamese, the compiled catalogues match their
sources, nothing a person reads is left in code outside the catalogues, and MINHBACH_LANG=en
switches the command line, the dashboard and the e-mail to English."""
from __future__ import annotations

import ast
import gettext
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from minhbach.audit.words.i18n import LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]
VI_PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / "minhbach.po"
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _key(message_id):
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def _text(string):
    return tuple(string) if isinstance(string, (tuple, list)) else (string,)


def _extracted() -> set[str]:
    """Every message the code and templates (and click, whose words we show) ask for."""
    found = set()
    for folder in (ROOT / "audit", ROOT / "crawler", ROOT / "rules", Path(click.__file__).parent):
        for _file, _line, message, _comments, _context in extract_from_dir(folder, METHODS):
            found.add(_key(message))
    return found


def _catalogue(lang: str):
    return read_po((LOCALE_DIR / lang / "LC_MESSAGES" / "minhbach.po").open("rb"), locale=lang)


def test_every_message_has_its_vietnamese():
    catalogue = _catalogue("vi")
    translated = {_key(m.id): m for m in catalogue if m.id}
    missing = sorted(_extracted() - set(translated))
    assert not missing, f"not in {VI_PO.name}; run `make catalogues` and translate: {missing[:10]}"
    empty = sorted(key for key, m in translated.items()
                   if not (all(m.string) if isinstance(m.string, tuple) else m.string) or m.fuzzy)
    assert not empty, f"no Vietnamese (or fuzzy) in {VI_PO}: {empty[:10]}"


def test_translations_keep_their_placeholders_and_are_nfc():
    for message in _catalogue("vi"):
        if not message.id:
            continue
        source, text = _key(message.id), (message.string[0] if isinstance(message.string, tuple) else message.string)
        assert unicodedata.is_normalized("NFC", text), source
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(re.findall(r"%\(\w+\)s|\{\w+[^{}]*\}", s) for s in sources))
        assert set(re.findall(r"%\(\w+\)s|\{\w+[^{}]*\}", text)) <= wanted, source
        if "python-format" in message.flags:  # every %(name)s the code passes, none it does not
            assert set(re.findall(r"%\(\w+\)s", text)) == set(re.findall(r"%\(\w+\)s", sources[0])), source


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compiled_catalogues_match_their_sources(lang):
    """What gettext reads (the .mo) says what the catalogue (the .po) says, for every message."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    with (folder / "minhbach.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for message in read_po((folder / "minhbach.po").open("rb")):
        if not message.id:
            continue
        source, wanted = _key(message.id), _text(message.string)[0]
        if compiled.gettext(source) != (wanted if wanted and not message.fuzzy else source):
            stale.append(source)
    assert not stale, f"{folder / 'minhbach.mo'} is out of date: run `make catalogues` ({stale[:5]})"


def _literals_outside_gettext(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrapped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_", "N_", "ngettext"):
            wrapped.update(id(n) for arg in node.args for n in ast.walk(arg))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [f"{path.name}:{node.lineno}: {node.value[:60]!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VIETNAMESE.search(node.value)
            and id(node) not in wrapped and id(node) not in docstrings]


def test_no_vietnamese_left_in_the_commands_and_the_dashboard():
    """The words of the command line and the dashboard come from the catalogue; a Vietnamese
    literal there would stay Vietnamese under MINHBACH_LANG=en. (Rule notes, rule titles and the
    monthly report, a Vietnamese official document, are Vietnamese by design.)"""
    files = [path for path in (ROOT / "audit").rglob("*.py")
             if not any(path.is_relative_to(ROOT / "audit" / folder) for folder in NOT_WORDS_FOLDERS)]
    leaks = [leak for path in files for leak in _literals_outside_gettext(path)
             if not leak.startswith(DATA_NOT_WORDS)]
    assert not leaks, leaks


NOT_WORDS_FOLDERS = (
    "reports/monthly",   # the monthly report: an official Vietnamese document
    "ops/demo",          # the demo province's portals: fictional Vietnamese web pages
    "store/migrations",  # what earlier versions stored, as they stored it
)
DATA_NOT_WORDS = (
    "demo.py",      # the demo province's own name, Hòa Sơn
    "parse.py",     # "có" / "không": what a registry CSV may say in its yes/no column
    "sheets.py",    # column widths of the monthly workbook, a Vietnamese document, by its headers
    "publish.py",   # the default issuer of the monthly report
)


def test_templates_have_no_text_outside_gettext():
    for path in (ROOT / "audit" / "web" / "templates").glob("*.html"):
        text = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
        words = re.sub(r"<[^>]+>", " ", text)
        left = [w for w in re.findall(r"[^\W\d_]{2,}", words) if w not in ("minh", "bạch", "XLSX", "DOCX", "CSV",
                                                                          "SHA", "https", "minhbach", "monthly",
                                                                          "month", "YYYY", "MM")]
        assert not left, f"{path.name}: {left[:8]}"


def _cli(*args, lang: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("MINHBACH_LANG", None)
    if lang:
        env["MINHBACH_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "minhbach.audit.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_command_line_in_vietnamese_by_default_and_english_on_request(tmp_path):
    vi, en = _cli("audit", "--help"), _cli("audit", "--help", lang="en")
    assert "Cách dùng:" in vi.stdout and "Đánh giá một lượt thu thập" in vi.stdout and "Tùy chọn:" in vi.stdout
    assert "Usage:" in en.stdout and "Judge a stored crawl" in en.stdout and not VIETNAMESE.search(en.stdout)
    bad_vi, bad_en = _cli("audit", "--bogus"), _cli("audit", "--bogus", lang="en")
    assert "Không có tùy chọn '--bogus'" in bad_vi.stderr and bad_vi.returncode == 2
    assert "No such option: --bogus" in bad_en.stderr or "No such option '--bogus'" in bad_en.stderr
    env_dir = {"MINHBACH_DATA_DIR": str(tmp_path)}
    os.environ.update(env_dir)
    try:
        vi_error = _cli("report", "--audit", "7")
        en_error = _cli("report", "--audit", "7", lang="en")
    finally:
        del os.environ["MINHBACH_DATA_DIR"]
    assert vi_error.stderr.strip() == "lỗi: không có lượt đánh giá 7"
    assert en_error.stderr.strip() == "error: no audit 7"


def test_unknown_language_falls_back_to_vietnamese(monkeypatch):
    from minhbach.audit.words.i18n import _, language

    for value, expected in (("en_US.UTF-8", "en"), ("EN", "en"), ("fr", "vi"), ("", "vi")):
        monkeypatch.setenv("MINHBACH_LANG", value)
        assert language() == expected
    monkeypatch.setenv("MINHBACH_LANG", "vi")
    assert _("Coverage") == "Bao phủ"


def test_dashboard_follows_the_language(web, monkeypatch):
    from tests.support.web import login

    client, _token, _sha = web
    login(client)
    page = client.get("/").text
    assert "Tổng quan" in page and "Bao phủ" in page and '<html lang="vi">' in page
    monkeypatch.setenv("MINHBACH_LANG", "en")
    page = client.get("/").text
    assert '<html lang="en">' in page and ">Coverage<" in page and "Overview" in page
    # the data may be Vietnamese (names, grades, the rubric's category titles); the page's own words not
    chrome = re.sub(r"<td[^>]*>.*?</td>|<option[^>]*>.*?</option>|<th[^>]*cat[^>]*>.*?</th>|minh bạch", "", page,
                    flags=re.S)
    assert not VIETNAMESE.search(chrome), chrome[max(0, VIETNAMESE.search(chrome).start() - 80):][:160]
    assert "Province" in client.get("/agency/ubnd-hs").text or "Department" in client.get("/registry").text


def test_night_email_in_english(monkeypatch):
    from datetime import date

    from minhbach.audit.ops.notify import NightChanges, email_text, subject

    changes = NightChanges(date(2026, 11, 21), 2, 1, rows=[
        {"agency_code": "stp-hs", "agency_name": "Sở Tư pháp", "rule_code": "TI01", "before": "pass", "after": "fail",
         "change": "regression", "note": "", "evidence_url": "", "evidence_before": ""}])
    assert "1 tiêu chí giảm" in subject(changes) and "Tiêu chí giảm (1)" in email_text(changes)
    monkeypatch.setenv("MINHBACH_LANG", "en")
    assert subject(changes) == "[minhbach] The night of 21/11/2026: 1 rule got worse"
    assert "Pass → Fail" in email_text(changes) and "Rules that got worse (1):" in email_text(changes)


def test_gettext_reads_the_installed_catalogue():
    vi = gettext.translation("minhbach", LOCALE_DIR, languages=["vi"])
    assert vi.gettext("Usage:") == "Cách dùng:"
    assert vi.ngettext("%(num)s agency", "%(num)s agencies", 5) == "%(num)s cơ quan"


def test_no_function_hides_the_translation_function():
    """`for _, x in ...` or `a, _ = ...` in a function that also calls `_()` makes `_` local there:
    the call fails with UnboundLocalError, on an error path seldom run."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
              ast.GeneratorExp, ast.ClassDef)

    def own_nodes(function):  # the function's own scope: not its comprehensions or inner functions
        stack = list(ast.iter_child_nodes(function))
        while stack:
            node = stack.pop()
            yield node
            if not isinstance(node, scopes):
                stack.extend(ast.iter_child_nodes(node))

    hidden = []
    for path in (ROOT / "audit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            own = list(own_nodes(node))
            stores = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in own)
            calls = any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_" for n in ast.walk(node))
            if stores and calls:
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not hidden, hidden


def test_stored_words_do_not_depend_on_who_ran_the_command(demo_store, tmp_path):
    """An audit made under MINHBACH_LANG=en stores codes, not English: the score table reads in
    English for that operator, in Vietnamese for the next one, and the monthly report (frozen
    in Vietnamese) says why the unreachable agency has no score in Vietnamese."""
    import json
    import sqlite3

    from tests.support.cli import run_cli

    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    with db:
        db.execute("delete from monthly_reports")
    assert run_cli("audit", "--date", "2026-11-21", env={"MINHBACH_LANG": "en"}).returncode == 0
    reasons = [json.loads(r) for (r,) in db.execute("select reason from scores where reason is not null")]
    assert reasons and all(isinstance(r, dict) and "kind" in r for r in reasons)
    english = run_cli("report", env={"MINHBACH_LANG": "en"}).stdout
    vietnamese = run_cli("report", env={"MINHBACH_LANG": "vi"}).stdout
    assert "refused the connection" in english and "từ chối kết nối" not in english
    assert "từ chối kết nối" in vietnamese and "refused the connection" not in vietnamese
    assert run_cli("monthly", "--month", "2026-11", "--out", str(tmp_path), env={"MINHBACH_LANG": "en"}).returncode == 0
    (content,) = db.execute("select content from monthly_reports").fetchone()
    frozen = json.dumps(json.loads(content), ensure_ascii=False)
    assert "từ chối kết nối" in frozen and "refused the connection" not in frozen
    db.close()
