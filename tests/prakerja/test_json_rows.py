"""Lists read as JSON (prakerja/json_rows.py) come back as the ORM reads them: every value typed by its field
(encrypted ones decrypted, datetimes aware, SQLite's 1/0 booleans), related rows filled in, in the order asked.
Run on SQLite and on PostgreSQL, whose JSON differ."""

from datetime import timedelta

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from accounts.models import User
from assessment.eligibility import ExcludedGroup, OtherAid
from assessment.models import Attempt, Declaration
from prakerja.json_rows import json_rows, rows_from_json
from tests.factories import ApplicantFactory, AttemptFactory, DeclarationFactory, UserFactory, lost_waves
from verification.models import IdentityVerification, OtpCode
from verification.otp import otp_send
from waves.models import Card, Enrollment

pytestmark = pytest.mark.django_db

LISTS = [
    pytest.param(OtpCode, ("number", "created_at", "used_at"), id="encrypted text"),
    pytest.param(IdentityVerification, ("nik_encrypted", "birth_date", "registry_excluded_occupation"), id="dates"),
    pytest.param(
        Attempt,
        ("started_at", "deadline", "submitted_at", "finished_reason", "score", "passed", "pass_score"),
        id="nulls and booleans",
    ),
    pytest.param(Declaration, ("excluded_groups", "other_aid", "truthful", "text__version"), id="json fields"),
    pytest.param(Card, ("number", "balance", "issued_at", "revoked_at", "wave__number"), id="related rows"),
    pytest.param(Enrollment, ("joined_at", "province_id", "wave__status", "wave__announce_at"), id="foreign keys"),
]


@pytest.fixture
def applicant(settings):
    settings.RATELIMIT_ENABLE = False
    user = ApplicantFactory(selected=True)
    lost_waves(user, 2, first_number=50)
    AttemptFactory(user=user, passed=False, started_at=timezone.now() - timedelta(days=40))
    AttemptFactory(user=user, submitted_at=None, finished_reason="", score=None, passed=None, pass_score=None)
    Card.objects.filter(user=user).update(revoked_at=timezone.now())
    otp_send(user=user, number="+6285799887766")
    Declaration.objects.filter(user=user).delete()
    DeclarationFactory(user=user, excluded_groups=[ExcludedGroup.values[0]], other_aid=[OtherAid.values[0]])
    return user


def values(instance, fields: tuple[str, ...]) -> dict:
    read = {}
    for path in fields:
        value = instance
        for name in path.split("__"):
            value = getattr(value, name)
        read[path] = value
    return read


@pytest.mark.parametrize(("model", "fields"), LISTS)
def test_a_list_read_as_json_equals_the_list_the_orm_reads(applicant, model, fields):
    row = User.objects.annotate(rows=json_rows(model.objects.filter(user=OuterRef("pk")), *fields)).get(pk=applicant.pk)

    read = rows_from_json(model, row.rows, order_by=("pk",))

    expected = list(model.objects.filter(user=applicant).order_by("pk"))
    assert len(expected) >= 1
    # Datetimes compare equal only when both are aware (a naive one never equals an aware one).
    assert [values(instance, fields) for instance in read] == [values(instance, fields) for instance in expected]


def test_an_empty_list_is_empty_on_every_database():
    user = UserFactory()

    row = User.objects.annotate(rows=json_rows(OtpCode.objects.filter(user=OuterRef("pk")), "number")).get(pk=user.pk)

    assert rows_from_json(OtpCode, row.rows) == []


def test_the_order_is_asked_for_as_in_a_query(applicant):
    row = User.objects.annotate(rows=json_rows(Attempt.objects.filter(user=OuterRef("pk")), "started_at")).get(
        pk=applicant.pk
    )

    read = rows_from_json(Attempt, row.rows, order_by=("-started_at", "-pk"))

    assert [attempt.pk for attempt in read] == list(
        Attempt.objects.filter(user=applicant).order_by("-started_at", "-pk").values_list("pk", flat=True)
    )
