"""simulate_wave: synthetic applicants holding the rows the services write, encrypted and indexed the same way."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from console.funnel import STEP_NAMES
from console.selectors import console_wave
from console.services import funnel_refresh
from prakerja.crypto import IdentifierKind, pii_digest, pii_is_token
from tests.factories import WaveFactory
from tests.helpers import stored
from verification.models import IdentityVerification, PersonalData, PhoneNumber
from waves.models import Enrollment
from waves.selection import selection_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def simulate(wave, applicants=300, seed=3) -> str:
    out = io.StringIO()
    call_command(
        "simulate_wave", wave.number, applicants=applicants, seed=seed, batch_size=128, stdout=out, verbosity=0
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
