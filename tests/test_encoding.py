"""Vietnamese encodings: windows-1258 decodes, declared or not; TCVN3 and VNI are recognised from
the raw bytes and converted to Unicode."""
import unicodedata

import pytest
from scrapy.http import HtmlResponse

from minhbach.audit.ops.demo.server import to_windows_1258
from minhbach.crawler.encoding import decode_html
from minhbach.rules.legacy import detect_legacy_encoding, to_unicode
from minhbach.rules.text import fold, nfc
from tests.support.legacy_text import to_legacy

TEXT = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập – Tự do – Hạnh phúc. Công khai ngân sách năm 2026."


def test_windows_1258_round_trips_to_nfc():
    body = b"<html><head><title>x</title></head><body>" + to_windows_1258(TEXT) + b"</body></html>"
    response = HtmlResponse("http://x/", body=body, headers={"Content-Type": "text/html; charset=windows-1258"})
    text, charset, legacy = decode_html(response)
    assert TEXT in text and legacy is None


PAGE = ("<html><head><title>Liên hệ</title></head><body><h1>Công khai ngân sách</h1><p>" + TEXT +
        " Ủy ban nhân dân xã Thanh Bình tiếp nhận phản ánh, kiến nghị của người dân qua đường dây nóng.</p>"
        "</body></html>")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=iso-8859-1",
                                          "text/html; charset=utf-8", "text/html; charset=windows-1252"])
def test_legacy_pages_are_converted_whatever_charset_they_claim(encoding, content_type):
    response = HtmlResponse("http://x/", body=to_legacy(PAGE, encoding), headers={"Content-Type": content_type})
    text, _, legacy = decode_html(response)
    assert legacy == encoding
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in text and "đường dây nóng" in text
    assert "<title>Liên hệ</title>" in text


def test_legacy_detection_leaves_unicode_and_other_languages_alone():
    for body in (PAGE.encode("utf-8"), to_windows_1258(PAGE),
                 ("<p>" + "Portail de la région, économie et société, événements à venir. " * 5 + "</p>").encode("latin-1"),
                 b"<p>" + b"Plain English page about the provincial budget. " * 5 + b"</p>"):
        for decoded in (body.decode("utf-8", "replace"), body.decode("cp1258", "replace"), body.decode("latin-1")):
            if "\ufffd" in decoded:
                continue
            assert detect_legacy_encoding(body, decoded) is None, decoded[:60]


def test_legacy_page_saved_again_as_utf8_is_converted_too():
    mojibake = to_legacy(PAGE, "tcvn3").decode("latin-1").encode("utf-8")
    assert detect_legacy_encoding(mojibake, mojibake.decode("utf-8")) == "tcvn3"
    assert "Cộng hòa xã hội" in to_unicode(mojibake, "tcvn3")


def test_fold_matches_every_spelling():
    forms = ["Đường dây nóng", "ĐƯỜNG DÂY NÓNG", "duong day nong", __import__("unicodedata").normalize("NFD", "Đường dây nóng")]
    assert {fold(f) for f in forms} == {"duong day nong"}
    assert nfc(forms[3]) == "Đường dây nóng"


UNDECLARED = "<html><head><title>Liên hệ</title></head><body><p>Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập – Tự do – Hạnh phúc. Đường dây nóng của Ủy ban nhân dân xã.</p></body></html>"


@pytest.mark.parametrize("body, content_type, encoding", [
    (to_windows_1258(UNDECLARED), "text/html", "windows-1258"),   # nothing declared (Scrapy guesses hp-roman8)
    (to_windows_1258(UNDECLARED), "text/html; charset=utf-8", "windows-1258"),  # declared wrong
    (UNDECLARED.encode("utf-8"), "text/html", "utf-8"),
    (UNDECLARED.encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
    (to_windows_1258(UNDECLARED), "text/html; charset=windows-1258", "cp1258"),  # declared right
])
def test_decode_html_reads_undeclared_and_wrongly_declared_pages(body, content_type, encoding):
    response = HtmlResponse("http://xa.example.vn/", body=body, headers={"Content-Type": content_type})
    text, used, legacy = decode_html(response)
    assert legacy is None
    assert used == encoding
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in text and "Đường dây nóng" in text
    assert unicodedata.is_normalized("NFC", text)
