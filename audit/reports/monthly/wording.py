"""The nine items of an agency's monthly report said in sentences, from the report's content
(what the rules found, never judged again): "Đã công khai 1/2 nội dung: …; chưa công khai: …".
No rule codes: the body of the document names rules by their titles; codes are for the annex.
Numbers are written the Vietnamese way (decimal comma) whoever makes the report."""
from __future__ import annotations

from minhbach.audit.reports.monthly.content import NO_SURVEY
from minhbach.audit.words.numbers import decimal, percent, score_range

SHORT_TITLES = {
    "1": "Tài liệu quy hoạch", "2": "Tiếp cận tài liệu pháp lý", "3": "Tài liệu về ngân sách",
    "4": "Thông tin mời thầu", "5": "Tỉ lệ doanh nghiệp nhận được thông tin, văn bản sau khi đề nghị",
    "6": "Số ngày doanh nghiệp nhận được thông tin, văn bản", "7": "Cách doanh nghiệp tiếp cận tài liệu",
    "8": "Dự liệu việc thực thi quy định của Trung ương", "9": "Chất lượng cổng/trang thông tin điện tử",
}
SURVEYED = ("5", "6", "8")
NO_SURVEY_SENTENCE = NO_SURVEY[:1].upper() + NO_SURVEY[1:] + "."


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _titles(rules: list[dict]) -> str:
    return "; ".join(r["title"] for r in rules)


def rules_sentence(rules: list[dict]) -> str:
    """What share of an item's disclosures the site makes, and which are missing, partial or
    could not be judged (the last never said to be missing)."""
    passed = [r for r in rules if r["outcome"] == "pass"]
    partial = [r for r in rules if r["outcome"] == "fail" and r.get("partial")]
    missing = [r for r in rules if r["outcome"] == "fail" and not r.get("partial")]
    unseen = [r for r in rules if r["outcome"] in ("needs_review", "error")]
    parts = [f"đã công khai {len(passed)}/{len(rules)} nội dung" + (f" ({_titles(passed)})" if passed else "")]
    if partial:
        parts.append(f"công khai chưa đầy đủ hoặc chưa cập nhật: {_titles(partial)}")
    if missing:
        parts.append(f"chưa công khai: {_titles(missing)}")
    if unseen:
        parts.append(f"chưa kiểm tra được (không tính là không có): {_titles(unseen)}")
    return "; ".join(parts)


def _survey(item: dict, key: str) -> str:
    value = item.get("value")
    if value is None:
        return NO_SURVEY_SENTENCE
    unit = "%" if key in ("5", "8") else " ngày"
    number = decimal(value, 0 if float(value).is_integer() else 1, "vi")
    note = f" ({item['note']})" if item.get("note") else ""
    return f"{number}{unit} (số liệu do cơ quan, đơn vị cung cấp){note}."


def _judged_item(item: dict) -> str:
    if "rules" not in item:  # a section that could not be read, or a report frozen before these words
        return sentence(item.get("text", ""))
    said = sentence(rules_sentence(item["rules"]) if item["rules"] else "không có nội dung nào áp dụng")
    if item.get("periods"):
        said += " " + sentence("kỳ số liệu mới nhất: " + "; ".join(
            f"{p['title'][:1].lower()}{p['title'][1:]} {p['period']}" for p in item["periods"]))
    elif item.get("counted"):
        said += " " + sentence("đếm được " + ", ".join(item["counted"]))
    return said


def _score_item(agency: dict) -> str:
    item = agency["items"]["9"]
    score = f"{score_range(agency['score'], agency.get('score_high'), 'vi')}/100"
    grade = agency["grade"] or "chưa xếp loại"
    text = f"Đạt {score} điểm, {grade.lower() if grade.startswith('Chưa') else 'xếp loại ' + grade}; "
    text += f"đã kiểm tra được {percent(agency['coverage'], 'vi')} số điểm áp dụng"
    if agency.get("rank"):
        text += f"; xếp thứ {agency['rank']} trong các đơn vị cấp {agency['level_vi'].lower()}"
    text = sentence(text)
    if agency.get("partial"):
        text += " Lượt thu thập chưa đọc hết trang web: phần chưa đọc được tính là chưa đạt."
    failed = [name.split(" ", 1)[1] if " " in name else name for name in item.get("failed", [])]
    if failed:
        text += " " + sentence(f"các nội dung chưa đạt: {'; '.join(failed)}")
    return text


def agency_items(agency: dict) -> list[tuple[str, str]]:
    """(short title, sentence) for the nine items, in order."""
    items = agency["items"]
    said = []
    for key in map(str, range(1, 10)):
        if key in SURVEYED:
            text = _survey(items.get(key, {}), key)
        elif not agency["reachable"]:
            text = sentence(items[key]["text"]) if key != "9" else sentence(
                f"Không chấm điểm: {agency['reason']} (không tính là 0 điểm)")
        elif key == "9":
            text = _score_item(agency)
        elif key in ("4", "7"):
            text = sentence(items[key]["text"])
        else:
            text = _judged_item(items[key])
        said.append((SHORT_TITLES[key], text))
    return said
