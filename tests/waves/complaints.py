"""Building "gagal 3 kali" histories through the real selection: waves in the past, one place in Jawa Barat, the
applicant against a rival who wins the lottery."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from tests.factories import staff_user
from tests.uploads_catalogue import letter_pdf
from tests.waves.conftest import enrolled, wave_create
from uploads import document_process
from waves.lottery import lottery_number
from waves.models import AgreementText, Enrollment, Wave
from waves.selection import selection_run
from waves.services import waves_record_schedule

WAVE_DAYS = 20  # one wave every 20 days, the latest announced 5 days ago


def lost_wave(user, number: int, *, opens_at=None, announced: bool = True, rival_wins: bool = True) -> Wave:
    """A wave ``user`` joins and (by default) loses to a rival for its one place; its results are out unless
    ``announced`` is False."""
    now = timezone.now()
    opens_at = opens_at or now - timedelta(days=15)
    if not announced:
        opens_at = now - timedelta(days=8)  # closed a day ago, announced in two days
    wave = wave_create(number=number, province_quotas={"32": 1}, opens_at=opens_at, pool_unused_quota=False)
    rival = enrolled(wave)
    mine = Enrollment.objects.create(
        wave=wave, user=user, province_id="32", agreement=AgreementText.objects.get(is_current=True), joined_at=opens_at
    )
    first, second = (rival, mine) if rival_wins else (mine, rival)
    seed = next(s for s in range(1, 10_000) if lottery_number(s, first.pk) < lottery_number(s, second.pk))
    selection_run(wave=wave, acting_user=None, seed=seed, now=wave.closes_at + timedelta(hours=1))
    waves_record_schedule(now=now)  # the announcement recorded: the applicant may join the next wave
    return wave


def lost_waves(user, count: int, *, first_number: int = 1) -> list[Wave]:
    """``count`` lost waves, oldest first, the latest announced five days ago."""
    now = timezone.now()
    return [
        lost_wave(user, first_number + i, opens_at=now - timedelta(days=15 + WAVE_DAYS * (count - 1 - i)))
        for i in range(count)
    ]


def reviewer(**fields):
    return staff_user(Role.REVIEWER, **fields)


def signed_letter(name: str = "surat-bertanda-tangan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, letter_pdf(), content_type="application/pdf")


def processed_letter():
    return document_process(signed_letter())
