from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext_lazy as _


class LanguageMiddleware:
    """Bahasa Indonesia unless the person chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so most phones set to English
    would get an English portal by default; the portal is Indonesian first, English only on request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


SESSION_ENDED_MESSAGE = _("Sesi Anda berakhir karena lama tidak aktif. Demi keamanan data Anda, silakan masuk lagi.")


class SessionPolicyMiddleware:
    """Ends a signed-in session that has idled too long or lived too long, and keeps signed-in pages out of
    every cache.

    The last activity is written at most once a minute, so an active applicant's pages do not each cost a
    session write. The session's start is stamped at login (``session_stamp``; sessions made before this
    existed count from their first request). Pages seen signed in carry personal data (a name, a masked NIK, a card
    number), so they are ``no-store``: neither a shared computer's browser nor a proxy keeps them.
    """

    STARTED, SEEN = "_prakerja_started", "_prakerja_seen"
    SEEN_RESOLUTION = 60  # seconds

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        if signed_in and self._expired(request):
            # The request goes on signed out: a page that needs a login sends the person to it (and back
            # here afterwards), a public page simply shows.
            logout(request)
            messages.info(request, SESSION_ENDED_MESSAGE)
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response

    def _expired(self, request: HttpRequest) -> bool:
        now = int(timezone.now().timestamp())
        session = request.session
        started, seen = session.get(self.STARTED), session.get(self.SEEN)
        if started is None:
            session[self.STARTED] = session[self.SEEN] = now
            return False
        if now - (seen or started) > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            return True
        if now - started > settings.SESSION_COOKIE_AGE:
            return True
        if now - (seen or 0) >= self.SEEN_RESOLUTION:
            session[self.SEEN] = now
        return False


def session_stamp(sender, request: HttpRequest, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the session's start and last activity are the login."""
    now = int(timezone.now().timestamp())
    request.session[SessionPolicyMiddleware.STARTED] = request.session[SessionPolicyMiddleware.SEEN] = now


NUL = "\x00"


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


class NulRefusalMiddleware:
    """A plain 400 for a NUL byte in the URL path, the query string, a header (cookies included) or a posted
    form field.

    Nobody types a NUL: it comes only from crafted requests. PostgreSQL can neither store nor compare one, and
    psycopg refuses such a parameter, which was a 500 wherever the value reached a query: a URL parameter
    (/wilayah/%00/), an admin filter, a posted choice that narrows a list before validation, a session cookie,
    the User-Agent django-axes records. Refused here, it reaches no view, form, admin page or query, including
    code that reads request.GET or request.POST directly. (Form fields refuse it as well, Django's CharField
    does, for forms bound to other data. gunicorn refuses control characters in header values, RFC 9110 §5.5,
    but not every server in front of Django does.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info or _has_nul(request.GET):
            raise BadRequest("NUL byte in the URL")
        headers = (value for name, value in request.META.items() if name.startswith("HTTP_"))
        if any(isinstance(value, str) and NUL in value for value in headers):
            raise BadRequest("NUL byte in a header")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict) -> None:
        # The body is parsed here, as CsrfViewMiddleware parses it, and left alone for the views that middleware
        # leaves alone (csrf_exempt: the JSON API), whose bodies are theirs to read.
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        if _has_nul(request.POST) or any(NUL in name for name in request.FILES):
            raise BadRequest("NUL byte in a form field")
        return None
