"""Moving stored personal data to the current keys, in place, while the portal serves.

Two walks over the portal's tables, each a primary-key-ordered series of short transactions (one batch of
``PII_ROTATION_BATCH_SIZE`` rows each), so neither holds a lock for long, an interrupted run leaves nothing half
done, and a second run simply goes over what is left:

- ``table_reencrypt``: every encrypted column (prakerja/fields.py) re-encrypted under the first key of
  ``PII_ENCRYPTION_KEYS``; a value already under it in the current form is skipped (it opens with that key, one
  AEAD call), a Fernet token of an earlier release is rewritten in the current form, and a value still in clear
  (written before its column was encrypted) is encrypted. ``manage.py pii_rotate_keys`` and the migrations that
  encrypted the columns use it.
- ``table_reindex``: every blind index recomputed under the first key of ``PII_BLIND_INDEX_KEYS``, from the
  value it indexes (a ``BlindIndexField`` with ``source``) or, for a copy (``copy_of``), from the row it was
  copied from; what an account deletion keeps (``follows``) moved along with the value it follows, and its
  seal extended through new retained-index keys. ``manage.py pii_reindex`` and the migrations that added
  indexes use it.

Both write with a compare-and-swap: ``UPDATE … SET col = new WHERE pk = … AND col = old``. A request that
changed the value meanwhile wrote it under the current key already; the UPDATE then matches nothing and the
newer value stays. Nothing is ever locked longer than one batch's UPDATEs.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef

from prakerja.crypto import pii_encrypt, pii_is_token, pii_reseal, pii_rotate, pii_under_first_key
from prakerja.fields import BlindIndexField, EncryptedField, FernetTokenField, SealField

# The mock civil registry plays the external service: its tables are the registry's, not the portal's.
EXTERNAL_APPS = frozenset({"dukcapil"})


@dataclass
class BatchReport:
    rows: int = 0  # rows read
    changed: int = 0  # values rewritten
    lost_races: int = 0  # values changed by someone else between the read and the write (left as they were)


def portal_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model._meta.app_label not in EXTERNAL_APPS]


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedField | FernetTokenField)]


def index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, BlindIndexField) and (field.source or field.copy_of or field.follows)
    ]


def seal_fields(model: type[models.Model]) -> list[SealField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, SealField)]


def followed(field: BlindIndexField) -> tuple[type[models.Model], str]:
    """The model and field name an index with ``follows`` moves along with."""
    label, name = field.follows.rsplit(".", 1)
    return apps.get_model(label), name


def followers(model: type[models.Model], field: BlindIndexField) -> list[tuple[type[models.Model], BlindIndexField]]:
    """The indexes kept after ``model``'s rows are gone that follow ``field`` (a card's KK, a retained NIK)."""
    return [
        (other, index)
        for other in portal_models()
        for index in index_fields(other)
        if index.follows and followed(index) == (model, field.name)
    ]


def reencrypt_order() -> list[type[models.Model]]:
    """The portal's models with encrypted columns."""
    return [model for model in portal_models() if encrypted_fields(model)]


def reindex_order() -> list[type[models.Model]]:
    """The portal's models with blind indexes to recompute or seals to extend: those computed from a value first,
    then the copies and the kept ones, which follow them."""
    indexed = [model for model in portal_models() if index_fields(model) or seal_fields(model)]
    later = [model for model in indexed if any(not field.source for field in index_fields(model))]
    return [model for model in indexed if model not in later] + later


def table_size_estimate(model: type[models.Model]) -> int:
    """About how many rows ``model`` has, for a progress bar: PostgreSQL's statistics when it has them (a count
    of a large table is a scan of it), else a count."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
            row = cursor.fetchone()
        if row and row[0] > 0:
            return int(row[0])
    return model._base_manager.count()


def _reencrypted(field: models.Field, value) -> str | None:
    """The value to store instead of ``value`` (as stored), or None when it is already right."""
    if value is None or value == "":
        return None
    if pii_is_token(value):
        return None if pii_under_first_key(value) else pii_rotate(value)
    if isinstance(field, EncryptedField) and not field.encrypts(value):
        return None  # a value the field keeps in clear (an email recipient)
    return pii_encrypt(str(value))


def _batches(
    batch: Callable[[object | None], tuple[object | None, BatchReport]],
    after_pk=None,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> BatchReport:
    total = BatchReport()
    while True:
        with transaction.atomic():
            after_pk, report = batch(after_pk)
        total.rows += report.rows
        total.changed += report.changed
        total.lost_races += report.lost_races
        if on_batch:
            on_batch(report)
        if after_pk is None:
            return total


def _compare_and_swap(model: type[models.Model], changes: Iterable[tuple[str, object, object, object]]) -> int:
    """Apply (column, pk, old, new) changes, each only where the column still holds ``old``; returns how many
    did not (someone wrote the row meanwhile). One UPDATE per column for the whole batch, joined to the batch's
    values (PostgreSQL and SQLite both name a VALUES list's columns column1, column2, …)."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    by_column: dict[str, list[tuple[object, object, object]]] = defaultdict(list)
    for column, row_pk, old, new in changes:
        by_column[column].append((row_pk, old, new))
    lost = 0
    with connection.cursor() as cursor:
        for column, rows in by_column.items():
            target = quote(column)
            # An index column being filled for the first time holds NULL, which "=" never matches.
            empty = [(row_pk, new) for row_pk, old, new in rows if old is None]
            for row_pk, new in empty:
                cursor.execute(f"UPDATE {table} SET {target} = %s WHERE {pk} = %s AND {target} IS NULL", [new, row_pk])
                lost += cursor.rowcount == 0
            rows = [row for row in rows if row[1] is not None]
            if not rows:
                continue
            cursor.execute(
                f"UPDATE {table} SET {target} = v.column3 FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(rows))}) AS v "
                f"WHERE {table}.{pk} = v.column1 AND {table}.{target} = v.column2",
                [value for row in rows for value in row],
            )
            lost += len(rows) - cursor.rowcount
    return lost


def table_reencrypt(
    model: type[models.Model],
    fields: list[models.Field] | None = None,
    *,
    batch_size: int,
    after_pk=None,
    on_batch: Callable[[BatchReport], None] | None = None,
    dry_run: bool = False,
) -> BatchReport:
    """Re-encrypt ``fields`` (default: every encrypted column of ``model``) under the first key, in batches.
    ``dry_run`` writes nothing and counts what would change (is a rotation finished?)."""
    fields = encrypted_fields(model) if fields is None else fields
    if not fields:
        return BatchReport()
    quote = connection.ops.quote_name
    pk = quote(model._meta.pk.column)
    columns = ", ".join(quote(field.column) for field in fields)
    select = f"SELECT {pk}, {columns} FROM {quote(model._meta.db_table)} WHERE {{after}} ORDER BY {pk} LIMIT %s"

    def batch(after):
        with connection.cursor() as cursor:
            if after is None:
                cursor.execute(select.format(after="1 = 1"), [batch_size])
            else:
                cursor.execute(select.format(after=f"{pk} > %s"), [after, batch_size])
            rows = cursor.fetchall()
        changes = [
            (field.column, row[0], value, new)
            for row in rows
            for field, value in zip(fields, row[1:], strict=True)
            if (new := _reencrypted(field, value)) is not None
        ]
        lost = 0 if dry_run else _compare_and_swap(model, changes)
        report = BatchReport(rows=len(rows), changed=len(changes) - lost, lost_races=lost)
        return (rows[-1][0] if len(rows) == batch_size else None), report

    return _batches(batch, after_pk, on_batch)


def table_reindex(
    model: type[models.Model],
    fields: list[BlindIndexField] | None = None,
    *,
    batch_size: int,
    after_pk=None,
    on_batch: Callable[[BatchReport], None] | None = None,
    dry_run: bool = False,
) -> BatchReport:
    """Recompute ``fields`` (default: every blind index of ``model`` that has a source, is a copy or is kept
    after its source, and every seal) under the first key, in batches. Copies are copied again from what they
    copy, so the models holding the originals go first (``reindex_order``). ``dry_run`` writes nothing and
    counts what would change.

    An index computed from a value takes its followers (``BlindIndexField.follows``: the KK of a deleted
    recipient's card, a retained NIK) with it, old index to new, in the same transaction. A follower no row holds
    any more is emptied: it cannot be recomputed, and an index under a retired key must not outlive it; its seal
    restores it when the value comes back. Seals are extended through the retained-index keys added since."""
    fields = index_fields(model) if fields is None else fields
    seals = seal_fields(model)
    if not fields and not seals:
        return BatchReport()
    concrete = {field.name for field in model._meta.concrete_fields}
    sourced = [field for field in fields if field.source]
    copies = [field for field in fields if field.copy_of]
    kept = [field for field in fields if field.follows]
    moving = [(field, followers(model, field)) for field in sourced]
    # Load only what the indexes need, unless a source is a property (IdentityVerification.nik): then the row.
    needed = {field.name for field in fields} | {field.source for field in sourced}
    needed |= {name for seal in seals for name in (seal.name, seal.generation_field)}
    rows = model._base_manager.order_by("pk")
    if needed <= concrete:
        rows = rows.only(*needed)

    def batch(after):
        page = list((rows.filter(pk__gt=after) if after is not None else rows)[:batch_size])
        changes = []
        for field in sourced:
            for obj in page:
                new = field.digest_for(obj)
                old = getattr(obj, field.attname)
                if new != old:
                    changes.append((field.column, obj.pk, old, new))
        for field in copies:
            copied = dict(model._base_manager.filter(pk__in=[obj.pk for obj in page]).values_list("pk", field.copy_of))
            for obj in page:
                new, old = copied.get(obj.pk), getattr(obj, field.attname)
                if new is not None and new != old:
                    changes.append((field.column, obj.pk, old, new))
        lost = 0 if dry_run else _compare_and_swap(model, changes)
        moved = 0
        for field, kept_by in moving:
            pairs = {(old, new) for column, _pk, old, new in changes if column == field.column and old and new}
            for other, index in kept_by:
                moved += _follow(other, index, pairs, dry_run=dry_run)
        unlinked = sum(_unlink(model, field, [obj.pk for obj in page], dry_run=dry_run) for field in kept)
        resealed = sum(_reseal(model, seal, page, dry_run=dry_run) for seal in seals)
        changed = len(changes) - lost + moved + unlinked + resealed
        report = BatchReport(rows=len(page), changed=changed, lost_races=lost)
        return (page[-1].pk if len(page) == batch_size else None), report

    return _batches(batch, after_pk, on_batch)


def _follow(model: type[models.Model], field: BlindIndexField, pairs: set[tuple[str, str]], *, dry_run: bool) -> int:
    """Move ``field`` of ``model`` from each old index to its new one; returns how many rows moved."""
    if not pairs:
        return 0
    if dry_run:
        return model._base_manager.filter(**{f"{field.name}__in": [old for old, _new in pairs]}).count()
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(field.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = v.column2 FROM (VALUES {', '.join(['(%s, %s)'] * len(pairs))}) AS v "
            f"WHERE {table}.{column} = v.column1",
            [value for pair in pairs for value in pair],
        )
        return cursor.rowcount


def _unlink(model: type[models.Model], field: BlindIndexField, pks: list, *, dry_run: bool) -> int:
    """Empty ``field`` on the rows among ``pks`` whose value no row of the followed field holds any more, where
    a seal can restore it (rows kept before seals existed keep theirs); returns how many."""
    seals = [seal for seal in seal_fields(model) if seal.restores == field.name]
    if not seals:
        return 0
    source, name = followed(field)
    rows = (
        model._base_manager.filter(pk__in=pks, **{f"{field.name}__isnull": False})
        .exclude(**{field.name: ""})
        .exclude(**{seals[0].name: ""})
        .exclude(Exists(source._base_manager.filter(**{name: OuterRef(field.name)})))
    )
    return rows.count() if dry_run else rows.update(**{field.name: None if field.null else ""})


def _reseal(model: type[models.Model], seal: SealField, page: list, *, dry_run: bool) -> int:
    """Extend the seals among ``page`` through the retained-index keys added since; returns how many. Rare
    (deleted recipients' rows, once per new key), so one compare-and-swap UPDATE per row."""
    newest = len(settings.PII_RETAINED_INDEX_KEYS)
    due = [obj for obj in page if getattr(obj, seal.attname) and getattr(obj, seal.generation_field) < newest]
    if dry_run:
        return len(due)
    done = 0
    for obj in due:
        old, generation = getattr(obj, seal.attname), getattr(obj, seal.generation_field)
        generation_now, new = pii_reseal(old, generation=generation)
        done += model._base_manager.filter(pk=obj.pk, **{seal.attname: old, seal.generation_field: generation}).update(
            **{seal.attname: new, seal.generation_field: generation_now}
        )
    return done
