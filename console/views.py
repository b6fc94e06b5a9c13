"""The operator console (/operator/): staff pages behind the staff door (prakerja/staff.py) and a named permission.

Anyone not signed in goes to the login; a signed-in account without the permission gets a 403, whatever its
``is_staff`` says; an operator whose session has not passed the second factor goes to it first.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import audit_record
from console import exports
from console.selectors import console_overview, console_wave, provinces_by_code
from console.tasks import funnel_refresh_task
from prakerja.staff import staff_door, staff_verified
from waves.actions import available_actions
from waves.models import Wave
from waves.selectors import result_rows_for_export, selection_run_standing

VIEW_CONSOLE = "console.view_console"
EXPORT_RESULTS = "console.export_results"


def operator_required(permission: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_staff and user.has_perm(permission)):
                raise PermissionDenied
            if not staff_verified(request):
                return staff_door(request, request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _wave(number: int) -> Wave:
    return get_object_or_404(Wave, number=number)


@require_GET
@never_cache
@operator_required(VIEW_CONSOLE)
def overview(request: HttpRequest) -> HttpResponse:
    console = console_overview(now=timezone.now())
    return render(request, "console/overview.html", {"console": console})


@require_GET
@never_cache
@operator_required(VIEW_CONSOLE)
def wave_detail(request: HttpRequest, number: int) -> HttpResponse:
    wave, now = _wave(number), timezone.now()
    console = console_wave(wave=wave, now=now)
    # The far-reaching moves, each to its confirmation page (waves.actions decides, the admin hosts the pages),
    # those the wave's state forbids now with the reason.
    actions = available_actions(wave=wave, now=now, user=request.user)
    return render(request, "console/wave_detail.html", {"console": console, "actions": actions})


@require_POST
@operator_required(VIEW_CONSOLE)
def funnel_refresh(request: HttpRequest, number: int) -> HttpResponse:
    """ "Hitung ulang": the wave's funnel counted again now (queued; eager in tests, seconds for a million)."""
    wave = _wave(number)
    funnel_refresh_task.delay(wave.pk)
    messages.success(request, _("Corong gelombang ini sedang dihitung ulang; muat ulang halaman sebentar lagi."))
    return redirect("console:wave_detail", number=wave.number)


def _csv_response(blocks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(blocks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@operator_required(EXPORT_RESULTS)
def results_csv(request: HttpRequest, number: int) -> StreamingHttpResponse:
    """The standing run's results, one line per enrollment (exports.RESULT_HEADER), streamed; recorded in the
    audit log before the first byte. 404 while the wave has no standing result."""
    wave = _wave(number)
    run = selection_run_standing(wave=wave)
    if run is None:
        raise Http404
    audit_record(
        acting_user=request.user,
        action=Action.RESULTS_EXPORT,
        target=wave,
        details={"run": run.pk, "rows": run.counts.get("enrollments", 0)},
        request=request,
    )
    lines = exports.result_lines(result_rows_for_export(run=run), names=provinces_by_code())
    return _csv_response(exports.csv_blocks(exports.RESULT_HEADER, lines), f"gelombang-{wave.number}-hasil.csv")


@require_GET
@operator_required(EXPORT_RESULTS)
def funnel_csv(request: HttpRequest, number: int) -> StreamingHttpResponse:
    """The wave's funnel per province as its snapshot holds it; recorded in the audit log."""
    wave = _wave(number)
    console = console_wave(wave=wave, now=timezone.now())
    snapshot = console.funnel.snapshot
    audit_record(
        acting_user=request.user,
        action=Action.FUNNEL_EXPORT,
        target=wave,
        details={"as_of": snapshot.as_of.isoformat() if snapshot else None},
        request=request,
    )
    lines = exports.funnel_lines(console.funnel)
    return _csv_response(exports.csv_blocks(exports.FUNNEL_HEADER, lines), f"gelombang-{wave.number}-corong.csv")
