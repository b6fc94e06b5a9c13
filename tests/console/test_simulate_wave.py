"""simulate_wave: synthetic applicants holding the rows the services write, encrypted and indexed the same way."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.services import user_signup
from assessment.models import Attempt, Declaration
from console.funnel import STEP_NAMES
from console.selectors import console_wave
from console.services import funnel_refresh
from console.simulation import ALL_JOIN, wave_simulate
from prakerja.crypto import IdentifierKind, pii_digest, pii_is_token
from prakerja.fields import BlindIndexField, EncryptedField, FernetTokenField
from tests.factories import PASSWORD, ApplicantFactory, WaveFactory
from tests.helpers import stored
from verification.models import IdentityVerification, KtpPhoto, PersonalData, PhoneNumber
from waves.models import Enrollment
from waves.selection import selection_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def simulate(wave, applicants=300, seed=3, funnel=None) -> str:
    out = io.StringIO()
    options = {"all_join": True} if funnel is ALL_JOIN else {}
    call_command(
        "simulate_wave",
        wave.number,
        applicants=applicants,
        seed=seed,
        batch_size=128,
        stdout=out,
        verbosity=0,
        **options,
    )
    return out.getvalue()


def test_the_applicants_stop_along_the_journey_and_the_funnel_counts_them():
    wave = WaveFactory(open=True)

    output = simulate(wave)

    funnel_refresh(wave=wave)
    steps = [step.count for step in console_wave(wave=wave, now=timezone.now()).funnel.total.steps]
    assert steps[0] == 300
    assert steps == sorted(steps, reverse=True) and steps[STEP_NAMES.index("joined")] > 0
    assert steps[STEP_NAMES.index("joined")] == Enrollment.objects.filter(wave=wave).count()
    assert "300 synthetic applicants written" in output


def test_personal_data_is_encrypted_and_indexed_as_the_services_do_it():
    wave = WaveFactory(open=True)
    simulate(wave, applicants=60)

    identity = IdentityVerification.objects.first()
    nik_token, nik_digest, kk_digest = stored(identity, "nik_encrypted", "nik_digest", "kk_digest")
    assert pii_is_token(nik_token) and identity.nik.isdigit() and len(identity.nik) == 16
    assert nik_digest == pii_digest(identity.nik, kind=IdentifierKind.NIK)
    assert kk_digest == pii_digest(identity.kk, kind=IdentifierKind.KK)
    phone = PhoneNumber.objects.first()
    assert stored(phone, "number_digest")[0] == pii_digest(phone.number, kind=IdentifierKind.PHONE)
    assert pii_is_token(stored(phone, "number")[0])
    person = PersonalData.objects.first()
    assert all(pii_is_token(value) for value in stored(person, "full_name", "mother_name", "address"))


def test_the_wave_is_selected_like_any_other(frozen):
    wave = WaveFactory(open=True, province_quotas={"32": 20, "31": 10, "35": 10})
    simulate(wave, applicants=200)
    frozen.move_to(wave.closes_at + timedelta(hours=1))

    run = selection_run(wave=wave, acting_user=None, seed=1)

    assert run.counts["enrollments"] == Enrollment.objects.filter(wave=wave).count()
    assert run.counts["selected"] == min(40, run.counts["enrollments"])


def test_the_same_seed_twice_adds_nobody_and_a_selected_wave_is_refused():
    wave = WaveFactory(open=True)
    simulate(wave, applicants=50)

    assert "0 synthetic applicants written" in simulate(wave, applicants=50)
    with pytest.raises(CommandError, match="selected already"):
        simulate(WaveFactory(selected=True), applicants=5)


ACCOUNT_ROWS = (User, User.groups.through)  # compared with user_signup's
JOURNEY_ROWS = (IdentityVerification, PersonalData, KtpPhoto, PhoneNumber, Declaration, Attempt, Enrollment)
# What legitimately differs between two applicants: who they are, when they did it, their answers' values.
OWN = {"id", "user_id", "current_for_id", "password", "email", "date_joined", "email_verified_at", "verified_at",
       "completed_at", "uploaded_at", "submitted_at", "started_at", "deadline", "joined_at", "registration_number",
       "birth_date", "sex", "district_id", "province_id", "dependents", "image", "thumbnail", "seed", "score",
       "full_name", "mother_name", "address", "number", "nik_encrypted", "kk_encrypted", "nik_digest", "kk_digest",
       "number_digest", "width", "height", "size_bytes", "original_bytes", "from_camera", "camera", "employment",
       "education", "marital_status", "training_topic"}  # fmt: skip


def row_of(model, column: str, value) -> dict:
    """The row of ``model`` whose ``column`` is ``value``, as the database holds it (tokens, not plain values)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s", [value])
        rows = cursor.fetchall()
        assert len(rows) == 1, (model, rows)
        return dict(zip([column[0] for column in cursor.description], rows[0], strict=True))


def test_a_simulated_applicant_holds_the_rows_the_services_write_field_by_field():
    wave = WaveFactory(open=True)
    signed_up = user_signup(email="daftar@contoh.id", password=PASSWORD)
    User.objects.filter(pk=signed_up.pk).update(email_verified_at=timezone.now())  # as email_verify does
    joined = ApplicantFactory(joined=True, wave=wave)  # every step through its service (tests/factories)

    simulate(wave, applicants=1, funnel=ALL_JOIN)

    simulated = User.objects.exclude(pk__in=[signed_up.pk, joined.pk]).get()
    for model in (*ACCOUNT_ROWS, *JOURNEY_ROWS):
        key = "id" if model is User else "user_id"
        real = signed_up if model in ACCOUNT_ROWS else joined
        by_service, by_simulation = row_of(model, key, real.pk), row_of(model, key, simulated.pk)
        for f in model._meta.concrete_fields:
            theirs, ours = by_service[f.column], by_simulation[f.column]
            where = f"{model.__name__}.{f.name}"
            assert (theirs is None) == (ours is None), where
            assert type(theirs) is type(ours), where
            if isinstance(f, EncryptedField | FernetTokenField):
                assert pii_is_token(theirs) and pii_is_token(ours), where
            elif f.attname not in OWN:
                assert theirs == ours, where
        # Blind indexes as a save computes them from the plain values, which read back as the services' do.
        ours = model.objects.get(**{key: simulated.pk})
        for f in model._meta.concrete_fields:
            if isinstance(f, BlindIndexField) and f.source:
                assert getattr(ours, f.attname) == f.digest_for(ours)
    identity = IdentityVerification.objects.get(user=simulated)
    assert len(identity.nik) == 16 and identity.birth_date.year >= 1975
    assert User.objects.get(pk=simulated.pk).has_usable_password() is False


@pytest.mark.django_db(transaction=True)  # the processes see only what is committed
def test_processes_write_what_one_process_writes():
    if connection.vendor != "postgresql":
        pytest.skip("processes are for PostgreSQL; SQLite writes in one")
    wave = WaveFactory(open=True)

    def population(processes: int) -> tuple:
        result = wave_simulate(wave=wave, applicants=300, seed=4, batch_size=40, processes=processes)
        rows = sorted(
            (user.email, user.identity.nik if hasattr(user, "identity") else "")
            for user in User.objects.filter(email__startswith="simulasi.").select_related("identity")
        )
        enrolled = sorted(Enrollment.objects.filter(wave=wave).values_list("user__email", "province_id"))
        User.objects.filter(email__startswith="simulasi.").delete()
        return result.accounts, result.reached, rows, enrolled

    in_two = population(2)

    assert in_two == population(1)
    assert in_two[0] == 300 and in_two[1]["joined"] == len(in_two[3]) > 0
