"""Every write to the outbox: enqueue a message, claim due messages, deliver them, requeue failed ones.

Delivery is at least once, made effectively exactly once by the idempotency key that every attempt passes to
the backend. A worker first *claims* rows in a short transaction (status "sending", a lease, attempts + 1),
then sends them outside any transaction, then records each outcome with a conditional UPDATE that matches
only while the row still carries the attempt number of its claim. A worker that dies between the send and
the record leaves the row leased; when the lease runs out the sweep claims it again and the backend sees the
same key a second time.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.base import ModelState
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from notifications.masking import mask_recipient
from notifications.models import MESSAGES_UNPURGED, SINGLES_BATCH, Channel, Message, SharedBody, Status
from notifications.sms import BaseBackend, get_sms_backend
from prakerja import partitions
from prakerja.prepared import prepared_cursor
from prakerja.retention import purge_in_batches

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "X-Idempotency-Key"
LAST_ERROR_MAX_LENGTH = 500
LEASE_EXPIRED_ON_LAST_ATTEMPT = "Lease expired on the last attempt"


# --- Enqueue ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    html_body: str


def _render_text(name: str, context: dict) -> str:
    # Plain text is not HTML: with Django's autoescaping a name like O'Brien would reach a phone as
    # "O&#x27;Brien". The HTML alternative keeps autoescaping.
    return get_template(name).template.render(Context(context, autoescape=False))


def message_render(*, channel: Channel, template: str, context: dict) -> RenderedMessage:
    """The subject, text body and optional HTML body of ``template`` in the active language."""
    context = {**context, "site_url": settings.SITE_URL}
    body = _render_text(f"notifications/{template}.txt", context).strip()
    subject = html_body = ""
    if channel == Channel.EMAIL:
        subject = " ".join(_render_text(f"notifications/{template}_subject.txt", context).split())
        try:
            html_template = get_template(f"notifications/{template}.html")
        except TemplateDoesNotExist:
            pass
        else:
            html_body = html_template.render(context)
    return RenderedMessage(subject=subject, body=body, html_body=html_body)


def message_enqueue(
    *,
    channel: Channel,
    recipient: str,
    template: str,
    context: dict,
    idempotency_key: str,
    user=None,
    not_before: datetime | None = None,
    sensitive: bool = False,
    queue: str | None = None,
) -> Message:
    """Write one outbox row in the caller's transaction and deliver it after commit.

    The body is rendered now, in the active language, so what is sent is what the applicant saw happen.
    A second call with the same ``idempotency_key`` writes nothing and returns the first row. A message with
    ``not_before`` in the future is left to the sweep, which sends it once that time has come. The body is
    stored encrypted, and so is a phone number recipient (notifications/models.py); a ``sensitive`` body (a
    one-time code, a link that acts for the account) keeps no HTML alternative. ``queue`` sends the delivery task to another
    queue than "notifications" (one-time codes have their own, so bulk mail never delays them).
    """
    channel = Channel(channel)
    now = timezone.now()
    rendered = message_render(channel=channel, template=template, context=context)
    message = Message(
        channel=channel,
        recipient=recipient,
        template=template,
        subject=rendered.subject,
        body=rendered.body,
        sensitive=sensitive,
        html_body="" if sensitive else rendered.html_body,
        idempotency_key=idempotency_key,
        user=user,
        not_before=not_before,
        next_attempt_at=max(now, not_before) if not_before else now,
        created_at=now,
    )
    try:
        # The savepoint keeps the caller's transaction usable when the key exists. Inserting first (rather
        # than looking first) costs nothing extra in the common case and settles a race of two callers with
        # the same key: the loser waits on the unique index and lands here once the winner commits.
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # Only a row of its own kind can hold the key (the unique index leaves bulk rows out: models.Message).
        existing = Message.objects.filter(idempotency_key=idempotency_key, shared_body__isnull=True).first()
        if existing is None:
            raise
        return existing
    if message.next_attempt_at <= now:
        _deliver_after_commit([message.pk], queue=queue)
    return message


def _deliver_after_commit(ids: list[int], *, queue: str | None = None) -> None:
    from notifications.tasks import message_deliver_task

    # Robust: once the row is committed the message is safe, so a broker that is down must not turn the
    # applicant's completed request into an error page. The failure is logged and the sweep sends it.
    # (A function, not functools.partial: Django names the callback by __qualname__ when it logs.)
    def message_deliver_task_delay() -> None:
        message_deliver_task.apply_async(args=[ids], **({"queue": queue} if queue else {}))

    transaction.on_commit(message_deliver_task_delay, robust=True)


@dataclass(frozen=True)
class BulkKind:
    """One kind of message of a bulk enqueue (``messages_enqueue_bulk_kinds``): ``template`` rendered with
    ``context`` once, sent on ``channel`` to the recipients' rows where the boolean column ``when`` has the given
    value (every row if None), at the address in their column ``recipient`` (a row where it is NULL gets none);
    for SMS, ``recipient_digest`` names the column of the number's blind index."""

    channel: Channel
    template: str
    context: dict
    recipient: str = "recipient"
    recipient_digest: str | None = None
    when: tuple[str, bool] | None = None


def messages_enqueue_bulk(
    *,
    channel: Channel,
    template: str,
    context: dict,
    recipients: QuerySet,
    key_prefix: str,
    not_before: datetime | None = None,
) -> int:
    """One message per row of ``recipients`` (a query yielding ``user_id`` and ``recipient``, and for SMS its
    ``recipient_digest``), written by one INSERT … SELECT in the caller's transaction; returns how many.

    For announcements to thousands or millions: the text names no one, so it is rendered and encrypted once, here,
    and stored once, in a ``SharedBody`` every row refers to; a row keeps only what differs per recipient
    (docs/PERFORMANCE.md, "Shared bodies and the delivery batch"). ``recipient`` is copied as stored: an email column
    (``annotate(recipient=F("user__email"))``), or for SMS a phone number's encrypted column with its blind
    index (``recipient=F("user__phone__number"), recipient_digest=F("user__phone__number_digest")``): the token
    and the index are the outbox's own forms of them (the same keys), so nothing is decrypted or encrypted per
    row. Each row's idempotency key is ``<key_prefix>:<user_id>:<channel>``; ``messages_cancel`` takes the same
    prefix back. Like ``message_enqueue``, nothing is sent before ``not_before``: the sweep picks the rows up.
    """
    channel = Channel(channel)
    with_digest = channel == Channel.SMS and "recipient_digest" in recipients.query.annotations
    kind = BulkKind(channel, template, context, recipient_digest="recipient_digest" if with_digest else None)
    return messages_enqueue_bulk_kinds(
        kinds=[kind], recipients=recipients, key_prefix=key_prefix, not_before=not_before
    )


def messages_enqueue_bulk_kinds(
    *,
    kinds: Sequence[BulkKind],
    recipients: QuerySet,
    key_prefix: str,
    not_before: datetime | None = None,
) -> int:
    """Several kinds of bulk message (``BulkKind``) to the rows of one query yielding ``user_id`` and the columns
    the kinds name, in ONE statement that reads the query once (an announcement: the selected get an email and an
    SMS, the others an email); returns how many rows were written. The rows are a batch of their own
    (``Message.batch``, the first body's id): on PostgreSQL the outbox's partition for it, written by CREATE TABLE …
    AS (``_bulk_partition_write``), elsewhere an INSERT … SELECT. Otherwise as ``messages_enqueue_bulk``:
    each kind's text is rendered once and stored once in a ``SharedBody``, a kind that reaches no one leaves no
    body behind, and each row's key is ``<key_prefix>:<user_id>:<channel>`` (so two kinds of one channel must not
    reach the same row, which is checked: they must split the rows by one column's value). Rows go in user order,
    so the user index and the (body, user) one grow at a few points instead of at random places. The statements are
    the same few whatever the number of recipients.

    A bulk row's key stays unique without an index of the keys (notifications/models.py): a body per prefix,
    channel and template (a second enqueue under the same prefix fails before writing a row), a row per user and
    body (both held by the database), and kinds of one channel that cannot meet on a row (checked here).
    """
    _bulk_kinds_check(kinds)
    now = timezone.now()
    due = not_before or now  # the sweep takes them from then on
    bodies = []
    for kind in kinds:
        channel = Channel(kind.channel)
        rendered = message_render(channel=channel, template=kind.template, context=kind.context)
        bodies.append(
            SharedBody(
                subject=rendered.subject,
                body=rendered.body,
                html_body=rendered.html_body,
                created_at=now,
                key_prefix=key_prefix,
                channel=channel,
                template=kind.template,
            )
        )
    bodies = SharedBody.objects.bulk_create(bodies)
    quote = connection.ops.quote_name
    columns = {"user_id"}
    kinds_sql, recipient_sql, digest_sql, matches, params = [], [], [], [], []
    for number, (kind, body) in enumerate(zip(kinds, bodies, strict=True)):
        kinds_sql.append(f"SELECT {number} AS kind, %s AS channel, %s AS template, {int(body.pk)} AS shared_body_id")
        params += [Channel(kind.channel).value, kind.template]
        columns.add(kind.recipient)
        recipient_sql.append(f"WHEN {number} THEN r.{quote(kind.recipient)}")
        if kind.recipient_digest:
            columns.add(kind.recipient_digest)
            digest_sql.append(f"WHEN {number} THEN r.{quote(kind.recipient_digest)}")
        condition = f"k.kind = {number}"
        if kind.when is not None:
            column, value = kind.when
            columns.add(column)
            condition += f" AND {'' if value else 'NOT '}r.{quote(column)}"
        matches.append(f"({condition})")
    rows_sql, rows_params = recipients.values(*sorted(columns)).query.sql_with_params()
    digest = f"CASE k.kind {' '.join(digest_sql)} ELSE '' END" if digest_sql else "''"
    # Each column's value, over the rows ``m`` below, with its parameters.
    batch = int(bodies[0].pk)
    values = {
        "channel": ("m.channel", []),
        "recipient": ("m.recipient", []),
        "recipient_digest": ("m.recipient_digest", []),
        "template": ("m.template", []),
        "subject": ("''", []),
        "body": ("''", []),
        "html_body": ("''", []),
        "shared_body_id": ("m.shared_body_id", []),
        "sensitive": ("%s", [False]),
        "idempotency_key": ("%s || ':' || m.user_id || ':' || m.channel", [key_prefix]),
        "user_id": ("m.user_id", []),
        # As the ORM writes them: SQLite compares datetimes as text, in Django's own format.
        "not_before": ("%s", [connection.ops.adapt_datetimefield_value(not_before)]),
        "status": ("%s", [Status.PENDING]),
        "attempts": ("0", []),
        "next_attempt_at": ("%s", [connection.ops.adapt_datetimefield_value(due)]),
        "last_error": ("''", []),
        "created_at": ("%s", [connection.ops.adapt_datetimefield_value(now)]),
        "batch": (str(batch), []),
    }
    rows = f"""FROM (
                    -- each row of the query once per kind that reaches it, with that kind's address
                    SELECT k.channel, k.template, k.shared_body_id, r.user_id,
                           CASE k.kind {" ".join(recipient_sql)} END AS recipient, {digest} AS recipient_digest
                    FROM ({rows_sql}) r
                    JOIN ({" UNION ALL ".join(kinds_sql)}) k ON {" OR ".join(matches)}
                ) m
                WHERE m.recipient IS NOT NULL
                ORDER BY m.user_id"""
    rows_params = [*rows_params, *params]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            written = _bulk_partition_write(cursor, batch, values, rows, rows_params)
        else:
            cursor.execute(
                f"""INSERT INTO {Message._meta.db_table} ({", ".join(values)})
                    SELECT {", ".join(value for value, _params in values.values())} {rows}""",
                [*(param for _value, params in values.values() for param in params), *rows_params],
            )
            written = cursor.rowcount
        # A kind that reached no one leaves no body behind. A body's first row is looked for through the (body,
        # user) index rather than every row counted as the INSERT writes it (returning a million rows to count
        # them cost more than the whole look-up, docs/PERFORMANCE.md). A scalar subquery, so that it is one probe
        # per body: written as NOT EXISTS, it became an anti-join that the planner, whose statistics had not seen
        # the rows just written, ran as a scan of the whole index. Nothing refers to such a body, so it goes by
        # its id (Django's delete would look for its messages first, reading an outbox with no full index on it).
        message, shared = Message._meta, SharedBody._meta
        cursor.execute(
            f"""DELETE FROM {shared.db_table} AS body
                WHERE body.id IN ({", ".join(str(int(body.pk)) for body in bodies)}) AND (
                    SELECT 1 FROM {message.db_table} AS message
                    WHERE message.batch = {batch} AND message.shared_body_id = body.id AND message.purged_at IS NULL
                    LIMIT 1
                ) IS NULL"""
        )
    return written


def _bulk_partition_write(cursor, batch: int, values: dict[str, tuple[str, list]], rows: str, params: list) -> int:
    """Write a bulk enqueue's rows as the outbox's partition for ``batch`` (PostgreSQL; migration 0009): ``values``
    gives each column's value over the rows of ``rows`` (a FROM clause and what follows it, with ``params``); returns
    how many rows were written.

    As a selection's results are written (prakerja/partitions.py): CREATE TABLE … AS logs the rows a page at a time
    into a table without indexes, where an INSERT into the outbox logs each row and enters it into four indexes one
    by one, and attaching the table builds its copies of the outbox's indexes from the written rows
    (docs/PERFORMANCE.md, "An announcement's own partition"). The ids come from the outbox's identity, a value per
    row, since messages written meanwhile take theirs from it too. An enqueue that wrote no row leaves no partition.
    """
    table = Message._meta.db_table
    values = {**values, "id": (partitions.identity_nextval(cursor, table), [])}
    projection, projection_params = [], []
    table_columns = partitions.columns(cursor, table)
    for name, type_, _not_null in table_columns:
        value, value_params = values.get(name, ("NULL", []))
        projection.append(f"CAST({value} AS {type_}) AS {name}")
        projection_params += value_params
    # A batch's number is its first body's id: a table by its name exists only if the bodies' ids started again.
    return partitions.partition_write(
        cursor,
        table,
        f"{table}_{batch}",
        f"SELECT {', '.join(projection)} {rows}",
        [*projection_params, *params],
        table_columns=table_columns,
        key="batch",
        value=batch,
    )


def _bulk_kinds_check(kinds: Sequence[BulkKind]) -> None:
    """Refuse kinds of one channel that could reach the same row: two such rows would share a key
    (``<key_prefix>:<user_id>:<channel>``), which no index checks for bulk rows. They are told apart only by one
    boolean column's opposite values (an announcement: the selected and the others)."""
    by_channel: dict[str, list[BulkKind]] = defaultdict(list)
    for kind in kinds:
        by_channel[Channel(kind.channel).value].append(kind)
    for channel, same in by_channel.items():
        if len(same) == 1:
            continue
        whens = [kind.when for kind in same]
        if None in whens or len({column for column, _value in whens}) != 1 or len(set(whens)) != len(whens):
            raise ValueError(f"bulk kinds of channel {channel} may reach the same row: {whens}")


def messages_cancel(*, key_prefix: str) -> int:
    """Remove the messages written under ``key_prefix`` (``messages_enqueue_bulk``) that have not been sent or
    taken by a worker yet; returns how many. Sent ones stay: they are history. (Nothing refers to a message, so
    this is one DELETE, whatever the count.) On PostgreSQL, a bulk enqueue's partition that this leaves empty (a
    voided selection's, whose messages were not due yet) is dropped, as the run's results are."""
    statuses = [Status.PENDING, Status.FAILED]
    if connection.vendor != "postgresql":
        deleted, _by_model = Message.objects.filter(
            idempotency_key__startswith=f"{key_prefix}:", status__in=statuses
        ).delete()
        return deleted
    table = Message._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows' batches, counted in the database rather than returned one per row.
        cursor.execute(
            f"""WITH gone AS (
                    DELETE FROM {table} WHERE idempotency_key LIKE %s AND status IN (%s, %s) RETURNING batch
                )
                SELECT batch, COUNT(*) FROM gone GROUP BY batch""",
            [f"{connection.ops.prep_for_like_query(key_prefix)}:%", *statuses],
        )
        by_batch = dict(cursor.fetchall())
        for batch in sorted(by_batch.keys() - {SINGLES_BATCH}):
            partitions.partition_drop_if_empty(cursor, f"{table}_{int(batch)}")
    return sum(by_batch.values())


# --- Claim --------------------------------------------------------------------------------------------


def messages_claim(
    *,
    ids: Iterable[int] | None = None,
    batch: int | None = SINGLES_BATCH,
    limit: int | None = None,
    now: datetime | None = None,
) -> list[Message]:
    """Lease up to ``limit`` due messages (of ``ids`` if given) to the caller and return them.

    ``ids`` are looked for in ``batch`` only (``Message.batch``; None: in every batch), so that the claim reads one of
    the outbox's partitions. A delivery task's are messages written on their own (``message_enqueue``), in batch 0,
    the default; a bulk enqueue's rows are the sweep's.

    Due: pending with its next attempt (never before not_before) come, or sending with its lease run out
    (the worker died or hung). SKIP LOCKED lets concurrent sweeps share the rows instead of queueing on
    them; SQLite has no row locks, but its IMMEDIATE transactions serialise claims just as well.
    The returned rows carry the new attempt number: pass them to messages_deliver as they are.
    Expired leases come first (oldest lease first), then pending rows (earliest due first).
    """
    now = now or timezone.now()
    limit = limit or settings.OUTBOX_BATCH_SIZE
    if ids is not None:
        ids = list(ids)
        if not ids:
            return []
    leased_until = now + settings.OUTBOX_LEASE
    if connection.vendor == "postgresql":
        # The claim itself returns each row's shared body.
        return _messages_claim_postgresql(ids=ids, batch=batch, limit=limit, now=now, leased_until=leased_until)
    claimed = _messages_claim_orm(ids=ids, batch=batch, limit=limit, now=now, leased_until=leased_until)
    _shared_bodies_attach(claimed)
    return claimed


def _shared_bodies_attach(messages: list[Message]) -> None:
    # A batch of an announcement shares one or two bodies: one query, one decryption each, instead of one per row.
    ids = {
        message.shared_body_id
        for message in messages
        if message.shared_body_id is not None and not Message.shared_body.is_cached(message)
    }
    if not ids:
        return
    bodies = SharedBody.objects.in_bulk(ids)
    for message in messages:
        if message.shared_body_id is not None:
            message.shared_body = bodies[message.shared_body_id]


def _messages_claim_orm(
    *, ids: list[int] | None, batch: int | None, limit: int, now: datetime, leased_until: datetime
) -> list[Message]:
    # SQLite (the tests, development): no SKIP LOCKED there, and no bulk announcements to keep up with.
    rows = Message.objects.all()
    if ids is not None:
        rows = rows.filter(pk__in=ids) if batch is None else rows.filter(batch=batch, pk__in=ids)
    expired = rows.filter(status=Status.SENDING, leased_until__lte=now)
    with transaction.atomic():
        # A message whose worker died on its last allowed attempt is given up, not claimed forever: it may
        # be the message that kills the worker.
        expired.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
            status=Status.FAILED, leased_until=None, last_error=LEASE_EXPIRED_ON_LAST_ATTEMPT
        )
        claimed = list(expired.select_for_update(skip_locked=True).order_by("leased_until")[:limit])
        if len(claimed) < limit:
            due = (
                rows.filter(status=Status.PENDING, next_attempt_at__lte=now)
                .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
                .select_for_update(skip_locked=True)
                .order_by("next_attempt_at")
            )
            claimed += list(due[: limit - len(claimed)])
        if not claimed:
            return []
        Message.objects.filter(pk__in=[message.pk for message in claimed]).update(
            status=Status.SENDING, leased_until=leased_until, attempts=F("attempts") + 1
        )
    for message in claimed:
        message.status = Status.SENDING
        message.leased_until = leased_until
        message.attempts += 1
    return claimed


# Raw SQL on PostgreSQL, for speed: the ORM path above costs four statements per claim, and the ORM building
# them (an IN list of up to a batch of ids each) was most of a worker's time per batch (docs/PERFORMANCE.md,
# "Outbox delivery").
# This is the same claim in one statement, with the same conditions and order:
#   given_up   fails the expired leases on their last attempt (disjoint from the claimed rows: attempts < max);
#   candidates locks, SKIP LOCKED, the expired leases first and then the due pending rows, ``limit`` in all
#              (each branch is a subquery because FOR UPDATE is not allowed directly in a UNION; the outer
#              LIMIT stops pulling, and so locking, from the second branch once the batch is full);
#   claimed    leases them (attempts + 1 is the lease token) and RETURNs every column and the claim order
#              (RETURNING has no ORDER BY), so the Message objects are built from its rows without another SELECT;
#   the SELECT adds each row's shared body (a bulk message's text), so a batch of an announcement needs no
#              second round trip: on the first row of the batch that refers to it only (body_rank), so the
#              body's columns cross the wire and are parsed once per batch, not once per row; rows come back in
#              the claim order.
#   lazy_flush turns synchronous_commit off for this statement's own transaction (set_config's third argument),
#              when the caller runs it outside any transaction: its commit does not wait for the disk (1-8 ms
#              here, as much as the statement itself). A claim lost in a crash of PostgreSQL only sends its
#              messages again with the same keys, which a crash during the sends does anyway; a "sent" UPDATE
#              that commits synchronously (a batch with an email in it, see _MARK_SENT_SQL) flushes the claim
#              before it (the log is sequential).
# Table and column names come from Message._meta.
# Both claims below start by giving up expired leases on their last attempt, and end by adding each row's shared body
# and returning the rows in their claim order (then id, which ties only in the claim by ids).
_CLAIM_GIVEN_UP_SQL = """
WITH given_up AS (
    UPDATE {table} SET {status} = %(failed)s, {leased_until} = NULL, {last_error} = %(last_error)s
    WHERE {status} = %(sending)s AND {leased_until} <= %(now)s AND {attempts} >= %(max_attempts)s{ids}
    RETURNING 1
)"""
_CLAIM_RETURNED_SQL = """
), ranked AS (
    SELECT claimed.*,
        row_number() OVER (PARTITION BY claimed.{shared_body} ORDER BY claimed.claim_order, claimed.{id}) AS body_rank
    FROM claimed
)
SELECT {ranked_returning}, {shared_returning}
FROM ranked LEFT JOIN {shared_table} AS shared
    ON shared.{shared_id} = ranked.{shared_body} AND ranked.body_rank = 1{lazy_flush}
ORDER BY ranked.claim_order, ranked.{id}
"""
_CLAIM_SQL = (
    _CLAIM_GIVEN_UP_SQL
    + """, candidates AS MATERIALIZED (
    SELECT {id}, {batch}, row_number() OVER (ORDER BY claim_group, claim_order) AS claim_rank
    FROM (
        SELECT * FROM (
            SELECT {id}, {batch}, 0 AS claim_group, {leased_until} AS claim_order FROM {table}
            WHERE {status} = %(sending)s AND {leased_until} <= %(now)s AND {attempts} < %(max_attempts)s{ids}
            ORDER BY {leased_until}
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        ) AS expired
        UNION ALL
        SELECT * FROM (
            SELECT {id}, {batch}, 1 AS claim_group, {next_attempt_at} AS claim_order FROM {table}
            WHERE {status} = %(pending)s AND {next_attempt_at} <= %(now)s
                AND ({not_before} IS NULL OR {not_before} <= %(now)s){ids}
            ORDER BY {next_attempt_at}
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        ) AS due
        LIMIT %(limit)s
    ) AS locked
), claimed AS (
    UPDATE {table} AS message
    SET {status} = %(sending)s, {leased_until} = %(leased_until)s, {attempts} = message.{attempts} + 1
    FROM candidates
    WHERE message.{id} = candidates.{id} AND message.{batch} = candidates.{batch}
    RETURNING candidates.claim_rank AS claim_order, {returning}"""
    + _CLAIM_RETURNED_SQL
)
# The claim of rows named by id, all of them (a delivery task's: the rows its enqueue just wrote), in one UPDATE
# with the same conditions: no SKIP LOCKED subquery, whose row locks (a WAL record per row) and second look-up of each
# row by its key cost 13–16% of the claim (docs/PERFORMANCE.md, "The next message taken during the task"). A row
# another transaction holds is waited for instead of skipped, then checked again as that transaction left it (READ
# COMMITTED): what a sweep claimed meanwhile is no longer due, and is left alone. The outbox's writers hold its rows
# for one short statement each (the sweep's claim, a mark, a purge batch, an account's erasure); two tasks naming the
# same rows (a redelivered message) lock them in the same index order, and a deadlock PostgreSQL would still detect
# fails the statement, which the task's database retry runs again. Rows come back in due order, then by id.
_CLAIM_IDS_SQL = (
    _CLAIM_GIVEN_UP_SQL
    + """, claimed AS (
    UPDATE {table} AS message
    SET {status} = %(sending)s, {leased_until} = %(leased_until)s, {attempts} = message.{attempts} + 1
    WHERE {ids_batch}message.{id} = ANY(%(ids)s::bigint[]) AND (
        (message.{status} = %(pending)s AND message.{next_attempt_at} <= %(now)s
            AND (message.{not_before} IS NULL OR message.{not_before} <= %(now)s))
        OR (message.{status} = %(sending)s AND message.{leased_until} <= %(now)s
            AND message.{attempts} < %(max_attempts)s)
    )
    RETURNING message.{next_attempt_at} AS claim_order, {returning}"""
    + _CLAIM_RETURNED_SQL
)
# An uncorrelated subquery in WHERE is an InitPlan, a one-time filter: set_config runs once per statement.
_LAZY_FLUSH = "(SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL"
_LAZY_FLUSH_SQL = f"""
WHERE {_LAZY_FLUSH}"""

# What a claim returns of each row: what sending needs and what the admin or a log names a message by. The rest
# (times, last error, blind index) stays deferred on the instances: reading it is a query of its own.
_CLAIM_FIELDS = (
    "id",
    "channel",
    "recipient",
    "template",
    "subject",
    "body",
    "sensitive",
    "html_body",
    "shared_body",
    "idempotency_key",
    "user",
    "not_before",
    "status",
    "attempts",
    "purged_at",
    "batch",
)


def _claim_sql(*, with_ids: bool, all_ids: bool = False, batch: int | None = None, lazy_flush: bool) -> str:
    """The claim's statement: of any due rows, of due rows among ``ids``, or (``all_ids``) of every due row of them;
    ``ids`` looked for in ``batch`` only, if given (a literal, so that the plan reads that partition alone)."""
    quote = connection.ops.quote_name
    meta = Message._meta
    columns = {
        name: quote(meta.get_field(name).column)
        for name in ("status", "leased_until", "last_error", "attempts", "next_attempt_at", "not_before")
    }
    shared = SharedBody._meta
    batch_column = quote(meta.get_field("batch").column)
    ids_batch = "" if batch is None else f"{batch_column} = {int(batch)} AND "
    return (_CLAIM_IDS_SQL if all_ids else _CLAIM_SQL).format(
        table=quote(meta.db_table),
        id=quote(meta.pk.column),
        batch=batch_column,
        ids_batch=ids_batch,
        ids=f" AND {ids_batch}{quote(meta.pk.column)} = ANY(%(ids)s::bigint[])" if with_ids else "",
        returning=", ".join(f"message.{quote(meta.get_field(name).column)}" for name in _CLAIM_FIELDS),
        ranked_returning=", ".join(f"ranked.{quote(meta.get_field(name).column)}" for name in _CLAIM_FIELDS),
        shared_table=quote(shared.db_table),
        shared_id=quote(shared.pk.column),
        shared_body=quote(meta.get_field("shared_body").column),
        shared_returning=", ".join(f"shared.{quote(field.column)}" for field in shared.concrete_fields),
        lazy_flush=_LAZY_FLUSH_SQL if lazy_flush else "",
        **columns,
    )


def _integer_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal of integers ("{1,2,3}"), for a parameter cast to an array type in SQL."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


def _instance(model: type[Model], attnames: Sequence[str], values: Iterable, db: str) -> Model:
    # Model.from_db without Model.__init__, which walks every field of the model (deferred ones too) and cost more
    # than the claim's own statement per batch: the attributes go straight into the instance, the fields not given
    # stay deferred (read on access, as with .only()).
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = db
    return instance


def _claim_statement(
    *, ids: list[int] | None, batch: int | None, limit: int, now: datetime, leased_until: datetime
) -> tuple[str, dict]:
    """The PostgreSQL claim's SQL and parameters."""
    params = {
        "failed": Status.FAILED.value,
        "sending": Status.SENDING.value,
        "pending": Status.PENDING.value,
        "last_error": LEASE_EXPIRED_ON_LAST_ATTEMPT,
        "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
        "now": now,
        "leased_until": leased_until,
        "limit": limit,
        # One literal the server parses rather than a list the driver adapts element by element (measured when the
        # claim was bound on the client; prepared now, the parameter is sent once either way).
        "ids": None if ids is None else _integer_array(ids),
    }
    sql = _claim_sql(
        with_ids=ids is not None,
        all_ids=ids is not None and limit >= len(ids),
        batch=batch,
        lazy_flush=not connection.in_atomic_block,
    )
    return sql, params


def _messages_claim_postgresql(
    *, ids: list[int] | None, batch: int | None, limit: int, now: datetime, leased_until: datetime
) -> list[Message]:
    sql, params = _claim_statement(ids=ids, batch=batch, limit=limit, now=now, leased_until=leased_until)
    with prepared_cursor() as cursor:  # planned once per connection: the plan cost a quarter of the statement
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    fields = [Message._meta.get_field(name) for name in _CLAIM_FIELDS]
    shared_fields = SharedBody._meta.concrete_fields
    # Every claimed row holds the lease just written: set here rather than read back and parsed 100 times.
    attnames = [field.attname for field in fields] + ["leased_until"]
    shared_attnames = [field.attname for field in shared_fields]
    # Raw rows skip the fields' own conversions: the encrypted ones decrypt here, as a query would.
    converted = [(n, field) for n, field in enumerate(fields) if hasattr(field, "from_db_value")]
    shared_converted = [(n, field) for n, field in enumerate(shared_fields) if hasattr(field, "from_db_value")]
    shared_body_at = _CLAIM_FIELDS.index("shared_body")
    end = len(fields)
    bodies: dict[int, SharedBody] = {}
    alias = connection.alias  # once: each read of ``connection`` goes through a thread-local look-up

    def shared_body(pk: int, row: tuple) -> SharedBody | None:
        # The first row of the batch that refers to a body carries its columns (the claim's body_rank).
        if pk not in bodies and row[end] is not None:
            values = list(row[end:])
            for n, field in shared_converted:
                values[n] = field.from_db_value(values[n], None, connection)
            bodies[pk] = _instance(SharedBody, shared_attnames, values, alias)
        return bodies.get(pk)

    def message(row: tuple) -> Message:
        values = list(row[:end])
        for n, field in converted:
            values[n] = field.from_db_value(values[n], None, connection)
        values.append(leased_until)
        message = _instance(Message, attnames, values, alias)
        if values[shared_body_at] is not None and (body := shared_body(values[shared_body_at], row)) is not None:
            # Through the descriptor's cache, as select_related would: no query when the body is read.
            Message.shared_body.field.set_cached_value(message, body)
        return message

    return [message(row) for row in rows]


# --- Deliver ------------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Claimed but not sent, because the lease ran out before their turn; the sweep claims them again.
    skipped: int = 0

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.skipped += other.skipped
        return self


class _Transport:
    """The connections one batch shares: one SMTP session for all its emails, one SMS backend."""

    def __init__(self) -> None:
        self._email = None
        self._sms: BaseBackend | None = None

    def __enter__(self) -> _Transport:
        return self

    def __exit__(self, *exc_info) -> None:
        self._close_email()
        if self._sms is not None:
            self._sms.close()

    def send(self, message: Message) -> None:
        if message.channel == Channel.EMAIL:
            self._send_email(message)
            return
        if self._sms is None:
            self._sms = get_sms_backend()
            self._sms.open()
        self._sms.send(recipient=message.recipient, body=message.text, idempotency_key=message.idempotency_key)

    def _send_email(self, message: Message) -> None:
        if self._email is None:
            self._email = get_connection()
            self._email.open()
        email = EmailMultiAlternatives(
            subject=message.email_subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={IDEMPOTENCY_HEADER: message.idempotency_key},
            connection=self._email,
        )
        if html := message.html_text:
            email.attach_alternative(html, "text/html")
        try:
            sent = email.send()
        except Exception:
            # The session may be half broken: the next email of the batch opens a fresh one.
            self._close_email()
            raise
        if not sent:
            raise RuntimeError("the email backend accepted no recipient")

    def _close_email(self) -> None:
        if self._email is None:
            return
        connection, self._email = self._email, None
        # Closing a broken SMTP session can raise too; the outcome of the send is already decided.
        with contextlib.suppress(Exception):
            connection.close()


def message_retry_delay(attempts: int) -> timedelta:
    """The wait after failed attempt number ``attempts``: base, 2×, 4×, … capped at OUTBOX_RETRY_MAX."""
    delay = settings.OUTBOX_RETRY_BASE * 2 ** min(max(attempts - 1, 0), 20)
    return min(delay, settings.OUTBOX_RETRY_MAX)


def _error_text(exc: Exception, recipient: str) -> str:
    # The exception's class and message only; gateways and SMTP servers like to echo the address back.
    text = f"{type(exc).__name__}: {exc}"
    if recipient:
        text = text.replace(recipient, mask_recipient(recipient))
    return text[:LAST_ERROR_MAX_LENGTH]


def _message_attempt_failed(message: Message, exc: Exception, now: datetime) -> Status:
    error = _error_text(exc, message.recipient)
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        changes = {"status": Status.FAILED}
    else:
        changes = {"status": Status.PENDING, "next_attempt_at": now + message_retry_delay(message.attempts)}
    Message.objects.filter(pk=message.pk, batch=message.batch, status=Status.SENDING, attempts=message.attempts).update(
        leased_until=None, last_error=error, **changes
    )
    logger.warning(
        "notification %s attempt %s failed (%s): %s",
        message.pk,
        message.attempts,
        changes["status"],
        type(exc).__name__,
    )
    return changes["status"]


def messages_deliver(*, messages: Sequence[Message], now: datetime | None = None) -> DeliveryReport:
    """Send messages claimed by messages_claim, and record each outcome.

    Call it outside any transaction: a send can take seconds and must not hold locks. The attempt number
    each message carries is its claim: an outcome is written only while the row still has it, so a worker
    that comes back after its lease ran out cannot overwrite the claim of the worker that took over.
    ``now`` freezes the clock for tests; by default each message reads the clock when its turn comes.
    """
    report = DeliveryReport()
    sent: dict[int, list[Message]] = defaultdict(list)
    keyed_only = True  # every message sent went to the SMS gateway, which honours the idempotency key
    with _Transport() as transport:
        for message in messages:
            moment = now or timezone.now()
            if message.status != Status.SENDING or message.leased_until is None or message.leased_until <= moment:
                # Its lease ran out while earlier messages of the batch were sent: another worker may
                # hold it now. Not sending is safe; the sweep claims it again if nobody did.
                report.skipped += 1
                continue
            if message.not_before is not None and message.not_before > moment:
                report.skipped += 1
                continue
            try:
                transport.send(message)
            except Exception as exc:  # noqa: BLE001 - whatever a backend raises is one failed attempt, not a lost batch
                status = _message_attempt_failed(message, exc, moment)
                if status == Status.FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
                continue
            sent[message.attempts].append(message)
            if message.channel != Channel.SMS:
                keyed_only = False
    # One UPDATE per batch rather than one per message: marking is most of the database work of a bulk
    # announcement. A worker that dies before this line has its batch sent again, with the same keys.
    if sent:
        report.sent += _messages_mark_sent(sent, now or timezone.now(), lazy_flush=keyed_only)
    return report


# Raw SQL on PostgreSQL for the same reason as the claim: one statement matching (id, attempts) pairs
# passed as two arrays, instead of one ORM-built UPDATE per attempt number.
# lazy_flush, as in the claim, lets the commit return before the disk has it, for a batch of SMS only, outside a
# caller's transaction. Losing such a mark costs no second delivery: a crash of PostgreSQL loses at most the
# commits of its last 3 × wal_writer_delay (0.6 s by default) and leaves each such row as its claim left it,
# leased or, if the claim went too, pending; either way it is sent again with the same idempotency key, which the
# SMS gateway honours (docs/DEPLOY.md), exactly as when a worker dies between the send and this mark. SMTP has
# no such key, so a batch with an email in it waits for the disk, as before.
_MARK_SENT_SQL = """
UPDATE {table} AS message SET {status} = %(sent)s, {sent_at} = %(sent_at)s, {leased_until} = NULL
FROM unnest(%(ids)s::bigint[], %(batches)s::bigint[], %(attempts)s::integer[]) AS claim(id, batch, attempts)
WHERE message.{id} = claim.id AND message.{batch} = claim.batch AND message.{attempts} = claim.attempts
    AND message.{status} = %(sending)s{lazy_flush}
"""
_MARK_LAZY_FLUSH_SQL = f" AND {_LAZY_FLUSH}"


def _messages_mark_sent(sent: dict[int, list[Message]], finished: datetime, *, lazy_flush: bool = False) -> int:
    """Mark sent the messages of ``sent`` (attempt number → messages) whose rows still carry that attempt; returns
    how many. Each row is found by its id and batch, in its own partition.
    ``lazy_flush``: the messages' gateway honours their keys, so the commit need not wait for the disk."""
    if connection.vendor != "postgresql":
        return sum(
            Message.objects.filter(
                pk__in=[message.pk for message in messages], status=Status.SENDING, attempts=attempts
            ).update(status=Status.SENT, sent_at=finished, leased_until=None)
            for attempts, messages in sent.items()
        )
    quote = connection.ops.quote_name
    meta = Message._meta
    sql = _MARK_SENT_SQL.format(
        table=quote(meta.db_table),
        id=quote(meta.pk.column),
        lazy_flush=_MARK_LAZY_FLUSH_SQL if lazy_flush and not connection.in_atomic_block else "",
        **{
            name: quote(meta.get_field(name).column)
            for name in ("status", "sent_at", "leased_until", "attempts", "batch")
        },
    )
    params = {
        "sent": Status.SENT.value,
        "sending": Status.SENDING.value,
        "sent_at": finished,
        "ids": _integer_array(message.pk for messages in sent.values() for message in messages),
        "batches": _integer_array(message.batch for messages in sent.values() for message in messages),
        "attempts": _integer_array(attempts for attempts, messages in sent.items() for _message in messages),
    }
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def messages_send(
    *,
    ids: Iterable[int] | None = None,
    batch: int | None = SINGLES_BATCH,
    limit: int | None = None,
    now: datetime | None = None,
) -> DeliveryReport:
    """Claim and deliver one batch of due messages (of ``ids`` if given, looked for in ``batch``: messages_claim)."""
    if ids is not None:
        ids = list(ids)
        limit = limit or len(ids)
    claimed = messages_claim(ids=ids, batch=batch, limit=limit, now=now)
    if not claimed:
        return DeliveryReport()
    return messages_deliver(messages=claimed, now=now)


def outbox_sweep(*, batch_size: int | None = None, now: datetime | None = None) -> DeliveryReport:
    """Deliver every due message, a batch at a time, including those whose worker died mid-delivery.

    Sweeps running at the same time (beat fires again while a large announcement drains) claim different
    rows, so they add up instead of colliding.
    """
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    report = DeliveryReport()
    while True:
        claimed = messages_claim(limit=batch_size, now=now)
        if not claimed:
            break
        report += messages_deliver(messages=claimed, now=now)
        if len(claimed) < batch_size:
            break
    return report


# --- Operators ----------------------------------------------------------------------------------------


def messages_requeue(*, ids: Iterable[int], now: datetime | None = None) -> int:
    """Give failed messages one more attempt now (after an operator fixed the gateway); returns how many.

    The attempt count is kept, not reset: it is the lease token, and resetting it could let a long-lost
    worker's stale claim match again.
    """
    now = now or timezone.now()
    ids = list(ids)
    with transaction.atomic():
        # A message whose body retention has blanked has nothing left to send.
        count = Message.objects.filter(pk__in=ids, status=Status.FAILED, purged_at__isnull=True).update(
            status=Status.PENDING, next_attempt_at=now, leased_until=None
        )
        if count:
            _deliver_after_commit(ids)
    return count


# --- Retention ----------------------------------------------------------------------------------------


def message_bodies_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Blank the text of every message sent, or failed for good, more than MESSAGE_BODY_RETENTION ago; returns
    how many.

    The body holds what was personal in a message (names, card numbers, links, one-time codes); after the
    retention period nobody needs to read it again. The row stays, for delivery accounting: channel, template
    and subject (the same for everyone), status, attempts, times, and the masked recipient the admin shows.
    A failed message counts from its last attempt (its ``next_attempt_at``); once blanked it can no longer be
    sent again (``messages_requeue``). A batch per transaction (prakerja/retention.py).
    """
    now = now or timezone.now()
    cutoff = now - settings.MESSAGE_BODY_RETENTION
    due = MESSAGES_UNPURGED & (
        Q(status=Status.SENT, sent_at__lt=cutoff) | Q(status=Status.FAILED, next_attempt_at__lt=cutoff)
    )

    def purge_batch(size: int) -> int:
        # One UPDATE … WHERE id IN (the next ``size`` due, oldest first). The condition is repeated outside so
        # that a row an operator requeued meanwhile is left alone.
        batch = Message.objects.filter(due).order_by("pk").values("pk")[:size]
        return Message.objects.filter(due, pk__in=Subquery(batch)).update(body="", html_body="", purged_at=now)

    purged = purge_in_batches("message bodies", purge_batch, batch_size=batch_size)
    shared_bodies_purge(now=now)
    return purged


def shared_bodies_purge(*, now: datetime | None = None) -> int:
    """Blank every shared body (a bulk message's text) none of whose rows still needs it; returns how many.

    A row needs its body until retention or an erasure has blanked it (its ``purged_at``); a row cancelled or
    erased before it was sent is gone. So a body goes once every row of the announcement was sent (or failed
    for good) more than MESSAGE_BODY_RETENTION ago, or was erased, whichever comes last. Bodies are few (one per
    announcement and channel) and the look-up for each is the partial index of unblanked rows, so one statement.
    """
    now = now or timezone.now()
    still_needed = Message.objects.filter(shared_body=OuterRef("pk"), purged_at__isnull=True)
    count = (
        SharedBody.objects.filter(purged_at__isnull=True)
        .exclude(Exists(still_needed))
        .update(body="", html_body="", purged_at=now)
    )
    if count:
        logger.info("retention: %s shared message bodies blanked", count)
    return count


# --- Erasure (journey.services.account_delete, docs/PRIVACY.md) ------------------------------------------------


def messages_erase_for(*, user, now: datetime | None = None) -> int:
    """Erase the outbox's messages to ``user``; returns how many rows were deleted or blanked.

    Every message the portal writes names its account (``message_enqueue``'s ``user``, the bulk announcements'
    ``user_id``), whatever address it went to (the email, the phone, an old number or email told of a change).
    Unsent ones (waiting, being sent, failed) are deleted: nobody is left to receive them, and a worker holding one
    finds nothing to mark. Sent ones keep their row for delivery accounting (channel, template, status, attempts,
    times) with the recipient, subject, texts and last error blanked, like retention's blanked messages
    (``purged_at``), so they can never be sent again.
    """
    now = now or timezone.now()
    mine = Message.objects.filter(user=user)
    deleted, _by_model = mine.exclude(status=Status.SENT).delete()
    blanked = mine.update(recipient="", subject="", body="", html_body="", last_error="", purged_at=now)
    return deleted + blanked
