"""The mock registry's two jobs: answering identity checks, and filling itself with a population.

``registry_verify`` is the one function the portal's client calls in-process (verification/registry.py); the
HTTP API (dukcapil/views.py) calls it too, so both transports see the same answers and the same simulated
trouble.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from random import Random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from dukcapil.errors import RegistryErrorCode, RegistryFailure, RegistryRequestInvalid
from dukcapil.matching import names_match
from dukcapil.models import Family, Resident
from dukcapil.occupations import occupation_excluded
from dukcapil.population import (
    DEFAULT_AS_OF,
    FAMILY_FIELDS,
    RESIDENT_FIELDS,
    PopulationGenerator,
    places_from_regions,
)

logger = logging.getLogger(__name__)

MATCH = "SESUAI"
MISMATCH = "TIDAK SESUAI"
NOT_FOUND = "TIDAK DITEMUKAN"
EXCLUDED_OCCUPATION_KEY = "pekerjaan_dikecualikan"
FIELDS = ("kk", "tanggal_lahir", "nama_lengkap", "nama_ibu")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")

# The simulated trouble goes through these, so tests replace them instead of sleeping or rolling dice.
sleep: Callable[[float], None] = time.sleep
random = Random()


# --- Answering ---------------------------------------------------------------------------------------


def registry_verify(*, nik: str, fields: dict[str, str]) -> dict:
    """Whether each submitted field matches the record of ``nik``, and nothing else about the record.

    ``fields`` may hold any of "kk", "tanggal_lahir" (ISO date), "nama_lengkap", "nama_ibu"; a field whose
    value is None counts as not sent. The answer is ``{"nik": "SESUAI", <field>: "SESUAI" | "TIDAK SESUAI"
    for each field sent, "pekerjaan_dikecualikan": bool}``, or ``{"nik": "TIDAK DITEMUKAN"}`` alone.
    Names are compared tolerantly (dukcapil.matching); the KK and the date exactly.

    Raises RegistryRequestInvalid for a malformed question (before any simulated delay), and
    RegistryFailure as often as DUKCAPIL_MOCK_FAILURE_RATE says, after DUKCAPIL_MOCK_LATENCY_MS.
    """
    sent = _question_check(nik=nik, fields=fields)
    _trouble_simulate()

    record = (
        Resident.objects.filter(nik=nik)
        .values_list("family_id", "birth_date", "full_name", "mother_name", "occupation")
        .first()
    )
    if record is None:
        return {"nik": NOT_FOUND}
    kk, birth_date, full_name, mother_name, occupation = record
    matched = {
        "kk": lambda value: value == kk,
        "tanggal_lahir": lambda value: date.fromisoformat(value) == birth_date,
        "nama_lengkap": lambda value: names_match(value, full_name),
        "nama_ibu": lambda value: names_match(value, mother_name),
    }
    answer: dict[str, str | bool] = {"nik": MATCH}
    for name, value in sent.items():
        answer[name] = MATCH if matched[name](value) else MISMATCH
    answer[EXCLUDED_OCCUPATION_KEY] = occupation_excluded(occupation)
    return answer


def _question_check(*, nik: object, fields: dict[str, object]) -> dict[str, str]:
    """The fields actually sent, in the API's order; raises RegistryRequestInvalid with a code."""
    if nik is None or nik == "":
        raise RegistryRequestInvalid(RegistryErrorCode.NIK_REQUIRED)
    if not isinstance(nik, str) or len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        raise RegistryRequestInvalid(RegistryErrorCode.NIK_FORMAT)
    if set(fields) - set(FIELDS):
        # A misspelt field would otherwise go unchecked while the caller believes it was checked.
        raise RegistryRequestInvalid(RegistryErrorCode.UNKNOWN_FIELD)
    sent = {}
    for name in FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise RegistryRequestInvalid(RegistryErrorCode.FIELD_TYPE)
        sent[name] = value
    birth_date = sent.get("tanggal_lahir")
    if birth_date is not None:
        if not _ISO_DATE.match(birth_date):
            raise RegistryRequestInvalid(RegistryErrorCode.DATE_FORMAT)
        try:
            date.fromisoformat(birth_date)
        except ValueError:
            raise RegistryRequestInvalid(RegistryErrorCode.DATE_FORMAT) from None
    return sent


def _trouble_simulate() -> None:
    latency_ms = settings.DUKCAPIL_MOCK_LATENCY_MS
    if latency_ms > 0:
        sleep(latency_ms / 1000)
    failure_rate = settings.DUKCAPIL_MOCK_FAILURE_RATE
    if failure_rate > 0 and random.random() < failure_rate:
        raise RegistryFailure()


# --- Seeding -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    residents: int
    families: int
    method: str  # "copy" (PostgreSQL) or "bulk_create"
    seconds: float


def registry_seed(
    *,
    residents: int,
    seed: int,
    batch_size: int = 20_000,
    as_of: date = DEFAULT_AS_OF,
    progress: Callable[[int], None] | None = None,
    method: str = "auto",
    using: str = DEFAULT_DB_ALIAS,
) -> SeedReport:
    """Replace the whole registry with a generated population (dukcapil/population.py).

    Every existing family and resident is deleted first, in the same transaction, so a run leaves exactly
    the population of (``residents``, ``seed``, ``as_of``) or, if it fails, the previous one. Readers wait
    for the run to commit (PostgreSQL's TRUNCATE locks the tables). Rows are generated and written in
    batches of ``batch_size`` residents, so memory stays flat in ``residents``: on PostgreSQL one COPY
    stream, into tables whose indexes and constraints are rebuilt once at the end; elsewhere
    ``bulk_create``. ``method`` ("copy", "bulk_create") forces one, for benchmarks and tests. ``progress`` is
    called with the number of residents in each batch written.

    District codes come from the region tables, so seeded NIKs agree with what the portal validates.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    connection = connections[using]
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "bulk_create"
    if method not in {"copy", "bulk_create"} or (method == "copy" and connection.vendor != "postgresql"):
        raise ValueError(f"cannot seed with {method!r} on {connection.vendor}")
    load = _load_copy if method == "copy" else _load_bulk_create
    generator = PopulationGenerator(residents=residents, seed=seed, places=_places(using), as_of=as_of)
    with transaction.atomic(using=using):
        registry_clear(using=using)
        families, residents_written = load(
            using=using, batches=_batches(generator, batch_size=batch_size), progress=progress
        )
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner walks the sample index rather than guessing from an empty table.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Family._meta.db_table}, {Resident._meta.db_table}")
    return SeedReport(
        residents=residents_written,
        families=families,
        method=method,
        seconds=time.perf_counter() - started,
    )


Batch = tuple[list[tuple], list[tuple]]  # family rows, resident rows


def _batches(generator: PopulationGenerator, *, batch_size: int) -> Iterator[Batch]:
    family_rows: list[tuple] = []
    resident_rows: list[tuple] = []
    for family, members in generator.families():
        family_rows.append(family)
        resident_rows.extend(members)
        if len(resident_rows) >= batch_size:
            yield family_rows, resident_rows
            family_rows, resident_rows = [], []
    if resident_rows:
        yield family_rows, resident_rows


def _load_bulk_create(
    *, using: str, batches: Iterable[Batch], progress: Callable[[int], None] | None
) -> tuple[int, int]:
    families = residents = 0
    for family_rows, resident_rows in batches:
        # Django splits these further where the backend limits parameters per statement (SQLite).
        Family.objects.using(using).bulk_create(
            [Family(**dict(zip(FAMILY_FIELDS, row, strict=True))) for row in family_rows]
        )
        Resident.objects.using(using).bulk_create(
            [Resident(**dict(zip(RESIDENT_FIELDS, row, strict=True))) for row in resident_rows]
        )
        families += len(family_rows)
        residents += len(resident_rows)
        if progress:
            progress(len(resident_rows))
    return families, residents


def _load_copy(*, using: str, batches: Iterable[Batch], progress: Callable[[int], None] | None) -> tuple[int, int]:
    """Residents in one COPY stream, then their families in one INSERT ... SELECT.

    One stream rather than a COPY per batch: the server stores rows while Python generates the next batch,
    so the two cores overlap. Families follow from their members (each resident row carries its KK, address
    and district), which keeps them out of the stream and out of memory. Indexes and constraints are
    dropped for the load and rebuilt after it, as the PostgreSQL manual advises for bulk loads: building an
    index over sorted rows once is several times cheaper than updating it a million times, and checking
    the foreign key is then one join instead of a million look-ups.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    resident_table, family_table = quote(Resident._meta.db_table), quote(Family._meta.db_table)
    columns = ", ".join(quote(Resident._meta.get_field(name).column) for name in RESIDENT_FIELDS)
    family_columns = ", ".join(quote(Family._meta.get_field(name).column) for name in FAMILY_FIELDS)
    kk, address, district_code = (
        quote(Resident._meta.get_field(name).column) for name in ("family_id", "address", "district_code")
    )
    residents = 0
    with connection.cursor() as cursor:
        # Memory for the index builds at the end (the default, 64 MB, spills a million keys to disk).
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        with _constraints_suspended(cursor, tables=[Resident._meta.db_table, Family._meta.db_table]):
            # psycopg 3's own cursor: Django's wrapper has no copy().
            with cursor.cursor.copy(f"COPY {resident_table} ({columns}) FROM STDIN") as copy:
                for _family_rows, resident_rows in batches:
                    copy.write(copy_text(resident_rows))
                    residents += len(resident_rows)
                    if progress:
                        progress(len(resident_rows))
            # In the order of each family's first member, so ids follow the generation order.
            cursor.execute(
                f"INSERT INTO {family_table} ({family_columns}) "
                f"SELECT {kk}, MIN({address}), MIN({district_code}) FROM {resident_table} "
                f"GROUP BY {kk} ORDER BY MIN(id)"
            )
            families = cursor.rowcount
    return families, residents


@contextmanager
def _constraints_suspended(cursor, *, tables: list[str]) -> Iterator[None]:
    """Drop the tables' indexes, unique and foreign-key constraints (not primary keys); rebuild them after.

    Their definitions are read from the catalog, so this follows whatever the migrations made. If the body
    raises, nothing is rebuilt: the DDL is part of the transaction, and the rollback restores it.
    """
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) AND contype IN ('f', 'u') "
        "ORDER BY contype, conname",  # 'f' < 'u': foreign keys are dropped before the keys they reference
        [tables, tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1",
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        cursor.execute(definition)
    for table, name, definition, _kind in reversed(constraints):
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def registry_clear(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete every resident and family, in SQL: the ORM's delete() would load a million rows to cascade."""
    connection = connections[using]
    quote = connection.ops.quote_name
    resident, family = quote(Resident._meta.db_table), quote(Family._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {resident}, {family} RESTART IDENTITY")
        else:
            cursor.execute(f"DELETE FROM {resident}")
            cursor.execute(f"DELETE FROM {family}")


def _places(using: str):
    from regions.models import District, Regency

    names = dict(Regency.objects.using(using).values_list("code", "name"))
    names.update(District.objects.using(using).values_list("code", "name"))
    return places_from_regions(names)


def copy_text(rows: list[tuple]) -> str:
    """Rows as COPY ... FROM STDIN text: tab-separated, one per line, values as str() writes them.

    Dates print as ISO and ints as digits, which is COPY's text format. Escaping every field would cost as
    much as generating it, so there is none: instead the whole batch is checked for a stray tab, line break
    or backslash, which the generator's text (built from fixed name and street lists) never contains.
    """
    if not rows:
        return ""
    text = "\n".join(["\t".join(map(str, row)) for row in rows]) + "\n"
    if (
        "\\" in text
        or "\r" in text
        or text.count("\n") != len(rows)
        or text.count("\t") != len(rows) * (len(rows[0]) - 1)
    ):
        raise ValueError("a value contains a tab, line break or backslash; COPY text would need escaping")
    return text
