"""Abuse limits on public forms, on top of django-ratelimit.

The rules per action live in ``settings.RATE_LIMITS``; views call :func:`limit_exceeded` before doing the work,
and on ``True`` re-render their form with :data:`RATE_LIMITED_MESSAGE`, so nothing the person typed is lost.
"""

from collections.abc import Callable

from django.conf import settings
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
