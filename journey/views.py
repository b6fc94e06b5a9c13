from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment import views as assessment_views
from assessment.eligibility import exclusion_reason_message
from journey.selectors import dashboard_for
from journey.steps import STEPS
from waves.reasons import reason_message
from waves.selectors import card_for, complaint_state, enrollment_pending, wave_history, wave_last_opened_at


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    journey, summary = dashboard_for(request.user)
    progress = journey.progress
    context = {
        "journey": journey,
        "current": journey.current,
        "summary": summary,
        "exclusions": [exclusion_reason_message(code) for code in progress.declaration_exclusions],
        "test_finished": progress.test_passed or progress.test_failed,
        "has_history": progress.wave_pending or progress.recipient,
    }
    if progress.wave_pending:
        context["wave_status"] = enrollment_pending(user=request.user)
    elif progress.recipient:
        context["card"] = card_for(user=request.user)
    elif progress.test_passed:
        # Between waves: the latest announced result, if it was "not yet", explains why step 8 is open again.
        history = wave_history(user=request.user)
        latest = next((entry for entry in history if entry.announced), None)
        if latest is not None and not latest.selected:
            context["not_selected"] = {"wave": latest.enrollment.wave, "reason": reason_message(latest.reason)}
        context["has_history"] = bool(history)
    if context["has_history"] and not progress.recipient:
        # "Gagal 3 kali" (DESIGN §5): offered after three failed selections; a complaint's status once sent.
        # Nobody who has never joined a wave has either, so their dashboard does not ask.
        complaints = complaint_state(user=request.user, recipient=False)
        if complaints.may_file or complaints.latest:
            context["complaints"] = complaints
    return render(request, "journey/dashboard.html", context)


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
