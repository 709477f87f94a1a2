"""ejan.clock: stored times are naive UTC, residents read and type Japan time (UTC+9, no summer time)."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from ejan import clock


def test_now_is_stored_without_a_zone():
    assert clock.utcnow().tzinfo is None


def test_a_stored_time_reads_nine_hours_later_in_japan():
    local = clock.to_jst(datetime(2026, 12, 31, 15, 30))
    assert (local.date(), local.hour, local.minute) == (date(2027, 1, 1), 0, 30)
    assert local.utcoffset().total_seconds() == 9 * 3600


def test_a_time_typed_in_japan_is_stored_nine_hours_earlier_and_reads_back_the_same():
    stored = clock.jst_to_utc(datetime(2027, 1, 1, 8, 0))
    assert stored == datetime(2026, 12, 31, 23, 0) and stored.tzinfo is None
    assert clock.to_jst(stored).replace(tzinfo=None) == datetime(2027, 1, 1, 8, 0)


def test_a_japanese_calendar_day_starts_at_three_in_the_afternoon_utc_the_day_before():
    start, end = clock.jst_day_bounds(date(2026, 3, 1), date(2026, 3, 31))
    assert (start, end) == (datetime(2026, 2, 28, 15, 0), datetime(2026, 3, 31, 15, 0))


def test_today_starts_at_japanese_midnight(monkeypatch):
    monkeypatch.setattr(clock, "today_jst", lambda: date(2026, 5, 3))
    assert clock.start_of_today_jst() == datetime(2026, 5, 2, 15, 0)


@pytest.mark.parametrize("day, hour_minute", [(None, time(13, 30)), (date(2026, 12, 5), None), (None, None)])
def test_an_empty_date_or_time_field_gives_no_time(day, hour_minute):
    assert clock.from_jst_fields(day, hour_minute) is None


def test_date_and_time_fields_round_trip_through_storage():
    stored = clock.from_jst_fields(date(2026, 12, 5), time(0, 0))  # midnight is a time like any other
    assert stored == datetime(2026, 12, 4, 15, 0)
    assert clock.jst_fields(stored) == (date(2026, 12, 5), time(0, 0))
