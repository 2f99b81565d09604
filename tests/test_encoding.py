"""Legacy Vietnamese encodings: windows-1258 decodes; TCVN3 and VNI are recognised, not stored."""
from scrapy.http import HtmlResponse

from audit.demo.server import to_windows_1258
from crawler.encoding import detect_legacy_encoding, to_nfc
from rules.text import fold, nfc

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
