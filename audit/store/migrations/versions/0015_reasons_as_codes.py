"""reasons are stored as codes with their values, never as words: the reasons of runs, site
crawls, unread pages and scores become JSON ({"kind": "refused", "host": "..."}); what earlier
versions wrote is read back into codes where its wording is known (in Vietnamese or English),
else kept whole as {"kind": "text"}. Scores stored the grade "Chưa đủ dữ liệu" (no grade): an
empty grade says it now.

Revision ID: 0015
Revises: 0014
"""
import json
import re

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The wordings of 0014's time (Vietnamese as stored, English as MINHBACH_LANG=en stored), as
# regular expressions whose named groups are the reason's values. Frozen here: later wording
# changes do not concern what was stored before.
_V = r"(?P<host>[^()]*)"
WORDINGS = [
    ("http_error", r"máy chủ trả về lỗi HTTP (?P<status>\d+) \(" + _V + r"\)"),
    ("robots", r"robots\.txt không cho phép thu thập"),
    ("redirect_loop", r"chuyển hướng vòng lặp hoặc quá nhiều lần \(" + _V + r"\)"),
    ("too_large_unpacked", r"phản hồi vượt giới hạn dung lượng sau khi giải nén \(" + _V + r"\)"),
    ("too_large", r"phản hồi vượt giới hạn dung lượng \(" + _V + r"\)"),
    ("ignored", r"yêu cầu bị bỏ qua \(" + _V + r"\)"),
    ("dns", r"lỗi DNS: không tìm thấy tên miền \(" + _V + r"\)"),
    ("refused", r"máy chủ từ chối kết nối \(" + _V + r"\)"),
    ("timeout", r"hết thời gian chờ phản hồi \(" + _V + r"\)"),
    ("tls", r"lỗi kết nối bảo mật TLS/HTTPS \(" + _V + r"\)"),
    ("tls_handshake", r"không thiết lập được kết nối HTTPS: máy chủ đóng kết nối khi bắt tay TLS \(" + _V + r"\)"),
    ("no_response", r"máy chủ đóng kết nối, không trả lời trọn vẹn \(" + _V + r"\)"),
    ("download_error", r"lỗi tải trang (?P<error>\S+) \(" + _V + r"\)"),
    ("private_address", r"địa chỉ nội bộ (?P<address>\S+) \(" + _V + r"\) bị từ chối; "
                        r"chỉ thu thập địa chỉ nội bộ với --allow-private"),
    ("offsite", r"ngoài phạm vi trang: (?P<host>\S+)"),
    ("time_budget", r"hết thời gian dành cho trang này"),
    ("page_cap", r"đã đạt giới hạn số trang"),
    ("parse_error", r"lỗi khi phân tích trang"),
    ("binary_page", r"trang gửi nội dung nhị phân thay cho HTML"),
    ("empty_page", r"trang không có nội dung HTML đọc được"),
    ("home_http_error", r"trang chủ trả về lỗi HTTP (?P<status>\d+)"),
    ("home_unparsable", r"trang chủ không đọc được \(lỗi khi phân tích trang\)"),
    ("home_not_html", r"trang chủ không phải trang HTML \(Content-Type: (?P<content_type>[^)]*)\)"),
    ("home_empty", r"trang chủ không có nội dung HTML đọc được"),
    ("home_script_shell", r"trang chủ chỉ là khung trang dựng bằng JavaScript; cần trình duyệt \(chromium\) để "
                          r"đọc nội dung"),
    ("crawl_stopped", r"(?:quá trình thu thập đã dừng trước khi xong trang này|the crawl stopped before this site "
                      r"was done)"),
    ("stopped_by_operator", r"(?:bị người vận hành dừng|stopped by the operator)"),
    ("no_page", r"(?:Không thu thập được trang nào\.|No page could be crawled\.)"),
    ("unreachable", r"(?:Không truy cập được cổng thông tin\.|The portal could not be reached\.)"),
    ("nothing_judged", r"(?:Không có tiêu chí nào đánh giá được\.|No rule could be judged\.)"),
    ("rubric_not_for_level", r"(?:Bộ tiêu chí (?P<rubric>\S+) không áp dụng cho cấp (?P<level>\S+)\.|"
                             r"Rubric (?P<rubric_en>\S+) does not apply to the level (?P<level_en>\S+)\.)"),
    ("redis_gone", r"(?:Redis tại (?P<url>\S+) không kết nối được trong (?P<seconds>\d+) giây: (?P<error>.*)|"
                   r"Redis at (?P<url_en>\S+) unreachable for (?P<seconds_en>\d+) s: (?P<error_en>.*))"),
]
_COMPILED = [(kind, re.compile(pattern)) for kind, pattern in WORDINGS]
_PARTIAL = re.compile(r"^thu thập chưa đầy đủ: (?P<parts>.+)$")
_PART = re.compile(r"^(?P<n>\d+) trang (?P<label>.+)$")
_LABELS = {
    "chưa tải (hết thời gian dành cho trang)": "time_budget", "chưa tải (giới hạn số trang)": "page_cap",
    "hết thời gian chờ": "timeout", "không phản hồi": "no_response", "quá dung lượng": "too_large",
    "lỗi TLS": "tls", "lỗi DNS": "dns", "bị từ chối kết nối": "refused", "bị robots.txt chặn": "robots",
    "trỏ tới địa chỉ nội bộ": "private_address", "chuyển hướng vòng lặp": "redirect_loop",
    "không phân tích được": "parse_error", "lỗi khác": "other",
}


def as_code(text):
    """A stored reason's words as its code and values (None for nothing)."""
    if text is None or text == "":
        return None
    text = str(text).strip()
    home = re.fullmatch(r"trang chủ: (?P<cause>.+)", text)
    if home and not text.startswith("trang chủ trả về"):
        return {"kind": "home_refused", "cause": as_code(home.group("cause"))}
    partial = _PARTIAL.match(text)
    if partial:
        missed = []
        for part in partial.group("parts").split(", "):
            found = _PART.match(part)
            if not found:
                return {"kind": "text", "text": text}
            label = found.group("label")
            kind = f"http_{label.removeprefix('lỗi HTTP ')}" if label.startswith("lỗi HTTP ") else _LABELS.get(label)
            if kind is None:
                return {"kind": "text", "text": text}
            missed.append([kind, int(found.group("n"))])
        return {"kind": "incomplete", "missed": missed}
    for kind, pattern in _COMPILED:
        found = pattern.fullmatch(text)
        if found:
            values = {k.removesuffix("_en"): (int(v) if k.removesuffix("_en") in ("status", "seconds") else v)
                      for k, v in found.groupdict().items() if v is not None}
            return {"kind": kind, **values}
    return {"kind": "text", "text": text}


TABLES = ("crawl_runs", "site_crawls", "unread_pages", "scores")


def upgrade() -> None:
    connection = op.get_bind()
    value = "cast(:code as json)" if connection.dialect.name == "postgresql" else ":code"
    for table in TABLES:
        rows = connection.execute(sa.text(f"select id, reason from {table} where reason != ''")).all()
        # A column added, filled and renamed in place (SQLite 3.35+ drops a column without
        # rebuilding the table: a rebuild with foreign keys on would empty what cascades from it).
        op.add_column(table, sa.Column('reason_code', sa.JSON(), nullable=True))
        by_text: dict[str, list[int]] = {}   # one statement per distinct wording: reasons repeat
        for row_id, text in rows:
            by_text.setdefault(text, []).append(row_id)
        for text, ids in by_text.items():
            code = json.dumps(as_code(text), ensure_ascii=False)
            for start in range(0, len(ids), 500):
                chunk = ", ".join(str(i) for i in ids[start:start + 500])
                connection.execute(sa.text(f"update {table} set reason_code = {value} where id in ({chunk})"),
                                   {"code": code})
        op.drop_column(table, 'reason')
        op.alter_column(table, 'reason_code', new_column_name='reason')
    connection.execute(sa.text("update scores set grade = '' where grade = 'Chưa đủ dữ liệu'"))


def downgrade() -> None:
    connection = op.get_bind()
    for table in TABLES:
        rows = connection.execute(sa.text(f"select id, reason from {table} where reason is not null")).all()
        op.add_column(table, sa.Column('reason_text', sa.Text(), nullable=False, server_default=''))
        for row_id, code in rows:
            value = json.loads(code) if isinstance(code, str) else code
            text = value.get("text", value.get("kind", "")) if isinstance(value, dict) else str(value or "")
            connection.execute(sa.text(f"update {table} set reason_text = :text where id = :id"),
                               {"text": text, "id": row_id})
        op.drop_column(table, 'reason')
        op.alter_column(table, 'reason_text', new_column_name='reason')
