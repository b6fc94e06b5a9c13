"""Synthetic applicants for a wave (``manage.py simulate_wave``): demo and benchmark tooling, never a request path.

Each applicant holds the rows the services would have written for the steps they took — the account (email
verified, the current privacy policy and terms, the applicants' group), the KTP check, the personal data, the KTP
photo's row, the verified phone number, the declaration, the test, the enrollment — built with the models' own
fields and written with ``bulk_create``, a batch per transaction. So the personal data is encrypted and its
blind indexes computed exactly as the services do it (``prakerja.fields``: the NIK, KK, birth date, names,
address and phone number as Fernet tokens, the NIK's, KK's and phone's HMAC index), only without the registry
round trip, the OTP, Argon2 hashing or sending email. Photos point at files that are not there (as the test
factories' do); passwords are unusable.

Applicants stop along the way at the rates in ``CONTINUE`` (roughly the shape of 2020's first wave: 5.97M accounts,
4.43M verified emails, 2.08M joined), so the console's funnel has every step to show. Who stops where, their
province (weighted by the wave's quotas), district, birth date and family follow from ``seed``; their NIKs and
phone numbers are unique by construction for up to 24 million per seed (serials 9000-9999, which the mock
registry's seeder hands out last) and any that an earlier account already holds is skipped.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import PrivacyPolicyText, TermsText, User
from accounts.roles import Role
from assessment.models import Attempt, Declaration, DeclarationText, FinishedReason
from dukcapil.nik import kk_build, nik_build
from prakerja.crypto import IdentifierKind, pii_digest
from regions.models import District
from verification.models import IdentityVerification, KtpPhoto, PersonalData, PhoneNumber
from waves.models import AgreementText, Enrollment, Wave
from waves.rules import adult_at_close

# Of those who took a step, the share who take the next one.
CONTINUE = {
    "email_verified": 0.74,
    "ktp_verified": 0.75,
    "personal_data": 0.93,
    "ktp_photo": 0.96,
    "phone_verified": 0.95,
    "declared": 0.97,
    "test_taken": 0.96,
    "test_passed": 0.86,
    "joined": 0.80,
}
FIRST_BIRTH_DATE = date(1975, 1, 1)
BIRTH_DAYS = 12_000  # to November 2007: everyone is 18 by a wave closing from 2026 on
SERIAL_FIRST, SERIALS = 9000, 1000
# Nobody logs in as a synthetic applicant (a random unusable one, as make_password(None) gives, costs 0.2 ms each).
UNUSABLE_PASSWORD = UNUSABLE_PASSWORD_PREFIX + "simulasi"
PER_SEED = BIRTH_DAYS * 2 * SERIALS
FIRST_NAMES = [
    "Agus",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fitri",
    "Gilang",
    "Hana",
    "Indra",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Putri",
    "Rina",
    "Siti",
    "Teguh",
    "Wayan",
    "Yuni",
]
LAST_NAMES = [
    "Pratama",
    "Saputra",
    "Wijaya",
    "Lestari",
    "Hidayat",
    "Nasution",
    "Siregar",
    "Sari",
    "Kurniawan",
    "Rahmawati",
    "Simanjuntak",
    "Putra",
    "Setiawan",
    "Utami",
    "Gunawan",
]


@dataclass
class SimulationResult:
    accounts: int = 0
    skipped: int = 0  # NIK or phone number already held by another account
    reached: dict[str, int] = field(default_factory=lambda: dict.fromkeys(["accounts", *CONTINUE], 0))


def wave_simulate(
    *,
    wave: Wave,
    applicants: int,
    seed: int,
    batch_size: int = 2_000,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Write ``applicants`` synthetic applicants for ``wave`` (see the module's docstring), ``batch_size`` per
    transaction; ``progress`` is told how many each batch wrote. Those who get that far join the wave if it has
    opened by ``now``; their steps are dated between two weeks before it opened and its close (or ``now``)."""
    now = now or timezone.now()
    world = _World.load(wave, seed, now)
    result = SimulationResult()
    for start in range(0, applicants, batch_size):
        count = min(batch_size, applicants - start)
        _batch(world, [seed % 20 * PER_SEED // 20 + start + n for n in range(count)], result)
        if progress:
            progress(count)
    return result


@dataclass
class _World:
    wave: Wave
    rng: random.Random
    start: datetime
    end: datetime
    provinces: list[str]
    weights: list[int]
    districts: dict[str, list[str]]
    group: Group
    policy: PrivacyPolicyText | None
    terms: TermsText | None
    declaration_text: DeclarationText
    agreement: AgreementText

    @classmethod
    def load(cls, wave: Wave, seed: int, now: datetime) -> "_World":
        quotas = dict(wave.province_quotas.values_list("province_id", "quota"))
        districts: dict[str, list[str]] = {}
        for code, province in District.objects.values_list("code", "regency__province_id"):
            districts.setdefault(province, []).append(code)
        provinces = sorted(quotas) or sorted(districts)
        return cls(
            wave=wave,
            rng=random.Random(seed),  # noqa: S311 - a reproducible synthetic population, not a secret
            start=wave.opens_at - timedelta(days=14),
            end=max(min(now, wave.closes_at) - timedelta(minutes=1), wave.opens_at - timedelta(days=13)),
            provinces=provinces,
            weights=[max(quotas.get(code, 1), 1) for code in provinces],
            districts=districts,
            group=Group.objects.get(name=Role.APPLICANT),
            policy=PrivacyPolicyText.objects.filter(is_current=True).first(),
            terms=TermsText.objects.filter(is_current=True).first(),
            declaration_text=DeclarationText.objects.get(is_current=True),
            agreement=AgreementText.objects.get(is_current=True),
        )

    def later(self, after: datetime, most_minutes: int) -> datetime:
        return min(after + timedelta(minutes=self.rng.randint(1, most_minutes)), self.end)


@dataclass
class _Person:
    user: User
    district: str
    nik: str
    kk: str
    birth_date: date
    female: bool
    phone: str
    steps: list[str]


def _person(world: _World, number: int) -> _Person:
    rng = world.rng
    province = rng.choices(world.provinces, world.weights)[0]
    district = rng.choice(world.districts[province])
    digits = district.replace(".", "")
    day, rest = number % BIRTH_DAYS, number // BIRTH_DAYS
    female, serial = bool(rest % 2), SERIAL_FIRST + (rest // 2) % SERIALS
    birth_date = FIRST_BIRTH_DATE + timedelta(days=day)
    # Families of one to three: the first member's KK is the next ones'.
    family_serial = SERIAL_FIRST + (number // 3) % SERIALS
    kk = kk_build(
        district_digits=digits, issued=date(2015, 1, 1) + timedelta(days=number // 3 % 3000), serial=family_serial
    )
    steps = ["accounts"]
    for step, share in CONTINUE.items():
        if rng.random() >= share:
            break
        steps.append(step)
    joined_at = world.later(world.start + (world.end - world.start) * rng.random(), 1)
    user = User(
        email=f"simulasi.{world.wave.number}.{number}@prakerja.example",
        password=UNUSABLE_PASSWORD,
        date_joined=joined_at,
        email_verified_at=world.later(joined_at, 120) if "email_verified" in steps else None,
        privacy_policy_text=world.policy,
        terms_text=world.terms,
    )
    return _Person(
        user=user,
        district=district,
        nik=nik_build(district_digits=digits, birth_date=birth_date, female=female, serial=serial),
        kk=kk,
        birth_date=birth_date,
        female=female,
        phone=f"+62899{number:08d}",
        steps=steps,
    )


def _taken(people: list[_Person]) -> tuple[set[str], set[str], set[str]]:
    """The NIK and phone indexes and emails of ``people`` that accounts already hold (three queries)."""
    niks = {pii_digest(p.nik, kind=IdentifierKind.NIK): p for p in people}
    phones = {pii_digest(p.phone, kind=IdentifierKind.PHONE): p for p in people}
    return (
        {
            niks[d].nik
            for d in IdentityVerification.objects.filter(nik_digest__in=niks).values_list("nik_digest", flat=True)
        },
        {
            phones[d].phone
            for d in PhoneNumber.objects.filter(number_digest__in=phones).values_list("number_digest", flat=True)
        },
        set(User.objects.filter(email__in=[p.user.email for p in people]).values_list("email", flat=True)),
    )


def _batch(world: _World, numbers: list[int], result: SimulationResult) -> None:
    people = [_person(world, number) for number in numbers]
    niks, phones, emails = _taken(people)
    kept = [p for p in people if p.nik not in niks and p.phone not in phones and p.user.email not in emails]
    result.skipped += len(people) - len(kept)
    with transaction.atomic():
        User.objects.bulk_create([p.user for p in kept])
        Membership = User.groups.through
        Membership.objects.bulk_create(Membership(user_id=p.user.pk, group_id=world.group.pk) for p in kept)
        rows: dict[type, list] = {
            model: []
            for model in (IdentityVerification, PersonalData, KtpPhoto, PhoneNumber, Declaration, Attempt, Enrollment)
        }
        for person in kept:
            _steps(world, person, rows, result)
        for model, objects in rows.items():
            model.objects.bulk_create(objects)
    result.accounts += len(kept)


def _steps(world: _World, p: _Person, rows: dict[type, list], result: SimulationResult) -> None:
    """The rows of the steps ``p`` took after the account, each dated a little after the one before."""
    user, rng, at = p.user, world.rng, p.user.email_verified_at
    for step in p.steps:
        result.reached[step] += 1
    steps = set(p.steps)
    if "ktp_verified" not in steps:
        return
    at = world.later(at, 60 * 24)
    identity = IdentityVerification(
        user=user,
        birth_date=p.birth_date,
        sex="P" if p.female else "L",
        registry_excluded_occupation=False,
        verified_at=at,
    )
    identity.nik, identity.kk = p.nik, p.kk  # encrypted by the properties; indexed by the fields on save
    rows[IdentityVerification].append(identity)
    if "personal_data" not in steps:
        return
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    rows[PersonalData].append(
        PersonalData(
            user=user,
            full_name=name.upper(),
            mother_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}".upper(),
            address=f"JL. MERDEKA NO. {rng.randint(1, 200)}",
            district_id=p.district,
            sex="P" if p.female else "L",
            education="sma",
            marital_status="belum_kawin",
            dependents=rng.randint(0, 3),
            training_topic="pemasaran_digital",
            completed_at=(at := world.later(at, 60)),
        )
    )
    if "ktp_photo" not in steps:
        return
    rows[KtpPhoto].append(
        KtpPhoto(
            user=user,
            image=f"ktp/simulasi/{user.pk}.jpg",
            thumbnail=f"ktp/simulasi/thumbnails/{user.pk}.jpg",
            width=1600,
            height=1000,
            size_bytes=300_000,
            original_bytes=3_000_000,
            original_kind="jpeg",
            from_camera=True,
            camera="",
            uploaded_at=(at := world.later(at, 30)),
        )
    )
    if "phone_verified" not in steps:
        return
    rows[PhoneNumber].append(PhoneNumber(user=user, number=p.phone, verified_at=(at := world.later(at, 30))))
    if "declared" not in steps:
        return
    rows[Declaration].append(
        Declaration(
            user=user,
            current_for=user,  # the declaration in force: what user.declaration and the rules read
            text=world.declaration_text,
            employment="phk",
            in_formal_education=False,
            excluded_groups=[],
            other_aid=[],
            truthful=True,
            exclusion_reasons=[],
            submitted_at=(at := world.later(at, 60 * 24)),
        )
    )
    if "test_taken" not in steps:
        return
    started = world.later(at, 60 * 24)
    passed = "test_passed" in steps
    rows[Attempt].append(
        Attempt(
            user=user,
            seed=rng.randint(1, 2**31),
            started_at=started,
            deadline=started + timedelta(minutes=25),
            submitted_at=(at := world.later(started, 25)),
            finished_reason=FinishedReason.SUBMITTED,
            score=rng.randint(60, 100) if passed else rng.randint(0, 59),
            pass_score=60,
            passed=passed,
        )
    )
    wave = world.wave
    if "joined" not in steps or wave.opens_at > world.end:
        return
    rows[Enrollment].append(
        Enrollment(
            wave=wave,
            user=user,
            province_id=p.district[:2],
            agreement=world.agreement,
            joined_at=world.later(max(at, wave.opens_at), 60 * 24),
            pending=True,
            adult_at_close=adult_at_close(p.birth_date, wave.closes_at),
            adult_counted_for=wave.closes_at,
        )
    )
