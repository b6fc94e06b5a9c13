"""The outbox: one row per SMS or email, written in the transaction of the change that causes it.

What is personal in a row is encrypted at rest (prakerja/fields.py): every body, and the recipient when it is a
phone number. An email recipient stays in clear: it is the account's login, in clear in the accounts table
anyway, and the demo inbox finds messages by it. The sending code reads the plain values like any other.

A row moves pending → sending → sent, or back to pending for a later attempt, or to failed for good. The moves
are conditional UPDATEs in notifications.services (claim and deliver), never ``obj.status = ...; save()``:
``attempts`` doubles as the lease token, so a worker can only record the outcome of the claim it holds.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.masking import mask_recipient
from prakerja.crypto import IdentifierKind
from prakerja.fields import BlindIndexField, EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


# The rows whose body retention has yet to blank (services.message_bodies_purge), and the condition of their
# partial index: the purge filters with this very expression, so that PostgreSQL's planner sees it matches.
MESSAGES_UNPURGED = Q(purged_at__isnull=True, status__in=[Status.SENT, Status.FAILED])


# The batch of every message written on its own (services.message_enqueue): partition 0 of the outbox.
SINGLES_BATCH = 0


class RecipientField(EncryptedTextField):
    """A phone number encrypted; an email address in clear, which can also be compared in SQL (the demo inbox
    finds messages by it). A filter by a phone number would never match: use ``recipient_digest``."""

    def encrypts(self, value: str) -> bool:
        return "@" not in value

    def get_lookup(self, lookup_name: str):
        return models.TextField.get_lookup(self, lookup_name)

    def get_transform(self, lookup_name: str):
        return models.TextField.get_transform(self, lookup_name)


class SharedBody(models.Model):
    """The text of a bulk message (an announcement), stored once for the thousands or millions of rows that send it.

    The rows (``Message.shared_body``) keep only what differs per recipient: the recipient, key, status and
    lease. Encrypted like a row's own body. Retention blanks it (``purged_at``) once every row that refers to it
    has been blanked (notifications.services.message_bodies_purge).
    """

    subject = models.TextField(_("subjek"), blank=True)
    body = EncryptedTextField(_("isi"))
    html_body = EncryptedTextField(_("isi HTML"), blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    purged_at = models.DateTimeField(_("isi dihapus pada"), null=True, blank=True)
    # The bulk enqueue that wrote it: its rows' keys are ``<key_prefix>:<user_id>:<channel>``. Unique with the
    # channel and template, so the same announcement cannot be written twice: the rows' own keys are not checked
    # by the database (Message.Meta), and this refuses the second one before it writes a single row.
    key_prefix = models.CharField(_("awalan kunci"), max_length=150, blank=True, default="")
    channel = models.CharField(_("kanal"), max_length=8, choices=Channel.choices, blank=True, default="")
    template = models.CharField(_("templat"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("isi pesan bersama")
        verbose_name_plural = _("isi pesan bersama")
        constraints = [
            models.UniqueConstraint(
                fields=["key_prefix", "channel", "template"],
                condition=~Q(key_prefix=""),
                name="notif_sharedbody_kind_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def text(self) -> str:
        return "" if self.purged_at is not None else self.body

    @property
    def html_text(self) -> str:
        return "" if self.purged_at is not None else self.html_body


class Message(models.Model):
    channel = models.CharField(_("kanal"), max_length=8, choices=Channel.choices)
    recipient = RecipientField(_("penerima"), max_length=254)
    # The phone number's blind index for an SMS ("" for an email), for the demo inbox's search by number.
    recipient_digest = BlindIndexField(
        _("indeks nomor penerima"), kind=IdentifierKind.PHONE, source="recipient", blank=True, default=""
    )
    template = models.CharField(_("templat"), max_length=100)
    subject = models.TextField(_("subjek"), blank=True)
    # Encrypted, always: a body can hold a one-time code, a reset link, a name or a phone number. Read ``text``,
    # which is empty once retention has blanked it.
    body = EncryptedTextField(_("isi"))
    # A secret (a one-time code or a link that acts for the account): no HTML alternative is kept for it.
    sensitive = models.BooleanField(_("isi rahasia"), default=False)
    html_body = EncryptedTextField(_("isi HTML"), blank=True)
    # A bulk message's subject and texts, stored once for all its rows; the row's own ``subject``, ``body`` and
    # ``html_body`` are then empty. Read ``email_subject``, ``text`` and ``html_text``, which look in the right
    # place. No database-level check and no full index, for the same reason as ``user``: an announcement
    # inserts millions of rows pointing at one body; the partial unique index below serves retention.
    shared_body = models.ForeignKey(
        SharedBody,
        verbose_name=_("isi bersama"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        db_constraint=False,
        db_index=False,
    )
    idempotency_key = models.CharField(_("kunci idempotensi"), max_length=200)
    # No database-level check of the reference: a selection's announcement writes a row per applicant, millions
    # in one transaction, and a deferred check is a locking look-up of the user per row at commit (measured: a
    # quarter of a 1,000,000-enrollment selection). Writers take the user from a row they have just read, and
    # Django's on_delete still clears it when a user is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengguna"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification_messages",
        db_constraint=False,
    )
    not_before = models.DateTimeField(_("tidak dikirim sebelum"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    # Never earlier than not_before, so "due" is one indexed range condition.
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), default=timezone.now)
    leased_until = models.DateTimeField(_("dikunci hingga"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    sent_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)
    # When retention blanked the body (notifications.services.message_bodies_purge); the row stays, for
    # delivery accounting, and is never sent again.
    purged_at = models.DateTimeField(_("isi dihapus pada"), null=True, blank=True)
    # A plain default rather than auto_now_add, so bulk writers and tests can set it.
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    # The bulk enqueue that wrote the row (the id of its first shared body), or 0 for a message of its own. On
    # PostgreSQL the outbox is partitioned by it (migration 0009): each announcement's rows are a partition written
    # by CREATE TABLE … AS and then attached, as a selection's results are, and every other message is in partition
    # 0. A statement that names rows by id also names their batch, so that it reads one partition, not all of them.
    batch = models.BigIntegerField(
        _("kelompok kiriman"), default=SINGLES_BATCH, db_default=SINGLES_BATCH, editable=False
    )

    class Meta:
        verbose_name = _("pesan")
        verbose_name_plural = _("pesan")
        constraints = [
            # A constraint rather than unique=True: on PostgreSQL unique=True also builds a second
            # varchar_pattern_ops index. Partial: a bulk row's key, ``<key_prefix>:<user_id>:<channel>``, is unique
            # by the two constraints below (its body's prefix, channel and template are unique, and so is the user
            # among a body's rows), so the millions of rows of an announcement stay out of this index, the only
            # one whose entries (text, in the text order of the user id) go in at random places. The batch is
            # there because a partitioned table's unique index must hold its partition key; these rows are all in 0.
            models.UniqueConstraint(
                fields=["idempotency_key", "batch"],
                condition=Q(shared_body__isnull=True),
                name="notif_msg_key_unique",
            ),
            # A bulk row per user and body. It is also the look-up of a body's rows not blanked yet: retention
            # blanks the body once there are none (services.shared_bodies_purge); rows leave it as they are
            # blanked, so it stays small once an announcement is old. Rows are written in user order, so it grows
            # at one point per body. (A body's rows are all in one batch.)
            models.UniqueConstraint(
                fields=["shared_body", "user", "batch"],
                condition=Q(shared_body__isnull=False, purged_at__isnull=True),
                name="notif_msg_shared_user_unique",
            ),
        ]
        indexes = [
            # The two halves of "due" (services.messages_claim). Partial, so the index holds only the rows
            # still waiting, not the millions already sent, and stays small and cheap to update.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=Status.PENDING),
                name="notif_msg_pending_due_idx",
            ),
            models.Index(
                fields=["leased_until"],
                condition=Q(status=Status.SENDING),
                name="notif_msg_lease_idx",
            ),
            # The rows whose body retention has yet to blank, in id order, so a purge finds the oldest at once
            # instead of walking past every row already blanked. A row enters when it is marked sent or failed
            # (an UPDATE that already writes a new entry in the indexes above) and leaves when blanked, so
            # the index holds about MESSAGE_BODY_RETENTION of traffic.
            models.Index(fields=["id"], condition=MESSAGES_UNPURGED, name="notif_msg_unpurged_idx"),
            # The messages that failed for good, which the operator console counts on every view
            # (notifications.selectors.outbox_health): few, so the count reads a small index, not the outbox.
            models.Index(fields=["id"], condition=Q(status=Status.FAILED), name="notif_msg_failed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.template})"

    @property
    def email_subject(self) -> str:
        """The subject (emails only), the row's own or its shared body's."""
        if self.shared_body_id is not None and self.purged_at is None:
            return self.shared_body.subject
        return self.subject

    @property
    def text(self) -> str:
        """The body as sent; empty once retention has blanked it."""
        if self.purged_at is not None:
            return ""
        return self.shared_body.text if self.shared_body_id is not None else self.body

    @property
    def html_text(self) -> str:
        """The HTML alternative, if any; empty once retention has blanked it."""
        if self.purged_at is not None:
            return ""
        return self.shared_body.html_text if self.shared_body_id is not None else self.html_body

    @property
    def recipient_masked(self) -> str:
        return mask_recipient(self.recipient)
