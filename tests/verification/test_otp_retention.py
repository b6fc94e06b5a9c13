"""Retention of phone codes (issue #15, item 6; docs/PRIVACY.md): an OTP code goes CODE_RETENTION after it
expired, used or not, in bounded batches; the daily cap still counts today's codes."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from tests.clock import T0
from tests.factories import UserFactory
from verification.models import OtpCode
from verification.otp import otp_codes_purge
from verification.tasks import otp_codes_purge_task

pytestmark = pytest.mark.django_db


DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def period(settings):
    settings.CODE_RETENTION = 7 * DAY


def otp_code(user, *, expired: datetime, used: bool = False, voided: bool = False) -> OtpCode:
    return OtpCode.objects.create(
        user=user,
        number="+6281234567890",
        code_hash="x",
        created_at=expired - timedelta(minutes=5),
        expires_at=expired,
        used_at=expired - timedelta(minutes=1) if used else None,
        voided_at=expired - timedelta(minutes=2) if voided else None,
    )


def test_codes_go_seven_days_after_they_expired_used_voided_or_neither():
    user = UserFactory(verified=True)
    for kind in ({}, {"used": True}, {"voided": True}):
        otp_code(user, expired=T0, **kind)
    lately = otp_code(user, expired=T0 + 2 * DAY)
    today = otp_code(user, expired=T0 + 8 * DAY - timedelta(minutes=1))
    live = otp_code(user, expired=T0 + 8 * DAY + timedelta(minutes=4))

    assert otp_codes_purge(now=T0 + 8 * DAY) == 3

    assert set(OtpCode.objects.values_list("pk", flat=True)) == {lately.pk, today.pk, live.pk}


def test_codes_go_in_bounded_batches():
    user = UserFactory(verified=True)
    for _ in range(5):
        otp_code(user, expired=T0)

    with CaptureQueriesContext(connection) as run:
        deleted = otp_codes_purge(now=T0 + 8 * DAY, batch_size=2)

    table = OtpCode._meta.db_table
    assert deleted == 5 and not OtpCode.objects.exists()
    assert len([q for q in run.captured_queries if q["sql"].startswith(f'DELETE FROM "{table}"')]) == 3


def test_beat_runs_the_purge_of_phone_codes(settings):
    otp_code(UserFactory(verified=True), expired=T0)

    with freeze_time(T0 + 7 * DAY - timedelta(seconds=1)):
        assert otp_codes_purge_task.apply().get() == 0
    with freeze_time(T0 + 7 * DAY + timedelta(seconds=1)):
        assert otp_codes_purge_task.apply().get() == 1
    assert settings.CELERY_BEAT_SCHEDULE["verification-purge-otp-codes"]["task"] == otp_codes_purge_task.name
