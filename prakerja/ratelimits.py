"""Abuse limits on public forms, on top of django-ratelimit.

The rules per action live in ``settings.RATE_LIMITS``. Form views call :func:`form_valid_within_limits`
instead of ``form.is_valid()``; other views call :func:`limit_exceeded` before doing the work.
"""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)

RATE_LIMITED_MESSAGE = _("Terlalu banyak percobaan. Tunggu beberapa saat, lalu coba lagi.")


def client_ip(request: HttpRequest) -> str:
    """The client's address, read behind ``TRUSTED_PROXY_COUNT`` reverse proxies.

    Each proxy appends the address it received the request from to ``X-Forwarded-For`` (nginx's
    ``$proxy_add_x_forwarded_for``, cloud load balancers and PaaS routers alike), so behind N proxies the
    client is the Nth entry from the right: one proxy sends ``<client>``, or ``<what the client wrote>,
    <client>``; two send ``…, <client>, <first proxy>``. Everything further left was written by the client
    and is ignored. With no trusted proxy the header is ignored altogether: anyone can send it.

    Not django-ipware: its ``proxy_count`` counts the proxies listed inside the header (one fewer than
    here, so one nginx made every client the proxy), and it also trusts other headers (X-Real-IP and the
    like) that a client can set.
    """
    remote = _address(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 - a key, not a bind
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < proxies:
        # The request did not come through every proxy (or one is misconfigured): nothing in the header can
        # be trusted, so count it against the nearest hop rather than an address the client chose.
        logger.warning("X-Forwarded-For has %d entries behind %d trusted proxies", len(entries), proxies)
        return remote
    return _address(entries[-proxies]) or remote


def _address(value: str) -> str:
    """``value`` as a normalised IP address (a port or IPv6 brackets removed), or "" when it is none."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 36.80.1.2:51234
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _email_key(group: str, request: HttpRequest) -> str:
    return (request.POST.get("email") or request.POST.get("username") or "").strip().lower()


def _user_key(group: str, request: HttpRequest) -> str:
    return str(request.user.pk) if request.user.is_authenticated else client_ip(request)


_KEYS: dict[str, str | Callable[[str, HttpRequest], str]] = {
    "ip": "ip",
    "email": _email_key,
    "user": _user_key,
}


def limit_exceeded(request: HttpRequest, action: str) -> bool:
    """Count this request against every rule of ``action``; true when any rule is over its rate."""
    exceeded = False
    for key_name, rate in settings.RATE_LIMITS[action]:
        # Every rule is counted even after one is over, so a burst cannot hide in the rules not checked.
        if is_ratelimited(
            request,
            group=f"{action}:{key_name}:{rate}",
            key=_KEYS[key_name],
            rate=rate,
            increment=True,
        ):
            exceeded = True
    return exceeded


def form_valid_within_limits(request: HttpRequest, form: Form, action: str) -> bool:
    """Count a POSTed form against ``action``'s limits, then validate it.

    Over a limit, the form gets the rate-limit message as a non-field error and is not valid; either way it
    keeps what the person typed, so the page can be shown again with nothing lost.
    """
    if limit_exceeded(request, action):
        form.is_valid()
        form.add_error(None, RATE_LIMITED_MESSAGE)
        return False
    return form.is_valid()
