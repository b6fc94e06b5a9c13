"""The door to staff pages: one login path (the portal's /masuk/) and a verified second factor.

Staff sign in at /masuk/ like everyone, so the per-account protection there covers them too; then, when
``settings.STAFF_OTP_REQUIRED`` is on, they enter a TOTP code (django-otp) before any staff page opens.
The admin site checks :func:`staff_verified` in ``has_permission``; other staff views use
:func:`staff_required`. Permissions per capability are still checked by each page: this is only the door.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

STAFF_ONLY_MESSAGE = _("Halaman itu khusus petugas. Anda masuk dengan akun yang bukan akun petugas.")


def staff_verified(request: HttpRequest) -> bool:
    """True when this session may open staff pages as far as the second factor goes.

    With STAFF_OTP_REQUIRED off (the demo) a password is enough; on, the session must have passed a TOTP
    code (django-otp's ``is_verified``, set by ``django_otp.login``).
    """
    if not settings.STAFF_OTP_REQUIRED:
        return True
    user = request.user
    return bool(user.is_authenticated and getattr(user, "is_verified", lambda: False)())


def safe_next(request: HttpRequest, url: str | None, default: str) -> str:
    """``url`` if it stays on this site, else ``default`` (an open redirect is a phishing tool)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def url_with_next(url_name: str, next_url: str) -> str:
    """The page ``url_name``, told where to go once it is done."""
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def staff_door(request: HttpRequest, next_url: str) -> HttpResponse:
    """Where someone who asked for the staff page ``next_url`` but may not open it yet goes next."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(next_url)
    if not user.is_staff:
        messages.error(request, STAFF_ONLY_MESSAGE)
        return redirect("journey:dashboard")
    if not staff_verified(request):
        return redirect(url_with_next("accounts:staff_otp", next_url))
    return HttpResponseRedirect(next_url)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For staff views outside the admin: logged in, staff, and past the second factor when required."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_staff and staff_verified(request)):
            return staff_door(request, request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
