"""A partition written in bulk and then attached (PostgreSQL): a selection's results, an announcement's messages.

Millions of rows inserted into a table are logged one by one and enter each of its indexes one by one. Written by
CREATE TABLE … AS into a table of their own, they are logged a page at a time, and attaching that table to the
partitioned one builds its copies of the indexes from the written rows, several times faster (docs/PERFORMANCE.md).
The callers build the select list, with ``columns`` (and ``projection``) to cast each value to the partitioned table's
type in its order; ``partition_write`` writes the table and attaches it, ``partition_attach`` making it what the
partitioned table requires. ``partition_drop_if_empty`` takes back a partition whose rows are gone.
"""

from django.db import IntegrityError


def columns(cursor, table: str) -> list[tuple[str, str, bool]]:
    """``table``'s columns in their order: each name, its type as SQL writes it, and whether it is NOT NULL."""
    cursor.execute(
        """SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
           WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum""",
        [table],
    )
    return cursor.fetchall()


def projection(table_columns: list[tuple[str, str, bool]], alias: str, **values: str) -> str:
    """The select list of a ``CREATE TABLE … AS`` that writes a query's rows (``alias``) as a partition of the table of
    ``table_columns``: each column in the table's order, cast to its type, from the query's column of the same name
    unless ``values`` gives its SQL."""
    return ", ".join(
        f"CAST({values.get(name, f'{alias}.{name}')} AS {type_}) AS {name}" for name, type_, _not_null in table_columns
    )


def identity_nextval(cursor, table: str) -> str:
    """SQL for the next value of ``table``'s identity (its ``id``): a partition has none of its own, and rows written
    into the table meanwhile draw from the same one. The sequence is named by its oid, which no quoting can break."""
    cursor.execute("SELECT CAST(CAST(pg_get_serial_sequence(%s, 'id') AS regclass) AS oid)", [table])
    (sequence,) = cursor.fetchone()
    return f"nextval(CAST({int(sequence)} AS regclass))"


def partition_write(
    cursor,
    table: str,
    partition: str,
    select_sql: str,
    params: list | dict,
    *,
    table_columns: list[tuple[str, str, bool]],
    key: str,
    value: int,
) -> int:
    """Write the rows of ``select_sql`` (a SELECT of ``table``'s columns in their order, ``table_columns``) into the
    new table ``partition`` and attach it as ``table``'s partition for ``key`` = ``value``; returns how many rows.

    No rows, no partition. A table of that name that is there already is replaced if it is empty (what TRUNCATE …
    RESTART IDENTITY leaves, as a test's flush does: partitions emptied, their numbers given out again) and refused
    if it holds rows."""
    if not partition_drop_if_empty(cursor, partition):
        raise IntegrityError(f"{partition} already holds rows: {table}'s partition for {key} = {int(value)} exists")
    cursor.execute(f"CREATE TABLE {partition} AS {select_sql}", params)
    written = cursor.rowcount
    if written:
        partition_attach(cursor, table, partition, table_columns, key=key, value=value)
    else:
        cursor.execute(f"DROP TABLE {partition}")
    return written


def partition_attach(
    cursor, table: str, partition: str, table_columns: list[tuple[str, str, bool]], *, key: str, value: int
) -> None:
    """Attach ``partition``, a table written with ``table``'s columns (``table_columns``, as ``columns`` gave them),
    as ``table``'s partition for ``key`` = ``value`` (an integer list partition key).

    First what ``table`` requires of a partition, checked in one pass over the rows: its NOT NULL and CHECK
    constraints, and one that lets the attachment trust the rows are all ``value``'s instead of reading them again.
    The attachment then builds the partition's copies of the table's indexes and unique constraints; readers and
    writers of the table's other partitions are not held up.
    """
    cursor.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype = 'c' AND NOT connoinherit ORDER BY conname""",
        [table],
    )
    constraints = [
        *(f"ALTER COLUMN {name} SET NOT NULL" for name, _type, not_null in table_columns if not_null),
        *(f"ADD CONSTRAINT {name} {definition}" for name, definition in cursor.fetchall()),
        f"ADD CHECK ({key} = {int(value)})",
    ]
    cursor.execute(f"ALTER TABLE {partition} {', '.join(constraints)}")
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {partition} FOR VALUES IN ({int(value)})")


def partition_drop_if_empty(cursor, partition: str) -> bool:
    """Drop the table ``partition`` if it holds no row; whether it is gone now (True as well if there was none)."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partition])
    if not cursor.fetchone()[0]:
        return True
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {partition})")
    if cursor.fetchone()[0]:
        return False
    cursor.execute(f"DROP TABLE {partition}")
    return True
