"""Legal texts applicants accept or sign (the declaration, the Persetujuan, the "gagal 3 kali" statement) are
versioned the same way: a published version never changes, and publishing a new one makes it the current
one at once. Each record that depends on a text points at the version its applicant saw."""

import logging
from datetime import datetime

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

logger = logging.getLogger(__name__)


@transaction.atomic
def text_version_publish(model: type[models.Model], *, acting_user=None, now: datetime | None = None, **fields: str):
    """Publish ``fields`` as the next version of ``model`` (fields ``version``, ``is_current`` and
    ``published_at``, one current version at a time); returns it. Earlier versions stay as they were."""
    # Lock the current version's row (Django drops FOR UPDATE from an aggregate, which locks nothing): a second
    # publisher waits here until the first commits, then finds no current row left to lock, and its next
    # statement reads the first one's version as the latest.
    list(model.objects.select_for_update().filter(is_current=True))
    latest = model.objects.aggregate(latest=Max("version"))["latest"] or 0
    model.objects.filter(is_current=True).update(is_current=False)
    text = model.objects.create(
        version=latest + 1,
        published_at=now or timezone.now(),
        is_current=True,
        **{name: value.strip() for name, value in fields.items()},
    )
    logger.info("%s v%s published by user %s", model._meta.label, text.version, getattr(acting_user, "pk", None))
    return text


def text_version_first_create(model: type[models.Model], *, now: datetime | None = None, **fields: str) -> None:
    """Publish ``fields`` as version 1 of ``model``, the current one, unless a version exists already.

    For the data migrations that give a fresh portal its first texts (with their historical model) and for the
    test suite, which calls them again after a test that empties the tables; so it may run any number of times.
    """
    if "clauses" in fields and not any(field.name == "clauses" for field in model._meta.fields):
        # The historical model of a migration before the field's rename (assessment 0003, waves 0002).
        fields["statements"] = fields.pop("clauses")
    if not model.objects.exists():
        model.objects.create(version=1, published_at=now or timezone.now(), is_current=True, **fields)
