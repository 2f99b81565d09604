"""What every file of the monthly report shows the same way: the title block, the summary
table's columns and the file names."""
from __future__ import annotations

import re
from collections import Counter

from minhbach.audit.reports.monthly.letterhead import Letterhead
from minhbach.rules.text import fold

# (key, header, kind): kind says how a cell is written: text, int, number (one decimal),
# percent (a share 0-1), signed (a change, +/-).
SUMMARY_COLUMNS = [
    ("stt", "STT", "int"),
    ("agency_code", "Mã", "text"),
    ("agency_name", "Cơ quan, đơn vị", "text"),
    ("level_vi", "Cấp", "text"),
    ("item1", "1. Tài liệu quy hoạch", "text"),
    ("item2", "2. Tiếp cận tài liệu pháp lý", "text"),
    ("item3", "3. Tài liệu ngân sách", "text"),
    ("item4", "4. Số tin mời thầu trong tháng", "int"),
    ("item5", "5. Tỉ lệ DN nhận được thông tin", "percent"),
    ("item6", "6. Số ngày DN nhận được tài liệu", "number"),
    ("item7", "7. Cách DN tiếp cận tài liệu", "text"),
    ("item8", "8. Dự liệu việc thực thi", "percent"),
    ("score", "9. Điểm chất lượng website", "number"),
    ("score_high", "Điểm cao nhất có thể", "number"),
    ("grade", "Xếp loại", "text"),
    ("coverage", "Độ bao phủ", "percent"),
    ("rank", "Hạng trong cấp", "int"),
    ("change", "Thay đổi so với tháng trước", "signed"),
    ("item9", "9. Nhận xét", "text"),
]


# The summary that prints on one page wide at a readable size: numbers, and for the items in
# words the share of their disclosures made ("2/3"); the words are on the sheets per level,
# in the CSV and in the DOCX.
PRINT_HEADERS = {"item1": "1. Quy hoạch: nội dung đạt", "item2": "2. Pháp lý: nội dung đạt",
                 "item3": "3. Ngân sách: nội dung đạt", "item7": "7. Kênh tiếp cận có"}
PRINT_COLUMNS = [(key, PRINT_HEADERS.get(key, header), kind) for key, header, kind in SUMMARY_COLUMNS
                 if key != "item9"]
SHORT_NO_SURVEY = "chưa có"
UNREAD = "chưa đọc được"


def _share(item: dict) -> str | None:
    """"2/3": of an item's disclosures, how many the site makes; words when they could not be read."""
    if "rules" not in item:
        return UNREAD if "chưa đọc được" in item.get("text", "").lower() else item.get("text")
    return f"{sum(1 for r in item['rules'] if r['outcome'] == 'pass')}/{len(item['rules'])}" if item["rules"] else "–"


def _channels(item: dict) -> str:
    """Item 7 in short: the ways in a business finds, of five (sections, e-mail, hotline,
    feedback, social networks)."""
    found = [bool(item.get("sections")), bool(item.get("emails")), bool(item.get("hotline")),
             "phản ánh, kiến nghị: có" in item.get("text", ""), bool(item.get("social"))]
    return f"{sum(found)}/5"


def print_rows(content: dict) -> list[dict]:
    """The rows of the printed summary, from the same rows as the CSV (the numbers are the same)."""
    rows = summary_rows(content)
    for row, agency in zip(rows, content["agencies"]):
        items = agency["items"]
        for key in ("item5", "item6", "item8"):
            if isinstance(row[key], str):
                row[key] = SHORT_NO_SURVEY
        if not agency["reachable"]:
            for key in ("item1", "item2", "item3", "item7"):
                row[key] = None
            continue
        for number in ("1", "2", "3"):
            row[f"item{number}"] = _share(items[number])
        row["item7"] = _channels(items["7"])
    return rows


def province_of(content: dict) -> str:
    if content.get("province"):
        return content["province"]
    names = Counter(row["province"] for row in content["agencies"])
    return names.most_common(1)[0][0] if names else ""


def title_lines(content: dict, head: Letterhead) -> tuple[str, str, str]:
    year, month = content["month"].split("-")
    return (head.superior.upper(), head.issuer.upper(),
            f"BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG VỀ TÍNH MINH BẠCH THÁNG {month}/{year}")


def summary_rows(content: dict, agencies: list[dict] | None = None) -> list[dict]:
    """One row per agency with SUMMARY_COLUMNS keys; survey figures absent are the words
    "chưa có số liệu", an unreachable agency's counts are empty, never zero."""
    rows = []
    for number, agency in enumerate(agencies if agencies is not None else content["agencies"], start=1):
        items = agency["items"]

        def survey(key: str, share: bool = False, items: dict = items):
            value = items[key].get("value")
            if value is None:
                return items[key]["text"]
            return value / 100 if share else value

        rows.append({
            "stt": number, "agency_code": agency["agency_code"], "agency_name": agency["agency_name"],
            "level_vi": agency["level_vi"], "item1": items["1"]["text"], "item2": items["2"]["text"],
            "item3": items["3"]["text"], "item4": _tenders(agency),
            "item5": survey("5", share=True), "item6": survey("6"), "item7": items["7"]["text"],
            "item8": survey("8", share=True), "score": agency["score"], "score_high": agency.get("score_high"),
            "grade": agency["grade"] if agency["reachable"] else "Không xác định",
            "coverage": agency["coverage"] if agency["reachable"] else None, "rank": agency["rank"],
            "change": agency["change"],
            "item9": items["9"]["text"],
        })
    return rows


def _tenders(agency: dict):
    """Item 4: the count; the reason when the tenders section could not be read; nothing for
    an agency that was not reached (its reason is in every other item)."""
    if not agency["reachable"]:
        return None
    item = agency["items"]["4"]
    return item["count"] if item.get("count") is not None else item["text"]


def file_stem(content: dict, version: int) -> str:
    stem = f"bao-cao-thang-{content['month']}"
    if content.get("province"):
        stem += "-" + re.sub(r"[^a-z0-9]+", "-", fold(content["province"])).strip("-")
    return stem + (f"-v{version}" if version > 1 else "")
