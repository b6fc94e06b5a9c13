"""Reads of the outbox for other apps and the demo inbox."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet

from notifications.models import Message, Status
from prakerja.crypto import IdentifierKind, pii_digests


def message_last_created_at(*, user, template: str) -> datetime | None:
    """When ``user`` was last sent (or queued) a message from ``template``; for resend cooldowns."""
    return (
        Message.objects.filter(user=user, template=template)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def messages_queued_since(*, user, template: str, since: datetime) -> QuerySet[Message]:
    """The messages from ``template`` queued for ``user`` at ``since`` or later. ``user`` may be an
    ``OuterRef``, for a per-account ``Exists`` over many accounts (one index look-up each, on the user)."""
    return Message.objects.filter(user=user, template=template, created_at__gte=since)


def _recipient_spellings(recipient: str) -> set[str]:
    # People type their number as 0812…, 62812… or +62812…; the outbox stores E.164 (+62812…).
    spellings = {recipient}
    digits = recipient.lstrip("+")
    if digits.isdigit():
        if digits.startswith("0"):
            spellings.add("+62" + digits[1:])
        elif digits.startswith("62"):
            spellings.add("+" + digits)
    return spellings


def inbox_messages(*, recipient: str = "") -> QuerySet[Message]:
    """Every message, newest first, optionally only those to ``recipient`` (the demo inbox)."""
    messages = Message.objects.select_related("shared_body").defer("html_body", "shared_body__html_body")
    recipient = recipient.strip()
    if recipient:
        if "@" in recipient:
            messages = messages.filter(recipient__iexact=recipient)  # emails are kept in clear
        else:
            # Numbers are encrypted: found by their blind index, under each spelling and configured key.
            digests = [
                digest
                for spelling in _recipient_spellings(recipient)
                for digest in pii_digests(spelling, kind=IdentifierKind.PHONE)
            ]
            messages = messages.filter(recipient_digest__in=digests)
    # Ids grow with creation, and the primary key index keeps this cheap on a large outbox.
    return messages.order_by("-pk")


def messages_with_key(messages: QuerySet[Message], key: str) -> QuerySet[Message]:
    """The messages of ``messages`` whose idempotency key is exactly ``key`` (the admin's search), through an index
    either way: a message of its own through the key's unique index, a bulk row (its key is
    ``<key_prefix>:<user_id>:<channel>``, services.messages_enqueue_bulk_kinds), which that index leaves out,
    through its user's."""
    match = Q(idempotency_key=key, shared_body__isnull=True)
    parts = key.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit():
        match |= Q(user_id=int(parts[1]), shared_body__isnull=False, idempotency_key=key)
    return messages.filter(match)


def message_template_names() -> list[str]:
    """The names message_enqueue accepts (``accounts/email_verification``), found in the template folders.

    Test-only templates (under ``tests/``) are left out.
    """
    names = set()
    for engine in settings.TEMPLATES:
        for folder in engine.get("DIRS", []):
            root = Path(folder) / "notifications"
            for path in root.rglob("*.txt"):
                name = path.relative_to(root).with_suffix("").as_posix()
                if not name.endswith("_subject") and not name.startswith("tests/"):
                    names.add(name)
    return sorted(names)


def messages_of(*, user, now: datetime) -> list[Message]:
    """The messages written to ``user``, newest first, for "Data saya". Not those held for a later time (a result
    waiting for its wave's announcement): until then their text is not the applicant's to read."""
    return list(
        Message.objects.filter(user=user)
        .exclude(not_before__gt=now)
        .select_related("shared_body")
        .defer("html_body", "shared_body__html_body")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class OutboxHealth:
    """The outbox as an operator watches it: rows due and waiting (and since when), rows held until their "not
    before" (an announcement's), rows being sent, and rows that failed for good."""

    due: int
    oldest_due_at: datetime | None
    scheduled: int
    sending: int
    failed: int


def outbox_health(*, now: datetime) -> OutboxHealth:
    """Two queries, whatever the outbox holds: one over the pending and sending rows (their partial indexes keep
    them few), one counting the failed ones."""
    waiting = Message.objects.filter(status__in=[Status.PENDING, Status.SENDING]).aggregate(
        due=Count("pk", filter=Q(status=Status.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))),
        oldest_due_at=Min(
            "created_at", filter=Q(status=Status.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
        ),
        scheduled=Count("pk", filter=Q(status=Status.PENDING, not_before__gt=now)),
        sending=Count("pk", filter=Q(status=Status.SENDING)),
    )
    return OutboxHealth(**waiting, failed=Message.objects.filter(status=Status.FAILED).count())
