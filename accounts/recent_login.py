""" "After a recent login": pages that hand over or erase everything the portal holds about an applicant.

"Data saya", its download and deleting the account open only within ``RECENT_LOGIN_WINDOW`` (15 minutes) of the
moment the password was last entered in this session: at login (every login asks for it, the step-up code
included) or again on the confirm page ("Konfirmasi kata sandi"). A session left open on a shared phone or an
internet-café computer stays useful for following the journey, but whoever finds it cannot download the
owner's NIK, KK and mother's name without the password. The moment is kept in the (server-side) session, so
nothing the browser sends can move it.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from prakerja.staff import url_with_next

PASSWORD_AT = "_prakerja_password_at"  # noqa: S105 - a session key


def password_entered_stamp(request: HttpRequest) -> None:
    """Record that the session's owner has just entered their password."""
    request.session[PASSWORD_AT] = int(timezone.now().timestamp())


def password_entered_at_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a login is a password entered (each way in asks for it)."""
    if request is not None and hasattr(request, "session"):
        password_entered_stamp(request)


def password_recently_entered(request: HttpRequest) -> bool:
    entered = request.session.get(PASSWORD_AT)
    if not isinstance(entered, int):
        return False
    age = timezone.now().timestamp() - entered
    return 0 <= age <= settings.RECENT_LOGIN_WINDOW.total_seconds()


def recent_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open ``view`` to a logged-in session whose password was entered recently; otherwise ask for the password
    again on the confirm page, which comes back to the same URL."""

    @login_required
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not password_recently_entered(request):
            return redirect(url_with_next("accounts:password_confirm", request.get_full_path()))
        return view(request, *args, **kwargs)

    return guarded
