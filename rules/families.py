"""The families rules belong to, in one table, in the order reports show them: the code a rule
and its findings carry, and how people name each (Vietnamese first; English for an English
reader)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    code: str
    vi: str
    en: str


FAMILIES: dict[str, Family] = {family.code: family for family in (
    Family("organisation", "Tổ chức", "Organisation"),
    Family("contacts", "Liên hệ", "Contacts"),
    Family("hotline", "Đường dây nóng", "Hotline"),
    Family("news", "Tin tức", "News"),
    Family("direction", "Chỉ đạo, điều hành", "Direction and administration"),
    Family("legal_documents", "Văn bản", "Legal documents"),
    Family("legal_guidance", "Phổ biến pháp luật", "Legal dissemination"),
    Family("plans", "Quy hoạch, kế hoạch", "Plans and planning"),
    Family("investment", "Đầu tư", "Investment"),
    Family("projects", "Dự án", "Projects"),
    Family("tenders", "Đấu thầu", "Tenders"),
    Family("budget", "Ngân sách", "Budget"),
    Family("drafts", "Góp ý dự thảo", "Drafts for comment"),
    Family("qa", "Hỏi đáp", "Questions and answers"),
    Family("procedures", "Thủ tục hành chính", "Administrative procedures"),
    Family("online_services", "Dịch vụ công", "Online public services"),
    Family("access_to_information", "Tiếp cận thông tin", "Access to information"),
    Family("site", "Trang web", "Website"),
)}
