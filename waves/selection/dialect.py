"""Where PostgreSQL and SQLite differ, in one object: the statements in this package ask ``dialect()`` and never
test the database's vendor themselves.

PostgreSQL is production and CI: results partitioned by run, byte-wise sorts, planner fences, advisory locks.
SQLite is the demo's embedded database: one results table, and a write transaction that already excludes every
other.
"""

from __future__ import annotations

from django.db import connection

from prakerja import partitions
from waves.models import Card, Result
from waves.selection.lock import AdvisoryLock, FileLock, SelectionLock

RESULTS = Result._meta.db_table
CARDS = Card._meta.db_table
# The advisory locks' first key: "selection" in the portal's advisory-lock space (the second is a wave id, or 0
# for every selection at once).
ADVISORY_NAMESPACE = 0x5E1EC7
# A selection's memory for building its results' indexes (PostgreSQL, run_prepare).
RUN_MAINTENANCE_WORK_MEM = "512MB"


class SQLite:
    # Sorts and planner hints that only PostgreSQL needs.
    bytewise = ""
    fence = ""

    def lock(self, wave_id: int) -> SelectionLock:
        return FileLock(wave_id)

    def run_prepare(self, cursor) -> None:
        """At the start of a run's transaction: nothing to set, and a write transaction already excludes every
        other (the demo's databases open their transactions IMMEDIATE), so selections take turns by themselves."""

    def results_write(self, cursor, run_id: int, rows_sql: str, params: dict, *, rows: int) -> None:
        """Write the run's results: the ``rows`` rows of ``rows_sql``, a query with a column of each name of the
        results but the id, and ``position``, the row's place (1 to ``rows``) in the order they come."""
        columns = ", ".join(field.column for field in Result._meta.concrete_fields if not field.primary_key)
        cursor.execute(f"INSERT INTO {RESULTS} ({columns}) SELECT {columns} FROM ({rows_sql}) AS w", params)

    def results_drop(self, cursor, run_id: int) -> None:
        cursor.execute(f"DELETE FROM {RESULTS} WHERE run_id = %s", [run_id])

    def cards_write(self, cursor, run_id: int, rows_sql: str, params: dict) -> None:
        """Write the run's cards: the rows of ``rows_sql``, a query with a column of each name of the cards but the
        id, ``batch`` being the run."""
        columns = ", ".join(field.column for field in Card._meta.concrete_fields if not field.primary_key)
        cursor.execute(f"INSERT INTO {CARDS} ({columns}) SELECT {columns} FROM ({rows_sql}) AS c", params)

    def cards_drop(self, cursor, run_id: int) -> None:
        """Delete the run's cards (a void: results_discard)."""
        # Cards refer to results without a database constraint (they are written in bulk), so they go first.
        cursor.execute(f"DELETE FROM {CARDS} WHERE result_id IN (SELECT id FROM {RESULTS} WHERE run_id = %s)", [run_id])


class PostgreSQL(SQLite):
    # Codes and hex digits sort alike under any collation, and byte by byte several times faster than under the
    # database's locale-aware one, which a sort of millions of rows pays in seconds.
    bytewise = ' COLLATE "C"'
    # Keeps a subquery from being merged into the statement around it, so that its expensive columns (the rules)
    # are computed once per row it returns, not once per reference.
    fence = " OFFSET 0"

    def lock(self, wave_id: int) -> SelectionLock:
        return AdvisoryLock(ADVISORY_NAMESPACE, wave_id)

    def run_prepare(self, cursor) -> None:
        # Compiling the rules' expressions to machine code costs about a second per statement and saves less than
        # that on rows that are mostly written rather than computed.
        cursor.execute("SET LOCAL jit = off")
        # Memory for building the results' indexes at attachment, which at millions of rows otherwise sort on
        # disk (the stock 64 MB). Selections take turns, so this is one transaction's worth at a time. Not
        # work_mem: with 256 MB the planner joined the enrollments to their identities, declarations and users
        # by hashing instead of merging in user order, so the rules' per-row look-ups (the passed attempt) went
        # at random and the first statement took twice as long (docs/PERFORMANCE.md).
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{RUN_MAINTENANCE_WORK_MEM}'")
        # Selections take turns, so that a run sees the cards every earlier run issued: without it, two waves
        # selected at the same moment could each give the last places of one Kartu Keluarga to a member (DESIGN
        # §4: at most 2, ever). A transaction-level lock on key 0 (wave ids start at 1), released at commit.
        cursor.execute("SELECT pg_advisory_xact_lock(%s::int, 0)", [ADVISORY_NAMESPACE])

    def results_write(self, cursor, run_id: int, rows_sql: str, params: dict, *, rows: int) -> None:
        # The run's rows go into a table of their own, without indexes, which then becomes the run's partition of
        # the results (results_partition in the initial migration): its indexes are built once from the written
        # rows, several times faster than keeping four indexes up to date row by row. The table is made by
        # CREATE TABLE … AS, which writes its rows a page at a time where an INSERT … SELECT writes (and logs) them
        # one by one (a second less at 1,000,000 rows, docs/PERFORMANCE.md). Its columns are cast to the results'
        # types, in the results' order, so the attachment finds the table it expects.
        table = f"{RESULTS}_run_{int(run_id)}"
        results_columns = partitions.columns(cursor, RESULTS)
        # Partitions do not share the table's identity; their ids come from its sequence all the same: a block of
        # ``rows`` values taken at once, the row at ``position`` getting the block's position-th (one nextval() per
        # row cost half a second at 1,000,000 rows). Nothing else takes values from this sequence: results are
        # written only here, by selections, which take turns (run_prepare).
        cursor.execute(
            """SELECT setval(seq, nextval(seq) + %(rows)s - 1) - %(rows)s
               FROM CAST(pg_get_serial_sequence(%(table)s, 'id') AS regclass) AS seq""",
            {"rows": max(rows, 1), "table": RESULTS},
        )
        (before_block,) = cursor.fetchone()
        projection = partitions.projection(results_columns, "w", id=f"{int(before_block)} + w.position")
        cursor.execute(f"CREATE TABLE {table} AS SELECT {projection} FROM ({rows_sql}) AS w", params)
        if cursor.rowcount != rows:
            raise ValueError(f"selection run {run_id} wrote {cursor.rowcount} results for {rows} enrollments")
        partitions.partition_attach(cursor, RESULTS, table, results_columns, key="run_id", value=run_id)
        # Statistics for the planner, which otherwise knows nothing of the new rows; with them, the KK cap probes
        # a KK's rows by index instead of scanning.
        cursor.execute(f"ANALYZE {table}")

    def results_drop(self, cursor, run_id: int) -> None:
        # Dropping the partition costs the same for ten rows or a million, and leaves no empty partition behind.
        cursor.execute(f"DROP TABLE IF EXISTS {RESULTS}_run_{int(run_id)}")

    def cards_write(self, cursor, run_id: int, rows_sql: str, params: dict) -> None:
        # As the results: the run's cards go into a table of their own, which then becomes the run's partition of the
        # cards (their batch, waves' migration 0014), its indexes built once from the written rows instead of five
        # indexes kept up to date row by row (docs/PERFORMANCE.md, "A run's cards as a partition"). The ids come from
        # the cards' identity, a value per row: cards written on their own (partition 0) draw from it too.
        cards_columns = partitions.columns(cursor, CARDS)
        projection = partitions.projection(cards_columns, "c", id=partitions.identity_nextval(cursor, CARDS))
        partitions.partition_write(
            cursor,
            CARDS,
            f"{CARDS}_run_{int(run_id)}",
            f"SELECT {projection} FROM ({rows_sql}) AS c",
            params,
            table_columns=cards_columns,
            key="batch",
            value=run_id,
        )

    def cards_drop(self, cursor, run_id: int) -> None:
        # The run's partition, whatever its size; then any card of its results written on its own (partition 0).
        cursor.execute(f"DROP TABLE IF EXISTS {CARDS}_run_{int(run_id)}")
        super().cards_drop(cursor, run_id)


def dialect() -> SQLite:
    return PostgreSQL() if connection.vendor == "postgresql" else SQLite()
