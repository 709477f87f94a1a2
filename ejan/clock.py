"""Time in one place: every time is stored as naive UTC; residents read and type Japan time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """Now, the way every time is stored: naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_jst(moment: datetime) -> datetime:
    """Times are stored as naive UTC; residents read them in Japan time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(JST)


def jst_to_utc(local: datetime) -> datetime:
    """A time typed in Japan time, stored as naive UTC like every other time."""
    return local.replace(tzinfo=JST).astimezone(timezone.utc).replace(tzinfo=None)


def today_jst() -> date:
    return datetime.now(JST).date()


def jst_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The naive-UTC range [start of `first`, end of `last`) in Japan time, for queries by calendar day."""
    start = datetime.combine(first, time(), JST).astimezone(timezone.utc).replace(tzinfo=None)
    end = datetime.combine(last + timedelta(days=1), time(), JST).astimezone(timezone.utc).replace(tzinfo=None)
    return start, end


def start_of_today_jst() -> datetime:
    """Midnight today in Japan, as stored (naive UTC)."""
    today = today_jst()
    return jst_day_bounds(today, today)[0]


def from_jst_fields(day: date | None, hour_minute: time | None) -> datetime | None:
    """A date and a time typed in two fields (keitai have no date pickers), in Japan time, as stored.

    None when either field is empty, or names a moment the calendar cannot hold in UTC (the first
    hours of year 1), so the rules can say which one is missing.
    """
    if day is None or hour_minute is None:
        return None
    try:
        return jst_to_utc(datetime.combine(day, hour_minute))
    except OverflowError:
        return None


def jst_fields(moment: datetime) -> tuple[date, time]:
    """A stored time as the Japan-time date and time a form shows for editing."""
    local = to_jst(moment)
    return local.date(), local.time().replace(tzinfo=None)
