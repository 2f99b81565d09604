"""Days as the province lives them: the night's date in its time zone, working days without
Vietnam's public holidays."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from minhbach.audit.clock import night_of
from minhbach.rules.calendar import is_working_day, working_days_between

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("moment, night", [
    (datetime(2026, 12, 7, 1, 0, tzinfo=VN), date(2026, 12, 6)),      # the timer's 01:00: the night before
    (datetime(2026, 12, 6, 22, 30, tzinfo=VN), date(2026, 12, 6)),    # an evening run: that day
    (datetime(2026, 12, 6, 18, 30), date(2026, 12, 6)),               # as the store keeps it (UTC): 01:30 in Hà Nội
    (datetime(2026, 12, 6, 23, 0, tzinfo=UTC), date(2026, 12, 6)),   # 06:00 on the 7th in Hà Nội
    (datetime(2026, 12, 7, 14, 0, tzinfo=VN), date(2026, 12, 7)),     # an afternoon run: that day
])
def test_a_night_belongs_to_the_evening_it_started_from_in_the_provinces_time(moment, night):
    assert night_of(moment, "Asia/Ho_Chi_Minh") == night


def test_working_days_leave_out_weekends_and_public_holidays():
    assert not is_working_day(date(2026, 2, 17))     # Tết Nguyên đán 2026
    assert not is_working_day(date(2026, 9, 2))      # Quốc khánh
    assert not is_working_day(date(2026, 11, 21))    # a Saturday
    assert is_working_day(date(2026, 11, 20))
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 14)) == 9
    assert working_days_between(date(2026, 2, 10), date(2026, 2, 24)) == 5   # Tết in between
