"""The cache that holds the rate limits' counters, and what it answers while Redis is unreachable.

django-ratelimit treats a count it could not read or write as "over the limit" unless
``RATELIMIT_FAIL_OPEN`` is set (it is not: limits fail closed, and accounts.login_guard counts on it: an
unknown count asks for more). But it only recognises a failed count as ``None``/``False``: Django's
RedisCache raises ``redis.ConnectionError`` instead, which turned every rate-limited POST (login, sign-up, the
KTP check …) into a server error for as long as Redis was down. This backend answers those reads and writes
as "not stored" so the limits fail closed as intended (the form comes back with "Terlalu banyak percobaan",
what the person typed kept), and every other page — sessions are in the database — keeps serving.

Only the rate limits' cache alias uses it (``RATELIMIT_USE_CACHE``): code that needs to know that Redis is
down (the health check) still sees the error. Short socket timeouts, so an unreachable host costs a request
a fraction of a second rather than the operating system's connect timeout.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RateLimitRedisCache(RedisCache):
    """RedisCache whose ``add``, ``incr`` and ``get`` answer "not stored" (``False``, ``None``, the default)
    when Redis cannot be reached, for django-ratelimit's fail-closed path."""

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE:
            logger.error("rate limit cache unreachable: limits fail closed")
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE:
            return None

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE:
            logger.error("rate limit cache unreachable: limits fail closed")
            return None
