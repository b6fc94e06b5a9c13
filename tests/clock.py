"""The suite's one clock: a test that stops time stops it at T0, or at a moment counted from T0.

T0 is Tuesday 1 December 2026, 09:00 WIB (02:00 UTC), a working morning in Jakarta whose UTC date is the same
day. A test about the early WIB hours, whose UTC date is the day before, builds that moment on purpose
(tests/waves/test_days_in_wib.py). Stop the clock with the ``frozen`` fixture (tests/conftest.py), which yields
freezegun's clock to ``tick()`` or ``move_to()``, or with ``freeze_time(T0 + ...)`` around one step.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
MINUTE = timedelta(minutes=1)
