"""Several lists of rows in one query: each list read as a JSON array by a correlated subquery (issue #18).

"Data saya" lists everything the portal holds about an applicant: a dozen tables, most with many rows per
applicant. Read with a query per table (a ``prefetch_related`` is one too), that is a dozen queries; applicant
pages have six (docs/PERFORMANCE.md). So an app reads its part as one row, the applicant's account, with each of its lists
annotated as a JSON array of that list's rows::

    row = User.objects.filter(pk=user.pk).annotate(
        otp_code_rows=json_rows(OtpCode.objects.filter(user=OuterRef("pk")), "number", "created_at", "used_at"),
    ).get()
    codes = rows_from_json(OtpCode, row.otp_code_rows, order_by=("-created_at", "-pk"))  # ``number`` decrypted

which is, on PostgreSQL, ``(SELECT JSONB_AGG(JSONB_BUILD_OBJECT('number', number, …)) FROM verification_otpcode
WHERE user_id = accounts_user.id)``; SQLite's ``JSON_GROUP_ARRAY(JSON_OBJECT(…))`` says the same.

JSON carries text, numbers and booleans only, so ``rows_from_json`` gives every value back its type through its
model field, as a query would: encrypted fields (prakerja/fields.py) are decrypted by their ``from_db_value``,
datetimes parsed (SQLite writes them without an offset: UTC), SQLite's 1/0 read as booleans and its JSON
columns (embedded as their text) parsed. It builds model instances holding only the fields asked for (the
others deferred, as with ``only()``), so callers keep using ``get_status_display()`` and properties; a related
field (``"wave__number"``) fills in the related instance.

The order inside the array is not guaranteed (SQLite before 3.44 cannot order an aggregate), so the instances
are sorted in Python, on the keys a query would have ordered by (``rows_from_json(..., order_by=...)``).
"""

import datetime as dt
import json
from collections import defaultdict
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Aggregate, DateTimeField, Expression, F, JSONField, Model, QuerySet, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

M = TypeVar("M", bound=Model)


class JSONArrayAgg(Aggregate):
    """The aggregated values as one JSON array: NULL over no rows on PostgreSQL, ``[]`` on SQLite."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def json_rows(queryset: QuerySet, *fields: str, **annotations: Expression) -> Subquery:
    """``fields`` (names, or paths through foreign keys: ``"wave__number"``) and ``annotations`` (each a JSON
    value, e.g. another ``json_rows``) of every row of ``queryset``, as one JSON array; ``queryset`` is filtered on
    an ``OuterRef`` to the row being annotated. The primary keys (the row's, a related row's) always come along.
    """
    # Each related instance is built with its primary key, so assigning it to its foreign key keeps the id.
    relations = {name.rpartition("__")[0] for name in fields if "__" in name}
    names = ["pk", *(f"{relation}__pk" for relation in sorted(relations)), *fields]
    row = JSONObject(**{name: F(name) for name in names}, **annotations)
    # Grouped by a constant, which Django leaves out of GROUP BY: one aggregate over every matching row.
    rows = queryset.order_by().annotate(_all=Value(1)).values("_all").annotate(rows=JSONArrayAgg(row)).values("rows")
    return Subquery(rows, output_field=JSONField())


def rows_from_json(model: type[M], rows: list[dict] | None, *, order_by: tuple[str, ...] = ()) -> list[M]:
    """Instances of ``model`` from the rows ``json_rows`` read, each value typed by its field (see above), sorted
    by ``order_by`` as ``QuerySet.order_by`` would (names of fields read, never null; ``-`` for descending). A key
    that names no field of ``model`` is an annotation: set as an attribute, its JSON decoded."""
    instances = [_instance(model, row) for row in rows or []]
    for key in reversed(order_by):  # Python's sort is stable: the last key first, the first key decides
        name = key.removeprefix("-")
        instances.sort(key=lambda instance: getattr(instance, name), reverse=key.startswith("-"))
    return instances


def _instance(model: type[M], row: dict[str, Any]) -> M:
    values: dict[str, Any] = {}
    related: dict[str, dict[str, Any]] = defaultdict(dict)
    annotations: dict[str, Any] = {}
    for key, raw in row.items():
        name, _, rest = key.partition("__")
        field = model._meta.pk if name == "pk" else _field(model, name)
        if field is None:
            annotations[key] = _json(raw)
        elif rest:
            related[name][rest] = raw
        else:
            values[field.attname] = _typed(field, raw)
    concrete = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    instance = model.from_db(connection.alias, concrete, [values[attname] for attname in concrete])
    for name, sub_row in related.items():
        field = model._meta.get_field(name)
        setattr(instance, name, _instance(field.related_model, sub_row))
    for name, value in annotations.items():
        setattr(instance, name, value)
    return instance


def _field(model: type[Model], name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # an annotation's name
        return None


def _typed(field, raw: Any) -> Any:
    """``raw`` as a query would have returned it for ``field``."""
    if raw is None:
        return None
    if isinstance(field, JSONField):
        # SQLite's JSON_OBJECT embeds a JSON column as its text, PostgreSQL's as JSON.
        return json.loads(raw, cls=field.decoder) if connection.vendor == "sqlite" else raw
    if hasattr(field, "from_db_value"):  # the encrypted fields (prakerja/fields.py) decrypt
        return field.from_db_value(raw, None, connection)
    value = field.to_python(raw)
    if isinstance(field, DateTimeField) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)  # SQLite stores UTC without an offset
    return value


def _json(value: Any) -> Any:
    """A nested JSON value as Python: SQLite hands a JSON value that came out of a subquery back as its text."""
    return json.loads(value) if isinstance(value, str) else value
