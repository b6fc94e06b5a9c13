"""Days in WIB (prakerja/timeutil.py): the Jakarta day of an instant, whatever zone it carries or the site shows."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from prakerja.timeutil import WIB, wib_date, wib_day_end, wib_day_start, wib_midnight, wib_next_day_start, wib_today

# 00:30 WIB on 1 December 2026, as PostgreSQL hands it back: 17:30 UTC on 30 November.
EARLY = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)


@pytest.fixture(params=["Asia/Jakarta", "UTC", "America/Los_Angeles"], autouse=True)
def display_zone(request, settings):
    settings.TIME_ZONE = request.param


def test_the_wib_date_of_an_instant_is_the_same_in_every_zone_it_is_written_in():
    for zone in (UTC, WIB, timezone(timedelta(hours=9)), timezone(timedelta(hours=-8))):
        assert wib_date(EARLY.astimezone(zone)) == date(2026, 12, 1)
    assert wib_date(datetime(2026, 11, 30, 16, 59, 59, tzinfo=UTC)) == date(2026, 11, 30)  # 23:59:59 WIB


def test_a_naive_datetime_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="naive"):
        wib_date(datetime(2026, 12, 1, 0, 30))  # noqa: DTZ001 - the naive datetime under test


def test_the_day_starts_and_ends_at_wib_midnight():
    assert wib_day_start(EARLY) == datetime(2026, 12, 1, tzinfo=WIB) == datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert wib_next_day_start(EARLY) == datetime(2026, 12, 2, tzinfo=WIB)
    assert wib_midnight(date(2027, 1, 1)) == datetime(2026, 12, 31, 17, tzinfo=UTC)
    assert wib_day_end(date(2026, 12, 31)) == datetime(2026, 12, 31, 16, 59, 59, 999999, tzinfo=UTC)
    assert wib_date(wib_day_end(date(2026, 12, 31))) == date(2026, 12, 31)


def test_today_is_jakartas_today():
    with freeze_time(EARLY):
        assert wib_today() == date(2026, 12, 1)
    assert wib_today(EARLY - timedelta(minutes=31)) == date(2026, 11, 30)
