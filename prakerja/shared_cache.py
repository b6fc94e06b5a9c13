"""What every applicant reads alike, kept in Django's cache: the open and upcoming waves of a province with their
quotas, the current legal texts, the region lists of the address pickers (issue #18, docs/PERFORMANCE.md).

Only data that is the same for everyone goes here, under keys built from what it depends on (a province's
code, a regency's), never from a user or a session: a page's own data (the applicant's steps, their waves and
results) is read from the database on every request. Each kind of data is a namespace with a version token in
the cache; a change bumps it (``shared_invalidate_on`` connects the models' ``post_save``/``post_delete``, and
bulk writers call ``shared_bump``), so the next read misses and reads the database: a change is seen at once,
by every process sharing the cache. A save inside a transaction bumps twice: at once (this process's own
next read sees the change) and again on commit, since a read in another process between the save and the
commit still sees the old rows and may cache them under the first new token. Entries expire after
``SHARED_TIMEOUT_SECONDS``, which bounds any change no signal sees (a data migration's historical models). Times are compared on every read, so a cached wave still opens and
closes on time.

When the cache cannot be reached, reads go to the database: pages keep answering (docs/SECURITY.md, Redis
down) at the cost of the queries this saves.
"""

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.signals import post_delete, post_save
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")
SHARED_TIMEOUT_SECONDS = 600
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
_MISSING = object()


def _version_key(namespace: str) -> str:
    return f"shared:{namespace}:version"


def shared_read(namespace: str, key: str, build: Callable[[], T]) -> T:
    """The cached value of ``build()`` under ``namespace`` and ``key`` (which must name everything the value
    depends on: never a user), read from the database only when the namespace changed or the entry expired.
    Two cache look-ups on a hit."""
    try:
        version = cache.get(_version_key(namespace))
        if version is None:
            cache.add(_version_key(namespace), uuid.uuid4().hex, None)
            version = cache.get(_version_key(namespace))
        data_key = f"shared:{namespace}:{version}:{key}"
        value = cache.get(data_key, _MISSING)
    except UNREACHABLE:
        logger.warning("shared cache unreachable: %s read from the database", namespace)
        return build()
    if value is _MISSING:
        value = build()
        with contextlib.suppress(*UNREACHABLE):  # the next read builds it again
            cache.set(data_key, value, SHARED_TIMEOUT_SECONDS)
    return value


def _bump(namespace: str) -> None:
    try:
        cache.set(_version_key(namespace), uuid.uuid4().hex, None)
    except UNREACHABLE:
        # Entries under the old token expire within SHARED_TIMEOUT_SECONDS; until then Redis serves nothing.
        logger.error("shared cache unreachable: %s not invalidated", namespace)


def shared_bump(namespace: str) -> None:
    """Forget every cached value of ``namespace``."""
    _bump(namespace)


def shared_invalidate_on(namespace: str, model_classes: Iterable[type[models.Model]]) -> None:
    """Bump ``namespace`` whenever a row of one of ``model_classes`` is saved or deleted (call from ``ready``)."""

    def changed(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
        shared_bump(namespace)
        if transaction.get_connection(using).in_atomic_block:
            transaction.on_commit(partial(shared_bump, namespace), using=using)

    for model in model_classes:
        uid = f"shared_cache:{namespace}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":delete")
