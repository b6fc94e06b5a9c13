"""The registration journey: the 8 steps of DESIGN §2, in order, and what makes each one done.

A step's state is never stored: it is derived from facts each app owns (``Progress``), read through their
selectors. The first step that is not done is the current one; every step after it is locked. Steps whose
page does not exist yet have no ``url_name``; the dashboard says so instead of linking to nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Progress:
    """What one applicant has done, gathered once per request from the apps' selectors."""

    email_verified: bool
    identity_verified: bool = False
    personal_data_done: bool = False
    ktp_photo_done: bool = False
    phone_verified: bool = False
    # The declaration counts as done only when its answers leave the applicant eligible; an excluded
    # applicant stays on step 6, where the page names the rule that applies.
    declaration_eligible: bool = False
    declaration_exclusions: tuple[str, ...] = ()
    test_passed: bool = False
    test_failed: bool = False
    wave_pending: bool = False
    recipient: bool = False


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    LOCKED = "locked"


@dataclass(frozen=True)
class Step:
    key: str
    title: Promise
    description: Promise
    is_done: Callable[[Progress], bool]
    url_name: str | None = None
    action_label: Promise | None = None


STEPS: tuple[Step, ...] = (
    Step(
        key="account",
        title=_("Buat akun"),
        description=_("Daftar dengan email dan kata sandi, lalu verifikasi email Anda."),
        is_done=lambda progress: progress.email_verified,
    ),
    Step(
        key="ktp",
        title=_("Verifikasi KTP"),
        description=_("Masukkan NIK, nomor KK, dan tanggal lahir sesuai data Dukcapil."),
        is_done=lambda progress: progress.identity_verified,
        url_name="journey:ktp_verify",
        action_label=_("Verifikasi KTP sekarang"),
    ),
    Step(
        key="personal_data",
        title=_("Data diri"),
        description=_("Lengkapi nama, nama ibu kandung, alamat, domisili, dan data lainnya."),
        is_done=lambda progress: progress.personal_data_done,
        url_name="journey:personal_data",
        action_label=_("Isi data diri"),
    ),
    Step(
        key="ktp_photo",
        title=_("Foto KTP"),
        description=_("Unggah foto KTP yang diambil langsung dari kamera HP."),
        is_done=lambda progress: progress.ktp_photo_done,
        url_name="journey:ktp_photo",
        action_label=_("Unggah foto KTP"),
    ),
    Step(
        key="phone",
        title=_("Verifikasi nomor HP"),
        description=_("Masukkan nomor HP aktif dan kode OTP yang dikirim lewat SMS."),
        is_done=lambda progress: progress.phone_verified,
        url_name="journey:phone_verify",
        action_label=_("Verifikasi nomor HP"),
    ),
    Step(
        key="declaration",
        title=_("Pernyataan pendaftar"),
        description=_("Isi pernyataan sesuai kondisi Anda."),
        is_done=lambda progress: progress.declaration_eligible,
        url_name="journey:declaration",
        action_label=_("Isi pernyataan"),
    ),
    Step(
        key="test",
        title=_("Tes Motivasi & Kemampuan Dasar"),
        description=_("18 soal dalam 25 menit."),
        is_done=lambda progress: progress.test_passed,
        url_name="journey:assessment_start",
        action_label=_("Mulai Tes Sekarang"),
    ),
    Step(
        key="wave",
        title=_("Gabung gelombang"),
        description=_("Pilih gelombang yang dibuka untuk domisili Anda, lalu setujui Persetujuan Kartu Prakerja."),
        is_done=lambda progress: progress.wave_pending or progress.recipient,
        url_name="journey:wave_list",
        action_label=_("Lihat gelombang"),
    ),
)

STEP_KEYS = tuple(step.key for step in STEPS)


@dataclass(frozen=True)
class StepStatus:
    number: int
    step: Step
    state: StepState


@dataclass(frozen=True)
class Journey:
    statuses: tuple[StepStatus, ...]
    progress: Progress

    @property
    def current(self) -> StepStatus | None:
        """The one step to do next; ``None`` when every step is done."""
        return next((status for status in self.statuses if status.state == StepState.CURRENT), None)

    @property
    def total(self) -> int:
        return len(self.statuses)

    @property
    def done_count(self) -> int:
        return sum(status.state == StepState.DONE for status in self.statuses)

    def status_of(self, key: str) -> StepStatus:
        return next(status for status in self.statuses if status.step.key == key)


def journey_from(progress: Progress) -> Journey:
    statuses = []
    blocked = False
    for number, step in enumerate(STEPS, start=1):
        if not blocked and step.is_done(progress):
            state = StepState.DONE
        elif not blocked:
            state, blocked = StepState.CURRENT, True
        else:
            state = StepState.LOCKED
        statuses.append(StepStatus(number=number, step=step, state=state))
    return Journey(statuses=tuple(statuses), progress=progress)
