"""Legacy Vietnamese encodings: windows-1258 decodes; TCVN3 and VNI are recognised, not stored."""
import unicodedata

import pytest
from scrapy.http import HtmlResponse

from minhbach.audit.demo.server import to_windows_1258
from minhbach.crawler.encoding import decode_html, detect_legacy_encoding, to_nfc
from minhbach.rules.text import fold, nfc

TEXT = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập – Tự do – Hạnh phúc. Công khai ngân sách năm 2026."


def test_windows_1258_round_trips_to_nfc():
    body = b"<html><head><title>x</title></head><body>" + to_windows_1258(TEXT) + b"</body></html>"
    response = HtmlResponse("http://x/", body=body, headers={"Content-Type": "text/html; charset=windows-1258"})
    assert TEXT in to_nfc(response.text)
    assert detect_legacy_encoding(to_nfc(response.text)) is None


def test_tcvn3_and_vni_are_detected():
    tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam. §éc lËp - Tù do - H¹nh phóc. C«ng khai ng©n s¸ch n¨m 2026 cña UBND tØnh."
    vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam. Ñoäc laäp - Töï do - Haïnh phuùc. Coâng khai ngaân saùch naêm 2026."
    assert detect_legacy_encoding(tcvn3) == "tcvn3"
    assert detect_legacy_encoding(vni) == "vni"
    assert detect_legacy_encoding(TEXT * 2) is None
    assert detect_legacy_encoding("Portail de la région, économie et société, événements à venir " * 2) is None


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
    text, used = decode_html(response)
    assert used == encoding
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in text and "Đường dây nóng" in text
    assert unicodedata.is_normalized("NFC", text)
