"""Abuse limits on public forms, on top of django-ratelimit.

The rules per action live in ``settings.RATE_LIMITS``. Form views call :func:`form_valid_within_limits`
instead of ``form.is_valid()``; other views call :func:`limit_exceeded` before doing the work.
"""

from collections.abc import Callable

from django.conf import settings
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ipware import get_client_ip

RATE_LIMITED_MESSAGE = _("Terlalu banyak percobaan. Tunggu beberapa saat, lalu coba lagi.")


def client_ip(request: HttpRequest) -> str:
    """The client's address, read behind ``TRUSTED_PROXY_COUNT`` reverse proxies.

    With no trusted proxy the forwarded headers are ignored: anyone can send them.
    """
    if settings.TRUSTED_PROXY_COUNT:
        ip, _routable = get_client_ip(request, proxy_count=settings.TRUSTED_PROXY_COUNT)
        if ip:
            return ip
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


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
