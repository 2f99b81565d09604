"""The kinds of agency a registry row names, in one table: the code stored, and how people
name each (Vietnamese first; English for an English reader), and the group a report puts
them in."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    code: str
    vi: str          # "Sở/ngành": in rule notes and Vietnamese reports
    en: str          # "Department"
    group_vi: str    # "Sở, ngành": a report's section (the monthly workbook's sheet)


LEVELS: dict[str, Level] = {level.code: level for level in (
    Level("tinh", "Tỉnh", "Province", "Cấp tỉnh"),
    Level("so", "Sở/ngành", "Department", "Sở, ngành"),
    Level("huyen", "Huyện", "District", "Cấp huyện"),
    Level("xa", "Xã/phường", "Commune/ward", "Cấp xã"),
    Level("khac", "Khác", "Other", "Khác"),
)}
ALL_LEVELS = tuple(LEVELS)
LEVEL_NAMES = {code: level.vi for code, level in LEVELS.items()}
