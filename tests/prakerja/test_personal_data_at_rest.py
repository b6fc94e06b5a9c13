"""No personal value in clear in any table the portal owns (issue #15): after an applicant's whole journey, every
column of every table but the mock registry's (the dukcapil app plays the external service) is read as the
database holds it and searched for the applicant's name, mother's name, address, birth date, phone numbers, NIK
and KK."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection

from notifications.models import Message
from notifications.services import outbox_sweep
from tests.factories import ApplicantFactory
from tests.helpers import code_in
from verification.models import PhoneNumber
from verification.otp import otp_send, otp_verify

pytestmark = pytest.mark.django_db

NEW_NUMBER = "+6285612345678"


def _clear_values(user) -> dict[str, str]:
    identity, data = user.identity, user.personal_data
    phone = PhoneNumber.objects.get(user=user).number
    values = {
        "full name": data.full_name,
        "mother's name": data.mother_name,
        "address": data.address,
        "birth date": identity.birth_date.isoformat(),
        "NIK": identity.nik,
        "KK": identity.kk,
    }
    for label, number in (("phone", phone), ("earlier phone", user.earlier_phone)):
        values[f"{label} (E.164)"] = number
        values[f"{label} (08…)"] = "0" + number.removeprefix("+62")
    return values


def _portal_tables() -> list[str]:
    return sorted({model._meta.db_table for model in apps.get_models() if model._meta.app_label != "dukcapil"})


def _rows(table: str):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(table)}")
        columns = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            yield from zip(columns, row, strict=True)


@pytest.fixture
def journeyed(frozen, client):
    """A selected applicant (identity, personal data, photo, phone, declaration, test, a won wave, its card and
    announcement) who then changed their number by SMS code, logged in, and whose messages were all sent."""
    user = ApplicantFactory(selected=True, personal_data__address="Jl. Kenanga No. 7, RT 003/RW 004, Depok")
    user.earlier_phone = PhoneNumber.objects.get(user=user).number
    frozen.tick(timedelta(minutes=10))
    otp = otp_send(user=user, number=NEW_NUMBER)
    otp_verify(user=user, code=code_in(Message.objects.get(idempotency_key=f"otp:{otp.pk}")))
    frozen.tick(timedelta(days=5))
    outbox_sweep()
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 200  # a session, and whatever a page view stores
    return user


def test_no_table_of_the_portal_holds_the_applicants_personal_data_in_clear(journeyed):
    values = _clear_values(journeyed)
    tables = _portal_tables()

    found = [
        f"{label} in {table}.{column}"
        for table in tables
        for column, stored in _rows(table)
        if stored is not None
        for label, value in values.items()
        if value in str(stored)
    ]

    assert "verification_personaldata" in tables and "notifications_message" in tables
    assert "dukcapil_resident" not in tables
    assert found == []
