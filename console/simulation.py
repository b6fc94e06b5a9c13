"""Synthetic applicants for a wave (``manage.py simulate_wave``): demo and benchmark tooling, never a request path.

Each applicant holds the rows the services would have written for the steps they took — the account (email
verified, the current privacy policy and terms, the applicants' group), the KTP check, the personal data, the KTP
photo's row, the verified phone number, the declaration, the test, the enrollment — with every column's value
prepared by the model's own field (``get_db_prep_save``: ``prakerja.fields`` encrypts the NIK, KK, birth date,
names, address and phone number as tokens, JSON fields their lists) and the blind indexes computed by their
``BlindIndexField`` from the plain value, as a save would; only without the registry round trip, the OTP, Argon2
hashing or sending email. Photos point at files that are not there (as the test factories' do); passwords are
unusable. On PostgreSQL the rows go in with ``COPY``, one per table per batch (the accounts' ids taken from their
sequence first); elsewhere (SQLite, the demo) with ``bulk_create`` of the same values. A batch is one transaction.
With ``processes`` > 1 (PostgreSQL only) the batches are shared among that many forked processes, each with its
own connection: encrypting is most of the work, and a batch does not depend on another.

Applicants stop along the way at the rates in ``CONTINUE`` (roughly the shape of 2020's first wave: 5.97M accounts,
4.43M verified emails, 2.08M joined), so the console's funnel has every step to show; ``funnel=ALL_JOIN`` takes
everyone to the wave (a benchmark's N enrollments). Who stops where, their province (weighted by the wave's quotas,
or exactly ``provinces``' counts), district, birth date and family follow from ``seed`` (and the batch size); their
NIKs and phone numbers are unique by construction for up to 24 million per seed (serials 9000-9999, which the mock
registry's seeder hands out last) and any that an earlier account already holds is skipped.
"""

import multiprocessing
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import connection, connections, models, transaction
from django.utils import timezone

from accounts.models import PrivacyPolicyText, TermsText, User
from accounts.roles import Role
from assessment.models import Attempt, Declaration, DeclarationText, FinishedReason
from dukcapil.nik import kk_build, nik_build
from prakerja.fields import BlindIndexField
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


ALL_JOIN = dict.fromkeys(CONTINUE, 1.0)  # everyone takes every step: N applicants, N enrollments


@dataclass
class SimulationResult:
    accounts: int = 0
    skipped: int = 0  # NIK or phone number already held by another account
    reached: dict[str, int] = field(default_factory=lambda: dict.fromkeys(["accounts", *CONTINUE], 0))

    def add(self, other: "SimulationResult") -> None:
        self.accounts += other.accounts
        self.skipped += other.skipped
        for step, count in other.reached.items():
            self.reached[step] += count


def wave_simulate(
    *,
    wave: Wave,
    applicants: int,
    seed: int,
    batch_size: int = 2_000,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    funnel: dict[str, float] | None = None,
    provinces: dict[str, int] | None = None,
    excluded: float = 0.0,
    processes: int = 1,
) -> SimulationResult:
    """Write ``applicants`` synthetic applicants for ``wave`` (see the module's docstring), ``batch_size`` per
    transaction; ``progress`` is told how many each batch wrote. Those who get that far join the wave if it has
    opened by ``now``; their steps are dated between two weeks before it opened and its close (or ``now``).

    ``funnel`` is the share of each step's people who take the next (``CONTINUE``, or ``ALL_JOIN``);
    ``provinces`` the exact number of applicants per province code (summing to ``applicants``) instead of a
    draw weighted by the quotas; ``excluded`` the share whose KTP the registry answers with an excluded
    occupation (``registry_excluded_occupation``, which the selection's rules exclude)."""
    if provinces is not None and sum(provinces.values()) != applicants:
        raise ValueError(f"the provinces' counts add up to {sum(provinces.values()):,}, not {applicants:,}")
    world = _World.load(wave, seed, now or timezone.now(), funnel or CONTINUE, provinces, excluded)
    batches = [(start, min(batch_size, applicants - start)) for start in range(0, applicants, batch_size)]
    result = SimulationResult()
    if processes > 1 and len(batches) > 1 and connection.vendor == "postgresql":
        results = _in_processes(world, batches, processes)
    else:
        results = (_batch(world, start, count) for start, count in batches)
    for done in results:
        result.add(done)
        if progress:
            progress(done.accounts + done.skipped)
    return result


_WORLD: "_World | None" = None  # what forked processes inherit


def _in_processes(world: "_World", batches: list[tuple[int, int]], processes: int):
    global _WORLD
    _WORLD = world
    connections.close_all()  # each process opens its own
    with multiprocessing.get_context("fork").Pool(processes, initializer=connections.close_all) as pool:
        yield from pool.imap_unordered(_batch_in_process, batches)


def _batch_in_process(batch: tuple[int, int]) -> "SimulationResult":
    return _batch(_WORLD, *batch)


@dataclass
class _World:
    wave: Wave
    seed: int
    funnel: dict[str, float]
    start: datetime
    end: datetime
    provinces: list[str]
    weights: list[int]
    plan: list[str] | None  # the province of each applicant, when their counts are given
    excluded: float
    districts: dict[str, list[str]]
    group_id: int
    policy_id: int | None
    terms_id: int | None
    declaration_text_id: int
    agreement_id: int

    @classmethod
    def load(cls, wave: Wave, seed: int, now: datetime, funnel, counts, excluded) -> "_World":
        quotas = dict(wave.province_quotas.values_list("province_id", "quota"))
        districts: dict[str, list[str]] = {}
        for code, province in District.objects.values_list("code", "regency__province_id"):
            districts.setdefault(province, []).append(code)
        provinces = sorted(quotas) or sorted(districts)
        plan = None
        if counts is not None:
            plan = [code for code, count in sorted(counts.items()) for _ in range(count)]
            random.Random(seed).shuffle(plan)  # noqa: S311 - a reproducible synthetic population, not a secret
        return cls(
            wave=wave,
            seed=seed,
            funnel=funnel,
            start=wave.opens_at - timedelta(days=14),
            end=max(min(now, wave.closes_at) - timedelta(minutes=1), wave.opens_at - timedelta(days=13)),
            provinces=provinces,
            weights=[max(quotas.get(code, 1), 1) for code in provinces],
            plan=plan,
            excluded=excluded,
            districts=districts,
            group_id=Group.objects.get(name=Role.APPLICANT).pk,
            policy_id=PrivacyPolicyText.objects.filter(is_current=True).values_list("pk", flat=True).first(),
            terms_id=TermsText.objects.filter(is_current=True).values_list("pk", flat=True).first(),
            declaration_text_id=DeclarationText.objects.get(is_current=True).pk,
            agreement_id=AgreementText.objects.get(is_current=True).pk,
        )


class _Dates:
    """A batch's random draws: its own generator, so that batches can be written in any order or process."""

    def __init__(self, world: _World, start: int):
        self.rng = random.Random(world.seed * 2**40 + start)  # noqa: S311 - reproducible, not a secret
        self.end = world.end

    def later(self, after: datetime, most_minutes: int) -> datetime:
        return min(after + timedelta(minutes=self.rng.randint(1, most_minutes)), self.end)


@dataclass
class _Person:
    user: dict
    district: str
    nik: str
    kk: str
    birth_date: date
    female: bool
    phone: str
    steps: list[str]
    nik_digest: str = ""  # the indexes _taken looks up, computed once
    phone_digest: str = ""


def _person(world: _World, dates: _Dates, index: int, number: int) -> _Person:
    rng = dates.rng
    province = world.plan[index] if world.plan else rng.choices(world.provinces, world.weights)[0]
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
    for step, share in world.funnel.items():
        if share < 1 and rng.random() >= share:
            break
        steps.append(step)
    joined_at = dates.later(world.start + (world.end - world.start) * rng.random(), 1)
    user = {
        "email": f"simulasi.{world.wave.number}.{number}@prakerja.example",
        "password": UNUSABLE_PASSWORD,
        "date_joined": joined_at,
        "email_verified_at": dates.later(joined_at, 120) if "email_verified" in steps else None,
        "privacy_policy_text_id": world.policy_id,
        "terms_text_id": world.terms_id,
    }
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
    nik_index = IdentityVerification._meta.get_field("nik_digest")
    phone_index = PhoneNumber._meta.get_field("number_digest")
    for p in people:
        p.nik_digest, p.phone_digest = nik_index.digest_of(p.nik), phone_index.digest_of(p.phone)
    niks = {p.nik_digest: p for p in people}
    phones = {p.phone_digest: p for p in people}
    return (
        {
            niks[d].nik
            for d in IdentityVerification.objects.filter(nik_digest__in=niks).values_list("nik_digest", flat=True)
        },
        {
            phones[d].phone
            for d in PhoneNumber.objects.filter(number_digest__in=phones).values_list("number_digest", flat=True)
        },
        set(User.objects.filter(email__in=[p.user["email"] for p in people]).values_list("email", flat=True)),
    )


CHILDREN = (IdentityVerification, PersonalData, KtpPhoto, PhoneNumber, Declaration, Attempt, Enrollment)


def _batch(world: _World, start: int, count: int) -> SimulationResult:
    dates = _Dates(world, start)
    first = world.seed % 20 * PER_SEED // 20 + start
    people = [_person(world, dates, start + n, first + n) for n in range(count)]
    niks, phones, emails = _taken(people)
    kept = [p for p in people if p.nik not in niks and p.phone not in phones and p.user["email"] not in emails]
    result = SimulationResult(skipped=len(people) - len(kept))
    writer = _Writer(connection)
    with transaction.atomic():
        writer.begin()
        for person, pk in zip(kept, writer.users([p.user for p in kept]), strict=True):
            person.user["id"] = pk
        writer.write(User.groups.through, [{"user_id": p.user["id"], "group_id": world.group_id} for p in kept])
        rows: dict[type, list[dict]] = {model: [] for model in CHILDREN}
        for person in kept:
            _steps(world, dates, person, rows, result)
        for model, values in rows.items():
            writer.write(model, values)
    result.accounts = len(kept)
    return result


def _steps(world: _World, dates: _Dates, p: _Person, rows: dict[type, list[dict]], result: SimulationResult) -> None:
    """The rows of the steps ``p`` took after the account, each dated a little after the one before."""
    user_id, rng, at = p.user["id"], dates.rng, p.user["email_verified_at"]
    for step in p.steps:
        result.reached[step] += 1
    steps = set(p.steps)
    if "ktp_verified" not in steps:
        return
    sex = "P" if p.female else "L"
    rows[IdentityVerification].append(
        {
            "user_id": user_id,
            "nik": p.nik,  # the properties encrypt them; the KK's index follows (BlindIndexField)
            "nik_digest": p.nik_digest,
            "kk": p.kk,
            "birth_date": p.birth_date,
            "sex": sex,
            "registry_excluded_occupation": bool(world.excluded) and rng.random() < world.excluded,
            "verified_at": (at := dates.later(at, 60 * 24)),
        }
    )
    if "personal_data" not in steps:
        return
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    rows[PersonalData].append(
        {
            "user_id": user_id,
            "full_name": name.upper(),
            "mother_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}".upper(),
            "address": f"JL. MERDEKA NO. {rng.randint(1, 200)}",
            "district_id": p.district,
            "sex": sex,
            "education": "sma",
            "marital_status": "belum_kawin",
            "dependents": rng.randint(0, 3),
            "training_topic": "pemasaran_digital",
            "completed_at": (at := dates.later(at, 60)),
        }
    )
    if "ktp_photo" not in steps:
        return
    rows[KtpPhoto].append(
        {
            "user_id": user_id,
            "image": f"ktp/simulasi/{user_id}.jpg",
            "thumbnail": f"ktp/simulasi/thumbnails/{user_id}.jpg",
            "width": 1600,
            "height": 1000,
            "size_bytes": 300_000,
            "original_bytes": 3_000_000,
            "original_kind": "jpeg",
            "from_camera": True,
            "camera": "",
            "uploaded_at": (at := dates.later(at, 30)),
        }
    )
    if "phone_verified" not in steps:
        return
    rows[PhoneNumber].append(
        {
            "user_id": user_id,
            "number": p.phone,
            "number_digest": p.phone_digest,
            "verified_at": (at := dates.later(at, 30)),
        }
    )
    if "declared" not in steps:
        return
    rows[Declaration].append(
        {
            "user_id": user_id,
            "current_for_id": user_id,  # the declaration in force: what user.declaration and the rules read
            "text_id": world.declaration_text_id,
            "employment": "phk",
            "in_formal_education": False,
            "excluded_groups": [],
            "other_aid": [],
            "truthful": True,
            "exclusion_reasons": [],
            "submitted_at": (at := dates.later(at, 60 * 24)),
        }
    )
    if "test_taken" not in steps:
        return
    started = dates.later(at, 60 * 24)
    passed = "test_passed" in steps
    rows[Attempt].append(
        {
            "user_id": user_id,
            "seed": rng.randint(1, 2**31),
            "started_at": started,
            "deadline": started + timedelta(minutes=25),
            "submitted_at": (at := dates.later(started, 25)),
            "finished_reason": FinishedReason.SUBMITTED,
            "score": rng.randint(60, 100) if passed else rng.randint(0, 59),
            "pass_score": 60,
            "passed": passed,
        }
    )
    wave = world.wave
    if "joined" not in steps or wave.opens_at > world.end:
        return
    rows[Enrollment].append(
        {
            "wave_id": wave.pk,
            "user_id": user_id,
            "province_id": p.district[:2],
            "agreement_id": world.agreement_id,
            "joined_at": dates.later(max(at, wave.opens_at), 60 * 24),
            "pending": True,
            "adult_at_close": adult_at_close(p.birth_date, wave.closes_at),
            "adult_counted_for": wave.closes_at,
        }
    )


class _Writer:
    """Rows given as {attribute: plain value} (a field's attname, or a property with a setter such as
    ``IdentityVerification.nik``) into their tables: COPY on PostgreSQL, ``bulk_create`` elsewhere."""

    def __init__(self, connection):
        self.connection = connection
        self.copy = connection.vendor == "postgresql"

    def begin(self) -> None:
        """In the batch's transaction: its commit need not wait for the disk (synthetic rows; a crash loses the
        last batches whole, never part of one)."""
        if self.copy:
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def users(self, rows: list[dict]) -> list[int]:
        """Write the accounts; their ids, in order."""
        if not rows:
            return []
        if not self.copy:
            return [user.pk for user in User.objects.bulk_create(User(**row) for row in rows)]
        with self.connection.cursor() as cursor:
            # The sequence looked up once: pg_get_serial_sequence() in the select list runs once per row.
            cursor.execute(
                """SELECT nextval(seq) FROM CAST(pg_get_serial_sequence(%s, %s) AS regclass) AS seq,
                   generate_series(1, %s)""",
                [User._meta.db_table, User._meta.pk.column, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        self.write(User, [{**row, "id": pk} for row, pk in zip(rows, ids, strict=True)])
        return ids

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.copy:
            model.objects.bulk_create(model(**row) for row in rows)
            return
        table = _Table.of(model, with_pk=model._meta.pk.attname in rows[0], connection=self.connection)
        with self.connection.cursor() as cursor, cursor.cursor.copy(table.sql) as sink:
            for row in rows:
                sink.write_row(table.values(row))


class _Holder:
    """Where a property's setter leaves the fields it sets."""


# Fields whose Python value is the value the database gets (their get_db_prep_save returns it unchanged on
# PostgreSQL); every other field's value goes through its get_db_prep_save.
_PLAIN = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.EmailField,
    models.ForeignKey,
    models.IntegerField,
    models.OneToOneField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
}


class _Table:
    _cache: dict = {}

    @classmethod
    def of(cls, model, *, with_pk: bool, connection) -> "_Table":
        key = (model, with_pk, connection.alias)
        if key not in cls._cache:
            cls._cache[key] = cls(model, with_pk, connection)
        return cls._cache[key]

    def __init__(self, model, with_pk: bool, connection):
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.model = model
        self.connection = connection
        quote = connection.ops.quote_name
        self.sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        self.columns = [
            (
                f,
                f.attname,
                f.source if isinstance(f, BlindIndexField) else "",
                type(f) not in _PLAIN,
            )
            for f in fields
        ]
        names = {f.attname for f in model._meta.concrete_fields} | {f.name for f in model._meta.concrete_fields}
        self.setters = [
            name
            for name, attribute in vars(model).items()
            if isinstance(attribute, property) and attribute.fset and name not in names
        ]

    def values(self, row: dict) -> tuple:
        for name in self.setters:
            if name in row:
                holder = _Holder()
                getattr(self.model, name).fset(holder, row[name])
                row = {**row, **vars(holder)}
        values = []
        for f, attname, source, prepare in self.columns:
            if attname in row:
                value = row[attname]
            elif source:
                value = f.digest_for(_Plain(self.model, row))  # as BlindIndexField.pre_save computes it
            else:
                value = f.get_default()
            if prepare:
                value = f.get_db_prep_save(value, self.connection)
            values.append(value)
        return tuple(values)


class _Plain:
    """A row's plain values as attributes, with its model's ``_meta``: what BlindIndexField.digest_for reads."""

    def __init__(self, model, row: dict):
        self._meta = model._meta
        self.__dict__.update(row)
