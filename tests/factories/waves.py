"""Waves in each state, enrollments, selection runs, and the histories the "gagal 3 kali" tests need.

    WaveFactory()                   # published, opening at T0 for 7 days (Jawa Barat 100, DKI Jakarta 50)
    WaveFactory(draft=True)         # never published: it does not open by itself
    WaveFactory(published=True)     # opens in two weeks
    WaveFactory(open=True)          # opened yesterday
    WaveFactory(closed=True)        # closed long ago, not selected (its announcement time has passed too)
    WaveFactory(selecting=True)     # closed, a run "running" (what a killed process leaves)
    WaveFactory(selected=True)      # selected by a real run, results hidden until its announcement tomorrow
    WaveFactory(announced=True)     # selected, and announced five days ago

The states are counted from the clock's now when the wave is built (frozen or not). A wave is returned as read
back from the database, as every service sees it: its times in UTC, not in the zone they were given in.
"""

from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from tests.clock import T0
from tests.factories.accounts import UserFactory
from tests.factories.applicants import ApplicantFactory
from tests.factories.assessment import AttemptFactory, DeclarationFactory
from tests.factories.registry import BIRTH_DATE, KK_ISSUED, _serial
from tests.factories.verification import IdentityVerificationFactory
from waves.models import (
    AgreementText,
    Card,
    Complaint,
    Enrollment,
    ProvinceQuota,
    SelectionRun,
    StatementText,
    Wave,
    WaveStatus,
)


def _days_from_now(days: int):
    return factory.LazyFunction(lambda: timezone.now() + timedelta(days=days))


def _next_number() -> int:
    return (Wave.objects.aggregate(highest=Max("number"))["highest"] or 0) + 1


class WaveFactory(factory.django.DjangoModelFactory):
    """See the module's docstring. ``province_quotas`` (province code: places) makes the national quota add up,
    as publishing requires; the wave is published (the day before it opens) unless ``draft``."""

    class Meta:
        model = Wave

    class Params:
        days_open = 7
        draft = factory.Trait(published_at=None)
        published = factory.Trait(opens_at=_days_from_now(14))
        open = factory.Trait(opens_at=_days_from_now(-1))
        closed = factory.Trait(opens_at=_days_from_now(-30))
        selecting = factory.Trait(opens_at=_days_from_now(-30), run="running")
        selected = factory.Trait(opens_at=_days_from_now(-9), run="selected")
        announced = factory.Trait(opens_at=_days_from_now(-15), run="announced")

    number = factory.LazyFunction(_next_number)
    name = factory.LazyAttribute(lambda o: f"Gelombang {o.number}")
    opens_at = T0
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + timedelta(days=o.days_open))
    announce_at = factory.LazyAttribute(lambda o: o.opens_at + timedelta(days=o.days_open + 3))
    province_quotas = factory.LazyFunction(lambda: {"32": 100, "31": 50})
    quota = factory.LazyAttribute(lambda o: sum(o.province_quotas.values()))
    published_at = factory.LazyAttribute(lambda o: o.opens_at - timedelta(days=1))
    run = None

    @classmethod
    def _create(cls, model_class, *args, province_quotas, run, **fields):
        from waves.services import waves_record_schedule

        wave = super()._create(model_class, *args, **fields)
        ProvinceQuota.objects.bulk_create(
            ProvinceQuota(wave=wave, province_id=code, quota=places) for code, places in province_quotas.items()
        )
        if run == "running":
            SelectionRunFactory(wave=wave, running=True)
        elif run:
            SelectionRunFactory(wave=wave)
            if run == "announced":
                waves_record_schedule()
        return Wave.objects.get(pk=wave.pk)


class SelectionRunFactory(factory.django.DjangoModelFactory):
    """A run of selection_run on ``wave`` (default: a closed wave) with ``seed``: results, cards and the
    announcement's messages, as an operator's run writes them.

    ``running=True``: what a process killed mid-run leaves instead: its wave "selecting", the run "running",
    nothing written and nobody holding the wave's lock."""

    class Meta:
        model = SelectionRun

    wave = factory.SubFactory(WaveFactory, closed=True)
    operator = None
    seed = 1
    running = False
    started_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, wave, operator, seed, running, started_at, **fields):
        from waves.selection import selection_run

        if not running:
            return selection_run(wave=wave, acting_user=operator, seed=seed)
        Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.SELECTING)
        return model_class.objects.create(wave=wave, operator=operator, seed=seed, started_at=started_at, **fields)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An enrollment written straight into the table, joined when ``wave`` (default: a closed wave) opened.

    The selection tests need this: they enrol applicants whom a join (enrollment_join, or
    ``ApplicantFactory(joined=True)``) would refuse, to see that the selection excludes them too."""

    class Meta:
        model = Enrollment

    wave = factory.SubFactory(WaveFactory, closed=True)
    user = factory.SubFactory(ApplicantFactory, test_passed=True)
    province_id = "32"
    agreement = factory.LazyFunction(lambda: AgreementText.objects.get(is_current=True))
    joined_at = factory.LazyAttribute(lambda o: o.wave.opens_at)
    # What a join records: the age counted for the wave's close, from the (encrypted) birth date.
    adult_at_close = factory.LazyAttribute(lambda o: _adult_at_close(o.user, o.wave))
    adult_counted_for = factory.LazyAttribute(lambda o: o.wave.closes_at)


def _adult_at_close(user, wave: Wave) -> bool:
    from verification.models import IdentityVerification
    from waves.rules import adult_at_close

    birth_date = IdentityVerification.objects.filter(user=user).values_list("birth_date", flat=True).first()
    return adult_at_close(birth_date, wave.closes_at)


def enrolled(
    wave: Wave,
    *,
    province: str = "32",
    kk: str | None = None,
    birth_date=None,
    passed: bool = True,
    in_education: bool = False,
    excluded_groups=(),
    registry_excluded: bool = False,
) -> Enrollment:
    """An applicant who did steps 1-7 (ApplicantFactory), enrolled in ``wave`` in ``province`` straight into the
    table (EnrollmentFactory): of KK ``kk``, born on ``birth_date``, the test failed unless ``passed``, declared
    in education or in ``excluded_groups``, or with an excluded occupation on the KTP (``registry_excluded``)."""
    resident = {"family__kk": kk} if kk else {}
    if birth_date:
        resident["birth_date"] = birth_date
    if registry_excluded:
        resident["occupation"] = "KEPOLISIAN RI (POLRI)"
    user = ApplicantFactory(
        test_passed=True,
        **{f"resident__{field}": value for field, value in resident.items()},
        declaration__in_formal_education=in_education,
        declaration__excluded_groups=list(excluded_groups),
        attempt__passed=passed,
    )
    return EnrollmentFactory(wave=wave, user=user, province_id=province)


_bulk_serials = iter(range(10**6, 10**9))


def enrolled_many(wave: Wave, count: int, *, provinces=("32", "31"), kks=None) -> None:
    """``count`` applicants who did every step the selection reads (identity, declaration, test), enrolled in
    ``wave`` (spread over ``provinces`` in turn), in one bulk insert per table: thousands in a second.

    The rows are the factories' own (``build()``), so they are what the services write, the NIK's digest that
    NIK's blind index; what is left out is what the selection never reads (personal data, photo, phone, and the
    registry records). ``kks``: the KK number of each applicant in turn (default: a family of their own each)."""
    from accounts.models import User
    from assessment.models import DeclarationText
    from dukcapil.nik import kk_build, nik_build
    from waves.rules import adult_at_close

    serials = [next(_bulk_serials) for _ in range(count)]
    users = User.objects.bulk_create(
        UserFactory.build(email=f"massal{serial}@contoh.id", email_verified_at=timezone.now() - timedelta(days=31))
        for serial in serials
    )
    text = DeclarationText.objects.get(is_current=True)
    identities, declarations, attempts = [], [], []
    for n, (user, serial) in enumerate(zip(users, serials, strict=True)):
        nik = nik_build(district_digits="327601", birth_date=BIRTH_DATE, female=False, serial=_serial(serial))
        kk = kks[n] if kks else kk_build(district_digits="327601", issued=KK_ISSUED, serial=_serial(serial))
        identities.append(
            IdentityVerificationFactory.build(user=user, resident=None, nik=nik, kk=kk, birth_date=BIRTH_DATE)
        )
        declarations.append(DeclarationFactory.build(user=user, text=text))
        attempts.append(AttemptFactory.build(user=user))
    for rows in (identities, declarations, attempts):
        type(rows[0]).objects.bulk_create(rows)
    agreement = AgreementText.objects.get(is_current=True)
    adult = adult_at_close(BIRTH_DATE, wave.closes_at)
    Enrollment.objects.bulk_create(
        EnrollmentFactory.build(
            wave=wave, user=user, province_id=provinces[n % len(provinces)], agreement=agreement, adult_at_close=adult
        )
        for n, user in enumerate(users)
    )


def ready_many(count: int, *, password: str | None = None, domicile: str = "32.76.01") -> list:
    """``count`` applicants at step 8 (every step done, the test passed: they may join a wave), in one bulk
    insert per table: the wave-opening rush's population (benchmarks/cluster.py; 3,000 in about 30 s on a busy
    2-CPU machine). All live in ``domicile``, born the same day, so at most SERIAL_MAX (9,999) NIKs differ.

    The rows are the factories' own (``build()``), as the services write them: personal data encrypted, the NIK's
    and the phone number's digests their blind indexes. ``password``: an already hashed password shared by all
    (hash it once: at Argon2's cost, one per applicant would take minutes); default, the factories' PASSWORD
    hashed once. The KTP photo rows point at files that are not there, as KtpPhotoFactory's do. Emails are
    ``siap<serial>@contoh.id``, returned in order with the users."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from assessment.models import DeclarationText
    from dukcapil.nik import kk_build, nik_build
    from tests.factories.accounts import PASSWORD
    from tests.factories.verification import (
        KtpPhotoFactory,
        PersonalDataFactory,
        PhoneNumberFactory,
        district_get,
    )

    hashed = password or make_password(PASSWORD)
    verified_at = timezone.now() - timedelta(days=31)
    serials = [next(_bulk_serials) for _ in range(count)]
    # password=None: no hash per user (the factory hashes what it is given); the shared hash is set after.
    users = [
        UserFactory.build(email=f"siap{s}@contoh.id", password=None, email_verified_at=verified_at) for s in serials
    ]
    for user in users:
        user.password = hashed
    users = User.objects.bulk_create(users)
    district = district_get(domicile)
    digits = domicile.replace(".", "")
    text = DeclarationText.objects.get(is_current=True)
    rows: dict[type, list] = {}
    for user, serial in zip(users, serials, strict=True):
        nik = nik_build(district_digits=digits, birth_date=BIRTH_DATE, female=False, serial=_serial(serial))
        kk = kk_build(district_digits=digits, issued=KK_ISSUED, serial=_serial(serial))
        identity = IdentityVerificationFactory.build(user=user, resident=None, nik=nik, kk=kk, birth_date=BIRTH_DATE)
        for row in (
            identity,
            PersonalDataFactory.build(user=user, district=district, sex=identity.sex),
            KtpPhotoFactory.build(user=user),
            PhoneNumberFactory.build(user=user),
            DeclarationFactory.build(user=user, text=text),
            AttemptFactory.build(user=user),
        ):
            rows.setdefault(type(row), []).append(row)
    for model, objects in rows.items():
        model.objects.bulk_create(objects)
    return users


def earlier_cards(wave: Wave, kks: dict[str, int]) -> None:
    """Cards of an earlier ``wave`` for the KK numbers in ``kks`` (how many each), held by people who are not in
    the wave being tested. The KK cap counts a KK's cards by its digest (waves/rules.py, kk_room); the results the
    cards were issued from do not matter to it, so none are written."""
    from accounts.models import User
    from prakerja.crypto import IdentifierKind, pii_digest

    holders = [(kk, next(_bulk_serials)) for kk, n in kks.items() for _ in range(n)]
    users = User.objects.bulk_create(
        UserFactory.build(email=f"penerima{serial}@contoh.id", email_verified_at=wave.opens_at)
        for _kk, serial in holders
    )
    Card.objects.bulk_create(
        Card(
            result_id=10**12 + serial,
            user=user,
            wave=wave,
            number=f"9{serial:015d}",
            kk_digest=pii_digest(kk, kind=IdentifierKind.KK),
            balance=1_000_000,
            issued_at=wave.announce_at,
            first_training_deadline=wave.announce_at + timedelta(days=30),
        )
        for (kk, serial), user in zip(holders, users, strict=True)
    )


# --- "Gagal 3 kali" -------------------------------------------------------------------------------------

WAVE_DAYS = 20  # one wave every 20 days, the latest announced 5 days ago


def lost_wave(user, number: int | None = None, *, opens_at=None, announced: bool = True, rival_wins: bool = True):
    """A past wave with one place in Jawa Barat that ``user`` joins against a rival who wins it (unless
    ``rival_wins`` is False: then ``user`` is selected), selected for real (the first seed under which the
    lottery says so); its results are out unless ``announced`` is False."""
    from waves.lottery import lottery_number
    from waves.selection import selection_run
    from waves.services import waves_record_schedule

    now = timezone.now()
    opens_at = opens_at or now - timedelta(days=15)
    if not announced:
        opens_at = now - timedelta(days=8)  # closed a day ago, announced in two days
    numbered = {"number": number} if number is not None else {}
    wave = WaveFactory(**numbered, province_quotas={"32": 1}, opens_at=opens_at, pool_unused_quota=False)
    rival = enrolled(wave)
    mine = EnrollmentFactory(wave=wave, user=user)
    first, second = (rival, mine) if rival_wins else (mine, rival)
    seed = next(
        s
        for s in range(1, 10_000)
        if lottery_number(s, first.registration_number) < lottery_number(s, second.registration_number)
    )
    selection_run(wave=wave, acting_user=None, seed=seed, now=wave.closes_at + timedelta(hours=1))
    waves_record_schedule(now=now)  # the announcement recorded: the applicant may join the next wave
    return wave


def lost_waves(user, count: int, *, first_number: int = 1) -> list[Wave]:
    """``count`` lost waves, oldest first, the latest announced five days ago: ``count`` failed selections."""
    now = timezone.now()
    return [
        lost_wave(user, first_number + i, opens_at=now - timedelta(days=15 + WAVE_DAYS * (count - 1 - i)))
        for i in range(count)
    ]


def signed_letter(name: str = "surat-bertanda-tangan.pdf") -> SimpleUploadedFile:
    """The statement letter as the applicant uploads it back, signed."""
    from tests.uploads_catalogue import letter_pdf

    return SimpleUploadedFile(name, letter_pdf(), content_type="application/pdf")


def processed_letter():
    """The signed letter as the upload check hands it to complaint_submit."""
    from uploads import document_process

    return document_process(signed_letter())


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A pending "gagal 3 kali" complaint with its letter stored (a real PDF, or with ``letter_kind="jpeg"`` a
    phone photo of it), written straight into the table: the admin and access tests look at complaints, whose
    eligibility complaint_submit's tests cover. Point PRIVATE_MEDIA_ROOT at a temporary folder first (the
    ``private_media`` fixture)."""

    class Meta:
        model = Complaint

    user = factory.SubFactory(ApplicantFactory, test_passed=True)
    text = factory.LazyFunction(lambda: StatementText.objects.get(is_current=True))
    failed_selections = 3
    letter_kind = "pdf"
    letter_bytes = factory.LazyAttribute(lambda o: len(_letter(o.letter_kind)))
    submitted_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **fields):
        complaint = model_class(*args, **fields)
        complaint.letter.save(f"surat.{complaint.letter_kind}", ContentFile(_letter(complaint.letter_kind)), save=False)
        complaint.save()
        return complaint


def _letter(kind: str) -> bytes:
    from tests.uploads_catalogue import letter_pdf, phone_photo

    return letter_pdf() if kind == "pdf" else phone_photo()
