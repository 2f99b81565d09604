"""The Vietnamese text toolkit: dates, phones, emails and document numbers."""
import unicodedata
from datetime import date

from minhbach.rules.extract import find_dates, find_document_numbers, find_emails, find_phones


def test_dates_in_every_common_spelling():
    text = "Ban hành 17/8/2017, hiệu lực 27-08-2017; ngày 5 tháng 9 năm 2017; đăng 4 tháng 11, 2024; sai 16/72/2020"
    assert find_dates(text) == [date(2017, 8, 17), date(2017, 8, 27), date(2017, 9, 5), date(2024, 11, 4)]


def test_phone_numbers_however_written():
    text = ("ĐT: (0211) 3.862.480 – Fax: 0211.3843403; Đường dây nóng: 0889.556.655; "
            "tổng đài 1900 9268; (024)35123536")
    assert find_phones(text) == ["+842113862480", "+842113843403", "+84889556655", "+8419009268", "+842435123536"]


def test_emails_including_obfuscated_forms():
    text = "Email: tiepnhanykien_sotttt@hanoi.gov.vn; stc[at]hoason.gov.vn; ubnd (a) hoason . gov . vn"
    assert find_emails(text) == ["tiepnhanykien_sotttt@hanoi.gov.vn", "stc@hoason.gov.vn", "ubnd@hoason.gov.vn"]


def test_document_numbers_with_every_d():
    text = ("Quyết định số 26/2017/QĐ-UBND, 1703/QĐ-UBND, 42/2022/NÐ-CP, 42/2022/ND-CP, 33/TTr-STTTT, "
            "1630/SKHĐT-TTNC và 148/2025/QH15; không phải 12/2020 hay 3/4")
    assert find_document_numbers(text) == ["26/2017/QĐ-UBND", "1703/QĐ-UBND", "42/2022/NÐ-CP", "42/2022/ND-CP",
                                           "33/TTr-STTTT", "1630/SKHĐT-TTNC", "148/2025/QH15"]
    assert find_document_numbers(unicodedata.normalize("NFC", "Số 26/2017/QĐ-UBND")) == ["26/2017/QĐ-UBND"]
