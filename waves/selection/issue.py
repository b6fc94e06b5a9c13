"""After the cut: a card for every selected applicant, and the announcement's messages, held until announce_at."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.urls import reverse

from notifications.models import Channel
from notifications.services import BulkKind, messages_enqueue_bulk_kinds
from prakerja.timeutil import wib_date, wib_day_end
from waves.cards import card_number_sql
from waves.models import Result, SelectionRun, Wave
from waves.selection.dialect import dialect


def cards_issue(run: SelectionRun, wave: Wave) -> None:
    """A card for every selected row, numbered in SQL (waves/cards.py), dated from the announcement: the run's batch
    of cards (``Card.batch``), on PostgreSQL a partition of its own (``dialect.cards_write``).

    The first training may be bought until the end (23:59 WIB) of the FIRST_TRAINING_DAYS-th Jakarta day after
    the announcement's: a deadline counted in days is a calendar day to the applicant, not the announcement's
    hour 30 days on."""
    deadline = wib_day_end(wib_date(wave.announce_at) + timedelta(days=settings.FIRST_TRAINING_DAYS))
    with connection.cursor() as cursor:
        dialect().cards_write(
            cursor,
            run.pk,
            # every selected row of the run, its card number made from the wave's number and the row's id
            f"""SELECT r.id AS result_id, r.user_id, %(wave)s AS wave_id,
                       {card_number_sql(str(int(wave.number)), "r.id")} AS number, r.kk_digest, '' AS kk_seal,
                       0 AS kk_seal_generation, %(balance)s AS balance, %(issued_at)s AS issued_at,
                       %(deadline)s AS first_training_deadline, NULL AS revoked_at, %(run)s AS batch
                FROM {Result._meta.db_table} r WHERE r.run_id = %(run)s AND r.selected""",
            {
                "wave": wave.pk,
                "balance": settings.CARD_BALANCE,
                "issued_at": wave.announce_at,
                "deadline": deadline,
                "run": run.pk,
            },
        )


def announcement_enqueue(run: SelectionRun, wave: Wave) -> None:
    """The announcement's messages, written now with "not before announce_at": the selected get an email and an
    SMS, the others an email, all in one statement that reads the run's results once (notifications owns the table
    and the key format). The text names no personal data (the card number is on the dashboard), so each kind is
    rendered once for all its recipients. The phone number goes as stored, encrypted, with its blind index: the
    outbox keeps both as they are."""
    context = {"wave": wave, "dashboard_url": settings.SITE_URL + reverse("journey:dashboard")}
    recipients = Result.objects.filter(run=run).annotate(
        email=F("user__email"), phone=F("user__phone__number"), phone_digest=F("user__phone__number_digest")
    )
    selected, not_selected = ("selected", True), ("selected", False)
    messages_enqueue_bulk_kinds(
        kinds=[
            BulkKind(Channel.EMAIL, "waves/result_selected", context, recipient="email", when=selected),
            BulkKind(
                Channel.SMS,
                "waves/result_selected",
                context,
                recipient="phone",
                recipient_digest="phone_digest",
                when=selected,
            ),
            BulkKind(Channel.EMAIL, "waves/result_not_selected", context, recipient="email", when=not_selected),
        ],
        recipients=recipients,
        key_prefix=announcement_key_prefix(run),
        not_before=wave.announce_at,
    )


def announcement_key_prefix(run: SelectionRun) -> str:
    """The prefix of the run's announcement messages, which a void cancels."""
    return f"result:{run.pk}"
