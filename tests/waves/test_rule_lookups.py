"""The rules' look-ups (waves/rules.py, ``Lookups``) read per applicant, as the join-time check reads them, and
joined once for the whole wave, as the selection reads them (``JoinedLookups``): the same verdict for every
applicant, and in the selection's statement no subquery run once per row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import Attempt
from prakerja.crypto import IdentifierKind, pii_digest
from tests.factories import WaveFactory, enrolled
from tests.factories.accounts import reviewer
from tests.factories.waves import ComplaintFactory, earlier_cards
from verification.models import RetainedNikIndex
from waves.models import Card, ComplaintStatus, Enrollment
from waves.rules import JoinedLookups, first_failure, priority_tier
from waves.selection import selection_run

pytestmark = pytest.mark.django_db


def a_wave_with_every_look_up():
    """A closed wave whose applicants each meet one look-up: a card of their own, a retained NIK, a KK full in an
    announced wave or filled in one not announced yet, no passed test, an approved complaint (its letter stored:
    the test needs ``private_media``); and one who meets none. Returns the wave and, by what they meet, their
    enrollments."""
    now = timezone.now()
    announced = WaveFactory(number=41, opens_at=now - timedelta(days=60), province_quotas={"32": 5})
    unannounced = WaveFactory(number=42, opens_at=now - timedelta(days=25), province_quotas={"32": 5})
    unannounced.announce_at = now + timedelta(days=5)
    unannounced.save(update_fields=["announce_at"])
    wave = WaveFactory(number=43, closed=True, province_quotas={"32": 10}, pool_unused_quota=False)
    full, filled = "3276010102880001", "3276010102880002"
    earlier_cards(announced, {full: 2})
    earlier_cards(unannounced, {filled: 2})
    applicants = {
        "none": enrolled(wave),
        "card": enrolled(wave),
        "retained_nik": enrolled(wave),
        "kk_full": enrolled(wave, kk=full),
        "kk_filled_elsewhere": enrolled(wave, kk=filled),
        "test_not_passed": enrolled(wave, passed=False),
        "complaint": enrolled(wave),
    }
    holder = applicants["card"].user
    Card.objects.create(
        result_id=10**12,
        user=holder,
        wave=announced,
        number="9000000000000001",
        kk_digest=pii_digest("3276010102880003", kind=IdentifierKind.KK),
        balance=1_000_000,
        issued_at=announced.announce_at,
        first_training_deadline=announced.announce_at + timedelta(days=30),
    )
    RetainedNikIndex.objects.create(
        nik_digest=applicants["retained_nik"].user.identity.nik_digest, retained_at=now - timedelta(days=1)
    )
    ComplaintFactory(
        user=applicants["complaint"].user, status=ComplaintStatus.APPROVED, reviewer=reviewer(), decided_at=now
    )
    return wave, applicants


def test_each_look_up_gives_the_same_verdict_per_applicant_and_joined(private_media):
    wave, applicants = a_wave_with_every_look_up()
    enrollments = Enrollment.objects.filter(wave=wave).order_by("pk")

    per_applicant = list(
        enrollments.annotate(reason=first_failure(wave, "user__"), tier=priority_tier("user__")).values_list(
            "pk", "reason", "tier"
        )
    )
    lookups = JoinedLookups()
    sql, params = lookups.sql(
        enrollments.annotate(
            reason=first_failure(wave, "user__", lookups), tier=priority_tier("user__", lookups)
        ).values_list("pk", "reason", "tier")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        joined = [tuple(row) for row in cursor.fetchall()]

    assert joined == per_applicant
    verdicts = {pk: (reason, tier) for pk, reason, tier in joined}
    assert {name: verdicts[enrollment.pk] for name, enrollment in applicants.items()} == {
        "none": (None, 0),
        "card": ("past_recipient", 0),
        "retained_nik": ("past_recipient", 0),
        "kk_full": ("kk_full", 0),
        "kk_filled_elsewhere": ("kk_filled_elsewhere", 0),
        "test_not_passed": ("test_not_passed", 0),
        "complaint": (None, 1),
    }
    # each set of rows joined once: complaints, cards by user, retained NIKs, cards by KK (announced, and all),
    # passed attempts
    assert sql.count(" LEFT JOIN (") == 6 and "EXISTS" not in sql


def test_the_selections_statement_joins_its_look_ups_instead_of_a_subquery_per_row(private_media):
    wave, _applicants = a_wave_with_every_look_up()

    with CaptureQueriesContext(connection) as queries:
        run = selection_run(wave=wave, acting_user=None, seed=1)

    (ranking,) = [query["sql"] for query in queries.captured_queries if "enrollment_rows" in query["sql"]]
    assert "EXISTS" not in ranking and "rule_lookup_" in ranking
    assert run.counts["reasons"] == {"past_recipient": 2, "kk_full": 1, "kk_filled_elsewhere": 1, "test_not_passed": 1}
    if connection.vendor == "postgresql":
        # The plan of its SELECT: no subplan, which the executor would run again for every enrollment.
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {ranking[ranking.index(' AS ') + 4 :]}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "SubPlan" not in plan


def test_joined_look_ups_refuse_a_query_without_a_where_of_its_own(db):
    # The only WHERE is a subquery's: the joins must not go into it.
    wave = WaveFactory(closed=True, province_quotas={"32": 1})
    lookups = JoinedLookups()
    rows = Enrollment.objects.annotate(
        reason=first_failure(wave, "user__", lookups),
        attempts=Subquery(Attempt.objects.filter(user=OuterRef("user")).values("pk")[:1]),
    )

    with pytest.raises(ValueError, match="before the WHERE of a query that has one"):
        lookups.sql(rows.values_list("pk", "reason", "attempts"))
