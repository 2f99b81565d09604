"""The letterhead of the monthly report as an administrative document (Nghị định 30/2020/NĐ-CP,
Phụ lục I): the body above the issuer, the issuer, "Số: /BC-…", the place and date, the
recipients and the signer, from the [report] settings, each left empty there given its
Vietnamese default here. The number itself is left blank: the office's clerk (văn thư) gives it
when the report is issued."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from minhbach.audit.clock import local
from minhbach.audit.config import DEFAULT_TIMEZONE, ReportSettings

ISSUER = "Sở Khoa học và Công nghệ"  # the department that reports since the 2025 mergers
ABBREVIATION = "SKHCN"
RECIPIENTS = ["UBND tỉnh (để báo cáo)", "Sở Tài chính (để tổng hợp)", "Các sở, ban, ngành; UBND các xã, phường",
              "Lưu: VT, CĐS"]
SIGNER = ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")


@dataclass(frozen=True)
class Letterhead:
    superior: str
    issuer: str
    abbreviation: str
    place: str
    recipients: list[str] = field(default_factory=list)
    signer_authority: str = ""
    signer_title: str = ""
    signer_name: str = ""
    timezone: str = DEFAULT_TIMEZONE

    @property
    def number(self) -> str:
        return f"Số:        /BC-{self.abbreviation}"

    def day(self, created_iso: str) -> date:
        """The day a report was made, in the province's time zone (what its date line says)."""
        return local(datetime.fromisoformat(created_iso), self.timezone).date()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def letterhead(settings: ReportSettings | None, province: str, timezone: str = DEFAULT_TIMEZONE) -> Letterhead:
    settings = settings or ReportSettings()
    title = _nfc(settings.signer_title)
    authority, title = (_nfc(settings.signer_authority), title) if title else SIGNER
    return Letterhead(
        superior=_nfc(settings.superior) or (f"UBND tỉnh {province}" if province else "UBND tỉnh"),
        issuer=_nfc(settings.issuer) or ISSUER,
        abbreviation=_nfc(settings.abbreviation) or ABBREVIATION,
        place=_nfc(settings.place) or province,
        recipients=[_nfc(r) for r in settings.recipients if r.strip()] or list(RECIPIENTS),
        signer_authority=authority, signer_title=title, signer_name=_nfc(settings.signer_name), timezone=timezone)
