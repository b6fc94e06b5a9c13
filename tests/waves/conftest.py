from datetime import date, timedelta

import pytest

from tests.assessment.conftest import declare
from tests.clock import T0
from tests.factories import UserFactory, registry_resident


def wave_create(*, number=1, province_quotas=None, opens_at=T0, days_open=7, publish=True, **fields):
    """A wave with quotas (default: Jawa Barat 100, DKI Jakarta 50), published unless told otherwise.

    Returned as read back from the database, as every service sees it: its times in UTC, not in the zone they
    were given in (a rule that takes ``.date()`` of them counts the UTC day, and a test must see that)."""
    from waves.models import ProvinceQuota, Wave

    quotas = province_quotas or {"32": 100, "31": 50}
    wave = Wave.objects.create(
        number=number,
        name=f"Gelombang {number}",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=days_open),
        announce_at=opens_at + timedelta(days=days_open + 3),
        quota=sum(quotas.values()),
        published_at=opens_at - timedelta(days=1) if publish else None,
        **fields,
    )
    ProvinceQuota.objects.bulk_create(ProvinceQuota(wave=wave, province_id=code, quota=q) for code, q in quotas.items())
    return Wave.objects.get(pk=wave.pk)


def ready_applicant(
    *, birth_date=date(1995, 8, 17), district="32.76.01", occupation="KARYAWAN SWASTA", passed=True, **declaration
):
    """An applicant who has done steps 1-7 (the test passed unless ``passed`` is False)."""
    from assessment.models import Attempt
    from regions.models import District
    from verification.models import KtpPhoto, PersonalData, PhoneNumber
    from verification.services import identity_verify

    user = UserFactory(verified=True)
    resident = registry_resident(birth_date=birth_date, occupation=occupation, district_code=district)
    identity_verify(user=user, nik=resident.nik, kk=resident.family_id, birth_date=birth_date)
    PersonalData.objects.create(
        user=user,
        full_name="Siti Aminah",
        mother_name="Nurhayati",
        address="Jl. Merdeka 1",
        district=District.objects.get(pk=district),
        sex="P",
        education="sma",
        marital_status="kawin",
        dependents=1,
        employment_status="phk",
        training_topic="kuliner",
        completed_at=T0 - timedelta(days=30),
    )
    KtpPhoto.objects.create(
        user=user,
        image=f"ktp/{user.pk}.jpg",
        thumbnail=f"ktp/thumbnails/{user.pk}.jpg",
        width=1600,
        height=1000,
        size_bytes=300_000,
        original_bytes=3_000_000,
        original_kind="jpeg",
        from_camera=True,
        camera="samsung SM-A515F",
        uploaded_at=T0 - timedelta(days=30),
    )
    PhoneNumber.objects.create(user=user, number=f"+62812{user.pk:08d}", verified_at=T0 - timedelta(days=30))
    declare(user, **declaration)
    started = T0 - timedelta(days=20)
    Attempt.objects.create(
        user=user,
        seed=1,
        started_at=started,
        deadline=started + timedelta(minutes=25),
        submitted_at=started + timedelta(minutes=10),
        finished_reason="submitted",
        score=80 if passed else 20,
        pass_score=60,
        passed=passed,
    )
    return user


@pytest.fixture
def wave(db):
    return wave_create()


_numbers = iter(range(10**6, 10**7))


def _applicant_rows(
    user,
    serial,
    *,
    kk=None,
    birth_date=date(1995, 8, 17),
    passed=True,
    in_education=False,
    excluded_groups=(),
    registry_excluded=False,
    declaration_text=None,
) -> list:
    """The unsaved rows of an applicant who did every step: identity, declaration and test attempt."""
    from assessment.models import Attempt, Declaration, DeclarationText
    from prakerja.crypto import IdentifierKind, pii_digest, pii_encrypt
    from verification.models import IdentityVerification

    nik = f"327601{birth_date:%d%m%y}{serial % 10000:04d}"
    kk = kk or f"3276010102{serial:06d}"
    started = T0 - timedelta(days=20)
    return [
        IdentityVerification(
            user=user,
            nik_encrypted=pii_encrypt(nik),
            nik_digest=pii_digest(f"{nik}:{serial}", kind=IdentifierKind.NIK),
            kk_encrypted=pii_encrypt(kk),
            kk_digest=pii_digest(kk, kind=IdentifierKind.KK),
            birth_date=birth_date,
            sex="L",
            registry_excluded_occupation=registry_excluded,
            verified_at=T0 - timedelta(days=30),
        ),
        Declaration(
            user=user,
            text=declaration_text or DeclarationText.objects.get(is_current=True),
            employment="phk",
            in_formal_education=in_education,
            excluded_groups=list(excluded_groups),
            other_aid=[],
            truthful=True,
            exclusion_reasons=["in_education"] if in_education else [],
            submitted_at=T0 - timedelta(days=25),
        ),
        Attempt(
            user=user,
            seed=1,
            started_at=started,
            deadline=started + timedelta(minutes=25),
            submitted_at=started + timedelta(minutes=10),
            finished_reason="submitted",
            score=80 if passed else 20,
            pass_score=60,
            passed=passed,
        ),
    ]


def enrolled(wave, *, province="32", **applicant):
    """A user enrolled in ``wave``, built straight into the tables (``applicant``: the options of
    ``_applicant_rows``, e.g. ``kk``, ``passed``, ``in_education``)."""
    from waves.models import AgreementText, Enrollment

    user = UserFactory(verified=True)
    for row in _applicant_rows(user, next(_numbers), **applicant):
        row.save()
    return Enrollment.objects.create(
        wave=wave, user=user, province_id=province, agreement=AgreementText.objects.get(is_current=True), joined_at=T0
    )


def enrolled_many(wave, count: int, *, provinces=("32", "31"), kks=None) -> None:
    """``count`` applicants who did every step, enrolled in ``wave`` (spread over ``provinces`` in turn): the
    rows ``enrolled`` writes one by one, in one bulk insert per table, thousands in a second. ``kks``: the KK
    number of each applicant in turn (default: a family of their own each)."""
    from accounts.models import User
    from assessment.models import DeclarationText
    from waves.models import AgreementText, Enrollment

    serials = [next(_numbers) for _ in range(count)]
    users = User.objects.bulk_create(
        User(email=f"massal{serial}@contoh.id", password="!", email_verified_at=T0 - timedelta(days=31))
        for serial in serials
    )
    text = DeclarationText.objects.get(is_current=True)
    tables: dict[type, list] = {}
    for n, (user, serial) in enumerate(zip(users, serials)):
        for row in _applicant_rows(user, serial, declaration_text=text, kk=kks[n] if kks else None):
            tables.setdefault(type(row), []).append(row)
    for model, rows in tables.items():
        model.objects.bulk_create(rows)
    agreement = AgreementText.objects.get(is_current=True)
    Enrollment.objects.bulk_create(
        Enrollment(wave=wave, user=user, province_id=provinces[n % len(provinces)], agreement=agreement, joined_at=T0)
        for n, user in enumerate(users)
    )


def announced_wave(number: int = 2):
    """A wave announced long before the ones the tests close (opened 90 days ago): its cards are known to every
    rule (waves/rules.py counts another wave's cards as known once it is announced)."""
    from django.utils import timezone

    return wave_create(number=number, opens_at=timezone.now() - timedelta(days=90))


def earlier_cards(wave, kks: dict[str, int]) -> None:
    """Cards of an earlier ``wave`` for the KK numbers in ``kks`` (how many each), held by people who are not in
    the wave being tested. The KK cap counts a KK's cards by its digest (waves/rules.py, kk_room); the results the
    cards were issued from do not matter to it, so none are written."""
    from accounts.models import User
    from prakerja.crypto import IdentifierKind, pii_digest
    from waves.models import Card

    holders = [(kk, next(_numbers)) for kk, n in kks.items() for _ in range(n)]
    users = User.objects.bulk_create(
        User(email=f"penerima{serial}@contoh.id", password="!", email_verified_at=T0) for _kk, serial in holders
    )
    Card.objects.bulk_create(
        Card(
            result_id=10**12 + serial,
            user=user,
            wave=wave,
            number=f"9{serial:015d}",
            kk_digest=pii_digest(kk, kind=IdentifierKind.KK),
            balance=1_000_000,
            issued_at=T0,
            first_training_deadline=T0 + timedelta(days=30),
        )
        for (kk, serial), user in zip(holders, users)
    )
