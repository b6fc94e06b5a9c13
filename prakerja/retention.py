"""How every retention purge runs (docs/PRIVACY.md): a bounded batch of rows per short transaction, until a
batch comes back short.

One statement over everything due would hold its row locks (and, on PostgreSQL, a snapshot that keeps vacuum
from cleaning up) for as long as it takes to delete a day of sign-ups or blank a wave's announcement, while the
outbox and sign-up keep writing to the same tables. A batch of ``RETENTION_BATCH_SIZE`` rows takes
milliseconds; between batches every lock is released. A purge interrupted half-way has committed the batches it
finished, and the next run takes up the rest.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Subquery

logger = logging.getLogger(__name__)


def purge_in_batches(name: str, purge_batch: Callable[[int], int], *, batch_size: int | None = None) -> int:
    """Run ``purge_batch(size)`` in its own transaction until it purges fewer than ``size`` rows; returns the
    total. ``purge_batch`` purges at most ``size`` rows of those due and returns how many it did."""
    size = batch_size or settings.RETENTION_BATCH_SIZE
    total = batches = 0
    while True:
        with transaction.atomic():
            done = purge_batch(size)
        total += done
        batches += 1
        if done < size:
            break
    if total:
        logger.info("retention: %s purged %s rows in %s batches", name, total, batches)
    return total


def rows_delete_in_batches(name: str, due: QuerySet, *, batch_size: int | None = None) -> int:
    """Delete the rows of ``due`` in batches (purge_in_batches), oldest first: they sit at the start of the
    primary key, so each batch finds its rows at once. Returns how many were deleted."""

    def purge_batch(size: int) -> int:
        batch = due.order_by("pk").values("pk")[:size]
        deleted, _by_model = due.model.objects.filter(pk__in=Subquery(batch)).delete()
        return deleted

    return purge_in_batches(name, purge_batch, batch_size=batch_size)
