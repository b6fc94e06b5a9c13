"""The guard that keeps the steps in order: a step's page opens only when it is the current step."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import applicant_lock
from journey.selectors import journey_for
from journey.steps import STEP_KEYS, StepState
from waves.selectors import enrollment_exists

# Requests that change nothing: a page shown, not a change made.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def step_required(step_key: str) -> Callable:
    """Open the decorated view only while ``step_key`` is the applicant's current step.

    A finished step is not redone and a later step cannot be reached by typing its URL: both go back to
    the dashboard with a message saying why. The journey is passed to the view as ``request.journey``.
    """
    if step_key not in STEP_KEYS:
        raise ValueError(f"unknown journey step {step_key!r}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            journey = journey_for(request.user)
            status = journey.status_of(step_key)
            if status.state == StepState.DONE:
                messages.info(request, _("Langkah “%(step)s” sudah selesai.") % {"step": status.step.title})
                return redirect("journey:dashboard")
            if status.state == StepState.LOCKED:
                current = journey.current
                messages.warning(
                    request,
                    _("Selesaikan dulu langkah %(number)s: “%(step)s”.")
                    % {"number": current.number, "step": current.step.title},
                )
                return redirect("journey:dashboard")
            request.journey = journey
            return view(request, *args, **kwargs)

        return guarded

    return decorator


def until_joining_a_wave(refusal: str) -> Callable:
    """Open the decorated view only until the applicant has joined a wave, and say ``refusal`` after: what a
    join was checked against (the phone number, the declaration) no longer changes once it is in a wave.

    A change (any POST) runs in one transaction holding the applicant's lock, taken before the check, as the join
    takes it before its rules: a change and a join at the same moment from two phones cannot both pass.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in SAFE_METHODS:
                return checked(request, *args, **kwargs)
            with transaction.atomic():
                applicant_lock(user=request.user)
                return checked(request, *args, **kwargs)

        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if enrollment_exists(user=request.user):
                messages.warning(request, str(refusal))
                return redirect("journey:dashboard")
            return view(request, *args, **kwargs)

        return guarded

    return decorator


before_joining_a_wave = until_joining_a_wave(
    gettext_lazy("Nomor HP tidak dapat diganti setelah Anda bergabung di gelombang.")
)
