"""Days as the province lives them: the date of a night, and today, in the province's time zone
(`timezone` in the settings, Asia/Ho_Chi_Minh by default). A night that starts at 01:00 belongs
to the evening before: it judges the day the officers just finished."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
NIGHT_TURNS_AT = 12   # hours after midnight: a run before noon is the night of the day before


def now_in(zone: str = DEFAULT_ZONE) -> datetime:
    return datetime.now(UTC).astimezone(ZoneInfo(zone))


def today_in(zone: str = DEFAULT_ZONE) -> date:
    return now_in(zone).date()


def as_utc(moment: datetime) -> datetime:
    """A moment read back from the store: SQLite gives it naive, and the store keeps UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def night_of(moment: datetime, zone: str = DEFAULT_ZONE) -> date:
    """The night a run started at `moment` belongs to (a naive moment is taken as UTC, as the
    store keeps it): 01:00 on the 7th is the night of the 6th; 22:00 on the 6th too."""
    return (as_utc(moment).astimezone(ZoneInfo(zone)) - timedelta(hours=NIGHT_TURNS_AT)).date()


def local(moment: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    """A stored moment (UTC) as the province's clocks showed it: what a person reads."""
    return as_utc(moment).astimezone(ZoneInfo(zone))
