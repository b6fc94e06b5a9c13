"""Sessions read from the cache and written through to the database (Django's ``cached_db``), with the cache
optional: while Redis cannot be reached every session is read from and written to the database alone.

Django's ``cached_db`` tolerates a failed cache read, but then puts the session it read from the database back
into the cache unguarded, so with Redis down every signed-in page answered 500 (found by the rehearsal,
benchmarks/cluster.py; docs/DEPLOY.md promises those pages keep serving). Here the store talks to the cache
through ``_Optional``, which makes an unreachable cache a miss and a skipped write.
"""

import contextlib

from django.contrib.sessions.backends import cached_db

from prakerja.shared_cache import UNREACHABLE


class _Optional:
    """The session cache, with its outages turned into misses and skipped writes."""

    def __init__(self, cache) -> None:
        self._cache = cache

    def __contains__(self, key) -> bool:
        try:
            return key in self._cache
        except UNREACHABLE:
            return False

    def get(self, key, default=None):
        try:
            return self._cache.get(key, default)
        except UNREACHABLE:
            return default

    def set(self, *args, **kwargs) -> None:
        with contextlib.suppress(*UNREACHABLE):
            self._cache.set(*args, **kwargs)

    def delete(self, *args, **kwargs) -> None:
        with contextlib.suppress(*UNREACHABLE):
            self._cache.delete(*args, **kwargs)

    async def aget(self, key, default=None):
        try:
            return await self._cache.aget(key, default)
        except UNREACHABLE:
            return default

    async def aset(self, *args, **kwargs) -> None:
        with contextlib.suppress(*UNREACHABLE):
            await self._cache.aset(*args, **kwargs)

    async def adelete(self, *args, **kwargs) -> None:
        with contextlib.suppress(*UNREACHABLE):
            await self._cache.adelete(*args, **kwargs)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None) -> None:
        super().__init__(session_key)
        self._cache = _Optional(self._cache)
