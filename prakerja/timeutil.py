"""Days in WIB (DESIGN §8): every day-based rule counts on the Asia/Jakarta calendar.

A datetime read from the database is in UTC (PostgreSQL and SQLite alike), so ``instant.date()`` is the UTC
date: for anything between 00:00 and 06:59 WIB it is the day before. Ages at a wave's close, the daily OTP
caps, the deadline shown on a card and the date on a letter all go through these helpers instead. The zone
is named here rather than taken from settings.TIME_ZONE (which is also Asia/Jakarta, for display), so that
changing the display zone can never move a rule by a day.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

WIB = ZoneInfo("Asia/Jakarta")


def wib_date(instant: datetime) -> date:
    """The calendar date in Jakarta at ``instant``, whatever zone it carries (a naive datetime is refused)."""
    return timezone.localtime(instant, WIB).date()


def wib_today(now: datetime | None = None) -> date:
    return wib_date(now or timezone.now())


def wib_midnight(day: date) -> datetime:
    """00:00 WIB at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=WIB)


def wib_day_start(instant: datetime) -> datetime:
    """00:00 WIB of the Jakarta day that contains ``instant``."""
    return wib_midnight(wib_date(instant))


def wib_next_day_start(instant: datetime) -> datetime:
    """00:00 WIB of the Jakarta day after the one that contains ``instant``: when a daily limit resets."""
    return wib_midnight(wib_date(instant) + timedelta(days=1))


def wib_day_end(day: date) -> datetime:
    """The last moment of ``day`` in Jakarta (23:59:59.999999 WIB): a deadline "until the end of that day"
    that shows as "23.59 WIB" and still lies within the day."""
    return wib_midnight(day + timedelta(days=1)) - timedelta(microseconds=1)


def wib_moment(instant: datetime) -> str:
    """``instant`` as staff read it in a sentence: "9 Desember 2026 pukul 23.59 WIB" (in the active language)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    local = timezone.localtime(instant, WIB)
    return gettext("%(day)s pukul %(time)s WIB") % {
        "day": date_format(local, "j F Y"),
        "time": local.strftime("%H.%M"),
    }
