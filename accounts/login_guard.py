"""Per-account protection of /masuk/ that never locks the owner out (docs/ARCHITECTURE.md, "Login").

Three layers, each answering a different attacker:

* django-axes locks an account+address pair after LOGIN_FAILURE_LIMIT failures: it stops one address.
* Failed logins per account, from any addresses, are counted here (cache, django-ratelimit's windows).
  Past LOGIN_STEP_UP_RATES the account is *under attack*: nobody is refused, but a browser that does not
  hold a known-device cookie for it must also enter a code emailed to the account ("asks for more").
* The known-device cookie (OWASP's "device cookie"): signed, long-lived, issued at each successful login,
  naming the accounts that logged in from this browser. Other people's failures never slow such a browser;
  its own failures are counted per cookie, and past LOGIN_DEVICE_FAILURE_RATE it is a stranger again.

In step-up the password is checked without telling the result: the same next page follows a right and a
wrong password, a code is emailed only for a right one, and the failure is counted (axes and here) when a
code is entered, the same for a wrong password and a wrong code. This module holds no database writes;
the codes are in accounts.services.
"""

import secrets
import time
from dataclasses import asdict, dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage

from accounts.models import User

DEVICE_SALT = "accounts.known-device"
ATTEMPT_SESSION_KEY = "login_step_up"


def _email_digest(email: str) -> str:
    # Neither the cookie nor the cache key carries the address itself.
    return salted_hmac(DEVICE_SALT, email, algorithm="sha256").hexdigest()[:32]


def _usage(request: HttpRequest, *, group: str, value: str, rate: str, increment: bool) -> dict | None:
    return get_usage(request, group=group, key=lambda _group, _request: value, rate=rate, increment=increment)


def _over(usage: dict | None) -> bool:
    # should_limit is also true when the cache could not be read: then the account asks for more (fail safe).
    return usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"])


# --- Failures per account -------------------------------------------------------------------------------


def account_under_attack(request: HttpRequest, email: str) -> bool:
    digest = _email_digest(email)
    return any(
        _over(_usage(request, group="login-failures", value=digest, rate=rate, increment=False))
        for rate in settings.LOGIN_STEP_UP_RATES
    )


def login_failure_record(request: HttpRequest, email: str) -> None:
    """Count one failed login for the account named ``email`` (whether it exists or not: the answer must
    not depend on it), and for this browser's known-device entry for it, if any."""
    digest = _email_digest(email)
    for rate in settings.LOGIN_STEP_UP_RATES:
        _usage(request, group="login-failures", value=digest, rate=rate, increment=True)
    nonce = _device_nonce(request, email)
    if nonce:
        _usage(request, group="device-failures", value=nonce, rate=settings.LOGIN_DEVICE_FAILURE_RATE, increment=True)


def step_up_required(request: HttpRequest, email: str) -> bool:
    """True when this login must also prove access to the account's email: the account is under attack and
    this browser is not one it logged in from (or that browser has failed too often itself)."""
    return account_under_attack(request, email) and not known_device(request, email)


# --- The known-device cookie ----------------------------------------------------------------------------


def _device_entries(request: HttpRequest) -> list[list]:
    """[email digest, nonce, issued at] per account, newest first; [] for a missing, forged or old cookie."""
    raw = request.COOKIES.get(settings.KNOWN_DEVICE_COOKIE_NAME)
    if not raw:
        return []
    try:
        entries = signing.loads(raw, salt=DEVICE_SALT, max_age=settings.KNOWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    oldest = time.time() - settings.KNOWN_DEVICE_MAX_AGE.total_seconds()
    return [entry for entry in entries if isinstance(entry, list) and len(entry) == 3 and entry[2] >= oldest]


def _device_nonce(request: HttpRequest, email: str) -> str | None:
    digest = _email_digest(email)
    return next((nonce for entry_digest, nonce, _issued in _device_entries(request) if entry_digest == digest), None)


def known_device(request: HttpRequest, email: str) -> bool:
    nonce = _device_nonce(request, email)
    if nonce is None:
        return False
    usage = _usage(
        request, group="device-failures", value=nonce, rate=settings.LOGIN_DEVICE_FAILURE_RATE, increment=False
    )
    return not _over(usage)


def known_device_remember(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """Name this account in the browser's known-device cookie, with a fresh nonce (so the failures of an
    earlier cookie for it do not follow it)."""
    _device_cookie_set(response, _device_entries(request), email)


def _device_cookie_set(response: HttpResponse, entries: list[list], email: str) -> None:
    """Write ``entries`` with ``email``'s first (a fresh nonce), the oldest dropped past the maximum."""
    digest = _email_digest(email)
    others = [entry for entry in entries if entry[0] != digest]
    entries = [[digest, secrets.token_urlsafe(16), int(time.time())], *others][: settings.KNOWN_DEVICE_MAX_ACCOUNTS]
    response.set_cookie(
        settings.KNOWN_DEVICE_COOKIE_NAME,
        signing.dumps(entries, salt=DEVICE_SALT, compress=True),
        max_age=int(settings.KNOWN_DEVICE_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def known_device_move(request: HttpRequest, response: HttpResponse, *, old_email: str, new_email: str) -> None:
    """After the account's email changed: if this browser had logged in to it, it is known under the new
    address (with a fresh nonce) and no longer under the old one, which may some day be another account's.
    Other browsers of the owner are strangers to the new address until they log in with it."""
    if _device_nonce(request, old_email) is None:
        return
    old_digest = _email_digest(old_email)
    entries = [entry for entry in _device_entries(request) if entry[0] != old_digest]
    _device_cookie_set(response, entries, new_email)


# --- Checks that tell nothing -----------------------------------------------------------------------------


def pair_locked(request: HttpRequest, email: str) -> bool:
    """Whether django-axes has locked this account+address pair; marks the request so AxesMiddleware answers
    with the lockout page, as it does for the normal login."""
    if AxesProxyHandler.is_allowed(request, {"username": email}):
        return False
    request.axes_locked_out = True
    return True


def password_user(request: HttpRequest, email: str, password: str) -> User | None:
    """The active account with this email and password, checked as ModelBackend checks (with its equal-time
    hashing for an unknown email) but without ``authenticate``'s failure signal: in step-up the failure is
    counted when a code is entered, so the pair lockout cannot tell a right password from a wrong one."""
    return ModelBackend().authenticate(request, username=email, password=password)


def step_up_failure_record(request: HttpRequest, email: str) -> None:
    """One failed login in step-up (a wrong password or a wrong code, alike): axes' pair count and ours."""
    user_login_failed.send(sender=__name__, credentials={"username": email}, request=request)
    login_failure_record(request, email)


# --- One login attempt in step-up, kept in the (server-side) session --------------------------------------


@dataclass
class LoginAttempt:
    email: str
    user_id: int | None  # None when the password was wrong: nothing is sent, every code is wrong
    auth_hash: str  # the password the attempt was started with; a change since voids the attempt
    code_id: int | None
    next_url: str
    sent_at: float
    expires_at: float
    guesses: int = 0

    @classmethod
    def load(cls, session: SessionBase) -> "LoginAttempt | None":
        data = session.get(ATTEMPT_SESSION_KEY)
        return cls(**data) if data else None

    def save(self, session: SessionBase) -> None:
        session[ATTEMPT_SESSION_KEY] = asdict(self)

    @staticmethod
    def clear(session: SessionBase) -> None:
        session.pop(ATTEMPT_SESSION_KEY, None)

    @property
    def guesses_left(self) -> int:
        return max(0, settings.LOGIN_CODE_MAX_GUESSES - self.guesses)
