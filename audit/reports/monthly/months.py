"""When a reporting month is over: at the end of its last day in the province's time zone (the
settings' `timezone`), so that 23:30 on 30/11 in Hà Nội is still November wherever the server
runs. The "today" here is always the province's date (audit/clock.py)."""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def closes_on(month: str) -> date:
    """The month's last day: it is over when that day ends."""
    year, number = map(int, month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


def is_closed(month: str, today: date) -> bool:
    return today > closes_on(month)


def last_closed_month(today: date) -> str:
    """The month before `today`'s: the one a report is due for (before the 5th, by the plan)."""
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


def province_day(now: datetime, zone: str) -> date:
    """The province's date at `now` (a naive moment is taken as UTC, as the store keeps it)."""
    from minhbach.audit.clock import as_utc

    return as_utc(now).astimezone(ZoneInfo(zone)).date()
