"""The client address an entry records when the code that writes it has no request.

Services never read the request (STYLE.md), and a selection runs in a Celery worker, yet an entry names the
address its staff member acted from. So :class:`audit.middleware.ClientAddressMiddleware` puts the request's
client address (``prakerja.ratelimits.client_ip``) in a context variable for as long as the request is handled,
and every entry written meanwhile, by a view, an admin action or a service it calls, reads it from there. A
task that continues a staff member's act (the selection queued from the admin) is given the address and sets
it around its work with :func:`client_address_set`. Beat's jobs and commands have none: their entries record
no address.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_client_address: ContextVar[str | None] = ContextVar("audit_client_address", default=None)


def client_address() -> str | None:
    """The address of the client whose request (or queued act) is being handled, if any."""
    return _client_address.get()


@contextmanager
def client_address_set(address: str | None) -> Iterator[None]:
    """Entries written inside the block record ``address``; the previous one is back afterwards."""
    token = _client_address.set(address)
    try:
        yield
    finally:
        _client_address.reset(token)
