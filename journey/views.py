import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from accounts.errors import AccountError, AccountErrorCode
from accounts.forms import AccountDeleteForm
from accounts.recent_login import recent_login_required
from assessment import views as assessment_views
from assessment.eligibility import exclusion_reason_message
from journey import services
from journey.own_data import own_data_for
from journey.page_cache import applicant_page
from journey.selectors import dashboard_for
from journey.steps import STEPS
from prakerja.ratelimits import form_valid_within_limits
from waves.errors import WaveError
from waves.reasons import reason_message
from waves.selectors import complaint_state_from_history, wave_last_opened_at


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Rendered once per state of the applicant's rows (journey/page_cache.py): reloads read it from the cache."""
    return applicant_page(request, "dashboard", _dashboard_render)


def _dashboard_render(request: HttpRequest, extra_context: dict) -> HttpResponse:
    dashboard = dashboard_for(request.user)
    journey = dashboard.journey
    progress = journey.progress
    context = {
        "journey": journey,
        "current": journey.current,
        "summary": dashboard.summary,
        "exclusions": [exclusion_reason_message(code) for code in progress.declaration_exclusions],
        "test_finished": progress.test_passed or progress.test_failed,
        "has_history": progress.wave_pending or progress.recipient,
    }
    if progress.wave_pending:
        context["wave_status"] = dashboard.waiting
    elif progress.recipient:
        context["card"] = card = dashboard.card
        # A date already gone is said as such, with what to do now (issue #16), never as a deadline to meet.
        context["training_deadline_passed"] = card is not None and card.first_training_deadline <= timezone.now()
        context["help"] = settings.PORTAL_HELP_CONTACTS
    elif progress.test_passed:
        # Between waves: the latest announced result, if it was "not yet", explains why step 8 is open again.
        history = dashboard.history
        latest = next((entry for entry in history if entry.announced), None)
        if latest is not None and not latest.selected:
            context["not_selected"] = {
                "wave": latest.enrollment.wave,
                "reason": reason_message(latest.reason),
                "registration_number": latest.enrollment.registration_number,
                "lottery": latest.lottery,
            }
        context["has_history"] = bool(history)
        # Back on step 8 after a wave: the same step again, for the next wave, not a step back (7 of 8 done).
        context["next_wave"] = bool(history)
    # Until a wave is joined, the declaration can be corrected (journey/urls.py, "declaration_correct").
    context["can_correct_declaration"] = progress.declaration_eligible and not context["has_history"]
    # Nobody without an announced "not selected" has a failed selection, so nor a complaint: no need to ask.
    lost = any(entry.announced and not entry.selected for entry in dashboard.history or ())
    if context["has_history"] and not progress.recipient and lost:
        # "Gagal 3 kali" (DESIGN §5): offered after three failed selections; a complaint's status once sent.
        # Nobody who has never joined a wave has either, so their dashboard does not ask.
        complaints = complaint_state_from_history(user=request.user, history=dashboard.history, recipient=False)
        if complaints.may_file or complaints.latest:
            context["complaints"] = complaints
    return render(request, "journey/dashboard.html", context | extra_context)


def assessment_start(request: HttpRequest) -> HttpResponse:
    """Step 7's page is the assessment's; a failed test may be taken again once a wave has opened since
    (DESIGN §2 step 7), and waves are a later app the assessment cannot read. So the journey, which reads
    both, hands it the one fact that rule needs — when the latest wave opened — and assessment's
    ``attempt_start`` decides. Only a failed applicant needs it: nobody else pays the query."""
    failed = request.journey.progress.test_failed
    return assessment_views.assessment_start(request, latest_wave_opened_at=wave_last_opened_at() if failed else None)


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the eight steps, for a visitor; the dashboard, for someone signed in."""
    if request.user.is_authenticated:
        return redirect("journey:dashboard")
    return render(request, "home.html", {"steps": STEPS})


# --- "Data saya", its download, and deleting the account (UU PDP 27/2022, docs/PRIVACY.md) ---------------------


def applicant_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For an applicant's own-data pages: a staff account has no applicant data here, and its account is closed
    by an administrator, so these pages do not exist for it (the same 404 as any unknown page), whether or not
    its login is recent. Anonymous visitors pass on, to the login page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_staff or request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


@never_cache
@applicant_only
@recent_login_required
def own_data(request: HttpRequest) -> HttpResponse:
    """ "Data saya": every field the portal holds about the applicant, masked where the screen may be seen by
    others; the download has it all."""
    return render(request, "journey/own_data.html", {"data": own_data_for(user=request.user)})


@never_cache
@require_GET
@applicant_only
@recent_login_required
def own_data_download(request: HttpRequest) -> HttpResponse:
    """The applicant's full data as JSON (UTF-8, not escaped: names are read by people), as a file."""
    data = own_data_for(user=request.user)
    body = json.dumps(data.as_json(), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate(data.generated_at)
    response["Content-Disposition"] = f'attachment; filename="data-saya-prakerja-{day:%Y%m%d}.json"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


ACCOUNT_DELETE_MESSAGES = {
    AccountErrorCode.PASSWORD_WRONG: _("Kata sandi salah. Akun Anda tidak dihapus."),
}
SELECTION_RUNNING_MESSAGE = _(
    "Seleksi gelombang yang Anda ikuti sedang berjalan, jadi akun belum dapat dihapus. Coba lagi beberapa menit lagi."
)


@never_cache
@sensitive_post_parameters("password")
@login_required
@applicant_only
def account_delete(request: HttpRequest) -> HttpResponse:
    """ "Hapus akun": what is erased and what the program keeps, then the password and the button. Afterwards the
    browser is logged out and sees a confirmation."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form_valid_within_limits(request, form, "account_delete"):
        try:
            services.account_delete(user=request.user, password=form.cleaned_data["password"])
        except AccountError as error:
            if error.code != AccountErrorCode.ACCOUNT_CLOSED:
                form.add_error("password", ACCOUNT_DELETE_MESSAGES[error.code])
                return render(request, "journey/account_delete.html", _account_delete_context(form))
        except WaveError:
            form.add_error(None, SELECTION_RUNNING_MESSAGE)
            return render(request, "journey/account_delete.html", _account_delete_context(form))
        logout(request)
        return redirect("journey:account_deleted")
    return render(request, "journey/account_delete.html", _account_delete_context(form))


def _account_delete_context(form: AccountDeleteForm) -> dict:
    return {"form": form}


def account_deleted(request: HttpRequest) -> HttpResponse:
    """After "Hapus akun", logged out: what happened. Says nothing about any account: anyone may open it."""
    return render(request, "journey/account_deleted.html")
