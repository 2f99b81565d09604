"""The settings file: found by --config, MINHBACH_CONFIG or the data folder; checked key by key;
overridden by environment variables and command-line flags."""

import pytest

from minhbach.audit.config import ConfigError, all_keys, load
from minhbach.data import DATA_DIR
from tests.support.cli import run_cli
from tests.support.sites import LoopbackSite, html

# What the errors say, in their English source (users read them in Vietnamese: tests/test_i18n.py).
pytestmark = pytest.mark.usefixtures("english")


def test_the_example_documents_every_key():
    commented_out = {"database_url", "nightly.output_dir", "store.bodies_dir"}  # their defaults are computed
    assert load(DATA_DIR / "minhbach.example.toml", use_environment=False).keys() == all_keys() - commented_out
    text = (DATA_DIR / "minhbach.example.toml").read_text(encoding="utf-8")
    assert all(f"# {key.split('.')[-1]} = " in text for key in commented_out)


@pytest.mark.parametrize("text, message", [
    ("colour = 'blue'\n", "colour: unknown key (see data/minhbach.example.toml)"),
    ("[crawl]\npage_cap = -1\n", "crawl.page_cap: a whole number above 0, not -1"),
    ("[crawl]\ntime_budget = 'ba mươi'\n", "crawl.time_budget: seconds, above 0, not 'ba mươi'"),
    ("[crawl]\nallow_private = 'yes'\n", "crawl.allow_private: true or false, not 'yes'"),
    ("contact_url = 'notaurl'\n", "contact_url: an http(s):// or mailto: address where site owners reach you, "
                                  "not 'notaurl'"),
    ("[crawl\n", "not valid TOML"),
])
def test_bad_settings_are_one_line_with_file_and_key(tmp_path, text, message):
    path = tmp_path / "minhbach.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)
    result = run_cli("--config", str(path), "runs", env={"MINHBACH_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr


def test_settings_apply_and_the_environment_and_flags_win(tmp_path):
    pages = {"/": html(" ".join(f'<a href="/p{n}">Trang {n}</a>' for n in range(1, 20)))}
    pages.update({f"/p{n}": html(f"<p>Trang {n}</p>") for n in range(1, 20)})
    site = LoopbackSite(pages)
    data = tmp_path / "data"
    data.mkdir()
    # Found in the data folder, with a data_dir the environment overrides.
    (data / "minhbach.toml").write_text(f"data_dir = '{tmp_path / 'elsewhere'}'\n[crawl]\npage_cap = 4\n"
                                        f"allow_private_hosts = ['127.0.0.1:{site.port}']\n", encoding="utf-8")
    registry = tmp_path / "a.csv"
    registry.write_text(f"code,name,level,province,parent_code,portal_url\na,Sở A,so,Hòa Sơn,,{site.base}/\n",
                        encoding="utf-8")
    env = {"MINHBACH_DATA_DIR": str(data)}
    try:
        assert run_cli("agencies", "import", str(registry), env=env).returncode == 0
        first = run_cli("crawl", env=env)  # private host allowed by the file, page cap 4 from it
        assert first.returncode == 0, first.stderr
        assert (data / "minhbach.sqlite").exists() and not (tmp_path / "elsewhere").exists()
        second = run_cli("crawl", "--page-cap", "10", env=env)  # the flag wins
        assert second.returncode == 0, second.stderr
    finally:
        site.close()
    import sqlite3

    with sqlite3.connect(data / "minhbach.sqlite") as db:
        fetched = [n for (n,) in db.execute("select pages_fetched from site_crawls order by id")]
    assert fetched[0] <= 5 and fetched[1] >= 10  # 4 pages (+ sitemap) then 10
