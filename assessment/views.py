"""Pages of steps 6 and 7. journey/urls.py mounts ``declaration``, ``assessment_start`` and ``assessment_question``
behind the step guard (as ``journey:declaration``, ``journey:assessment_start``, ``journey:assessment_question``);
these views leave the order of steps to the guard. ``assessment_result`` is this app's own page
(``assessment:assessment_result``), reachable after the step is done.

The server is the test's only clock: every page reads the deadline, and an attempt past it is shown as
finished whether or not the expiry job has run.
"""

from datetime import datetime
from math import ceil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from assessment import selectors, services
from assessment.eligibility import exclusion_reason_message, exclusion_reasons_from
from assessment.errors import AssessmentError, AssessmentErrorCode
from assessment.forms import AnswerForm, DeclarationForm
from assessment.models import Declaration, DeclarationText
from assessment.rules import ABILITY_WEIGHT, DRAW_PER_KIND, MOTIVATION_MAX_POINTS, MOTIVATION_WEIGHT, QuestionKind

ERROR_MESSAGES = {
    AssessmentErrorCode.DECLARATION_DONE: _("Pernyataan Anda sudah tercatat."),
    AssessmentErrorCode.DECLARATION_TEXT_MISSING: _(
        "Teks pernyataan belum tersedia. Silakan coba lagi beberapa saat lagi."
    ),
    AssessmentErrorCode.DECLARATION_TEXT_OUTDATED: _(
        "Teks pernyataan baru saja diperbarui. Baca kembali teks di bawah ini, lalu tekan Oke. Jawaban Anda tidak hilang."
    ),
    AssessmentErrorCode.NOT_TRUTHFUL: _("Centang pernyataan ini untuk melanjutkan."),
    AssessmentErrorCode.DECLARATION_MISSING: _("Isi pernyataan pendaftar dulu sebelum mengikuti tes."),
    AssessmentErrorCode.EXCLUDED: _("Menurut pernyataan Anda, Anda tidak memenuhi syarat peserta Kartu Prakerja."),
    AssessmentErrorCode.ATTEMPT_RUNNING: _("Tes Anda sedang berjalan. Lanjutkan dari soal yang belum dijawab."),
    AssessmentErrorCode.ALREADY_PASSED: _("Anda sudah lolos tes. Hasil ini berlaku untuk gelombang berikutnya."),
    AssessmentErrorCode.RETAKE_NOT_ALLOWED: _(
        "Anda belum lolos tes. Anda dapat mengikuti tes lagi setelah gelombang baru dibuka."
    ),
    AssessmentErrorCode.QUESTION_BANK_TOO_SMALL: _(
        "Tes belum dapat dimulai karena bank soal sedang disiapkan. Silakan coba lagi nanti."
    ),
    AssessmentErrorCode.NO_RUNNING_ATTEMPT: _("Tes Anda sudah selesai."),
    AssessmentErrorCode.DEADLINE_PASSED: _(
        "Waktu tes sudah habis. Jawaban yang masuk setelah batas waktu tidak disimpan; jawaban sebelumnya sudah dinilai."
    ),
    AssessmentErrorCode.INVALID_POSITION: _("Soal itu tidak ada di tes Anda."),
    AssessmentErrorCode.INVALID_CHOICE: _("Pilih salah satu jawaban yang tersedia."),
}


# "Berikutnya" without an answer warns once: the page comes back saying so, with a hidden ``skip`` naming this
# question, and the second "Berikutnya" moves on. A slip costs one tap; a deliberate skip costs two.
SKIP_WARNING = _(
    "Anda belum memilih jawaban untuk soal ini. Pilih jawaban, atau tekan “Berikutnya” sekali lagi untuk "
    "melewatinya; Anda bisa kembali ke soal ini sebelum menyelesaikan tes."
)


def _journey(request: HttpRequest):
    return getattr(request, "journey", None)


def _question_redirect(position: int) -> HttpResponse:
    return redirect("journey:assessment_question", position=position)


def _resume(attempt) -> HttpResponse:
    """Back to where the applicant left off: the first question without an answer."""
    return _question_redirect(selectors.attempt_first_unanswered(attempt=attempt))


# --- Step 6: the declaration --------------------------------------------------------------------------


@login_required
def declaration(request: HttpRequest) -> HttpResponse:
    """Step 6: the form, then "Periksa pernyataan" (every answer and, if an answer excludes, what that means),
    and only then the declaration is stored."""
    existing = selectors.declaration_for(user=request.user)
    if existing is not None:
        if existing.exclusion_reasons:
            # Told at once and plainly which rule applies, and how to correct a wrong answer; the account stays.
            return render(
                request,
                "assessment/declaration_excluded.html",
                {
                    "declaration": existing,
                    "reasons": [exclusion_reason_message(code) for code in existing.exclusion_reasons],
                    "journey": _journey(request),
                },
            )
        return redirect("journey:dashboard")
    return _declaration_flow(request, existing=None)


@login_required
def declaration_correct(request: HttpRequest) -> HttpResponse:
    """ "Ubah pernyataan": the same form, filled with the declaration in force; storing it makes a new revision and
    keeps the old. journey/urls.py opens it only until the applicant joins a wave."""
    existing = selectors.declaration_for(user=request.user)
    if existing is None:
        return redirect("journey:dashboard")
    return _declaration_flow(request, existing=existing)


def _declaration_flow(request: HttpRequest, *, existing: Declaration | None) -> HttpResponse:
    text = selectors.declaration_text_shown()
    if text is None:
        messages.error(request, ERROR_MESSAGES[AssessmentErrorCode.DECLARATION_TEXT_MISSING])
        return redirect("journey:dashboard")
    initial = {"text_version": text.version, **(DeclarationForm.initial_from(existing) if existing else {})}
    form = DeclarationForm(request.POST or None, initial=initial)
    if request.method != "POST" or not form.is_valid() or "edit" in request.POST:
        # "Ubah jawaban" on the check page comes back here with every answer kept.
        return _declaration_page(request, form, text, correcting=existing is not None)
    if "confirm" not in request.POST:
        return _declaration_review(request, form, text, correcting=existing is not None)
    answered = DeclarationText.objects.filter(version=form.cleaned_data["text_version"]).first() or text
    try:
        created = services.declaration_submit(
            user=request.user, text=answered, correction=existing is not None, **form.answers()
        )
    except AssessmentError as error:
        if error.code == AssessmentErrorCode.DECLARATION_DONE:
            return redirect("journey:declaration")
        if error.code == AssessmentErrorCode.DECLARATION_TEXT_OUTDATED:
            # Show the new text with every answer kept; the next check and confirmation answer that version.
            data = request.POST.copy()
            data["text_version"] = str(text.version)
            form = DeclarationForm(data)
            form.is_valid()
        form.add_error(None, ERROR_MESSAGES[error.code])
        return _declaration_page(request, form, text, correcting=existing is not None)
    if created.exclusion_reasons:
        return redirect("journey:declaration")
    if existing is not None:
        messages.success(request, _("Pernyataan Anda sudah diperbarui. Pernyataan sebelumnya tetap tersimpan."))
    else:
        messages.success(request, _("Pernyataan Anda tersimpan. Langkah berikutnya: tes motivasi dan kemampuan dasar."))
    return redirect("journey:dashboard")


def _declaration_page(
    request: HttpRequest, form: DeclarationForm, text: DeclarationText, *, correcting: bool
) -> HttpResponse:
    context = {"form": form, "text": text, "correcting": correcting, "journey": _journey(request)}
    return render(request, "assessment/declaration_form.html", context)


# What the check page carries forward unchanged: every answer, not the buttons.
_REVIEW_BUTTONS = {"csrfmiddlewaretoken", "review", "confirm", "edit"}


def _declaration_review(
    request: HttpRequest, form: DeclarationForm, text: DeclarationText, *, correcting: bool
) -> HttpResponse:
    answers = form.answers()
    reasons = exclusion_reasons_from(
        in_formal_education=answers["in_formal_education"], excluded_groups=frozenset(answers["excluded_groups"])
    )
    context = {
        "form": form,
        "text": text,
        "summary": form.summary(),
        "exclusions": [exclusion_reason_message(code) for code in reasons],
        "carried": [
            (name, value) for name, values in request.POST.lists() if name not in _REVIEW_BUTTONS for value in values
        ],
        "correcting": correcting,
        "journey": _journey(request),
    }
    return render(request, "assessment/declaration_review.html", context)


# --- Step 7: the test ---------------------------------------------------------------------------------


def _rules_context() -> dict:
    return {
        "question_count": settings.TEST_QUESTION_COUNT,
        "minutes": int(settings.TEST_DURATION.total_seconds() // 60),
        "kinds": [(QuestionKind(kind).label, count) for kind, count in DRAW_PER_KIND.items()],
    }


@never_cache
@login_required
def assessment_start(request: HttpRequest, *, latest_wave_opened_at: datetime | None = None) -> HttpResponse:
    """The rules and "Mulai Tes Sekarang". ``latest_wave_opened_at`` is when the most recent wave opened: the
    journey's page (journey.views.assessment_start) reads it from the waves app and calls this view with it, since
    a failed applicant may try again once a wave has opened since. Whether they may is the service's rule;
    this page only asks it (selectors.retake_possible) to offer the button. Without the fact, no retake."""
    now = timezone.now()
    running = selectors.attempt_running(user=request.user, now=now)
    if running is not None:
        return _resume(running)
    latest = selectors.attempt_latest(user=request.user)
    outcome = selectors.attempt_outcome(attempt=latest, now=now) if latest else None
    if outcome is not None and outcome.passed:
        return redirect("assessment:assessment_result")
    retake_possible = outcome is not None and selectors.retake_possible(
        user=request.user, latest_wave_opened_at=latest_wave_opened_at, now=now
    )
    error = refused_code = None
    if request.method == "POST":
        try:
            services.attempt_start(user=request.user, now=now, latest_wave_opened_at=latest_wave_opened_at)
        except AssessmentError as refused:
            if refused.code == AssessmentErrorCode.ATTEMPT_RUNNING:
                return _resume(selectors.attempt_running(user=request.user) or latest)
            if refused.code == AssessmentErrorCode.ALREADY_PASSED:
                return redirect("assessment:assessment_result")
            error, refused_code = ERROR_MESSAGES[refused.code], refused.code
        else:
            return _question_redirect(1)
    context = {
        **_rules_context(),
        "previous": outcome,
        "can_start": outcome is None or retake_possible,
        "error": error,
        "journey": _journey(request),
    }
    unavailable = error is not None and refused_code == AssessmentErrorCode.QUESTION_BANK_TOO_SMALL
    return render(request, "assessment/assessment_intro.html", context, status=503 if unavailable else 200)


def _no_running_attempt(request: HttpRequest, now: datetime) -> HttpResponse:
    """Where a question or the check page sends an applicant whose test is not running: to start one, or to the
    result. An answer or a "Selesai" sent too late is lost and the applicant is told; a second one is a no-op."""
    latest = selectors.attempt_latest(user=request.user)
    if latest is None:
        return redirect("journey:assessment_start")
    if request.method == "POST":
        late = now >= latest.deadline
        code = AssessmentErrorCode.DEADLINE_PASSED if late else AssessmentErrorCode.NO_RUNNING_ATTEMPT
        messages.warning(request, ERROR_MESSAGES[code])
    return redirect("assessment:assessment_result")


@never_cache
@login_required
def assessment_question(request: HttpRequest, position: int) -> HttpResponse:
    now = timezone.now()
    attempt = selectors.attempt_running(user=request.user, now=now)
    if attempt is None:
        return _no_running_attempt(request, now)
    page = selectors.attempt_question_page(attempt=attempt, position=position)
    if page is None:
        return _resume(attempt)
    skip_warning = False

    form = AnswerForm(request.POST or None, option_count=len(page.options), initial={"choice": page.chosen_number})
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["choice"]
        skipping = (
            choice is None
            and page.chosen_number is None
            and "next" in request.POST
            and request.POST.get("skip") != str(position)
        )
        try:
            if choice is not None:
                services.attempt_answer(user=request.user, position=position, choice=choice, now=now)
        except AssessmentError as error:
            if error.code in {AssessmentErrorCode.DEADLINE_PASSED, AssessmentErrorCode.NO_RUNNING_ATTEMPT}:
                messages.warning(request, ERROR_MESSAGES[error.code])
                return redirect("assessment:assessment_result")
            form.add_error("choice", ERROR_MESSAGES[error.code])
        else:
            if skipping:
                skip_warning = True
            elif "finish" in request.POST:
                # "Selesai" never ends the test by itself: the applicant checks what is left first.
                return redirect("journey:assessment_review")
            else:
                return _question_redirect(_next_position(request, page))
    return _question_page(request, page, form, now, skip_warning=skip_warning)


def _next_position(request: HttpRequest, page: selectors.QuestionPage) -> int:
    """Where "Berikutnya" or a question number leads."""
    try:
        target = int(request.POST.get("go", ""))
    except ValueError:
        target = page.item.position + 1
    return min(max(target, 1), page.total)


def _remaining(attempt, now: datetime) -> dict:
    remaining = max(0, ceil((attempt.deadline - now).total_seconds()))
    return {"remaining_seconds": remaining, "remaining_display": f"{remaining // 60}:{remaining % 60:02d}"}


def _question_page(
    request: HttpRequest, page: selectors.QuestionPage, form: AnswerForm, now: datetime, *, skip_warning: bool = False
) -> HttpResponse:
    return render(
        request,
        "assessment/assessment_question.html",
        {
            "page": page,
            "form": form,
            # As a string, the way the radio values are written: the saved answer, or what was just sent.
            "chosen": str(form["choice"].value() or "") if form.is_bound else str(page.chosen_number or ""),
            "skip_warning": skip_warning,
            "skip_message": SKIP_WARNING,
            **_remaining(page.attempt, now),
            "journey": _journey(request),
        },
    )


@never_cache
@login_required
def assessment_review(request: HttpRequest) -> HttpResponse:
    """ "Periksa jawaban": before the test ends, the questions still unanswered (each a link back to it) and a
    confirmation. Only here does the applicant end the test; the server's deadline ends it anyway."""
    now = timezone.now()
    attempt = selectors.attempt_running(user=request.user, now=now)
    if attempt is None:
        return _no_running_attempt(request, now)
    if request.method == "POST" and "confirm" in request.POST:
        try:
            services.attempt_submit(user=request.user, now=now)
        except AssessmentError as error:
            messages.warning(request, ERROR_MESSAGES[error.code])
        return redirect("assessment:assessment_result")
    answers = selectors.attempt_answered(attempt=attempt)
    unanswered = [position for position, answered in answers if not answered]
    context = {
        "total": len(answers),
        "answered_count": len(answers) - len(unanswered),
        "unanswered": unanswered,
        **_remaining(attempt, now),
        "journey": _journey(request),
    }
    return render(request, "assessment/assessment_review.html", context)


@never_cache
@login_required
def assessment_result(request: HttpRequest) -> HttpResponse:
    # An attempt whose time ran out is scored now if the expiry job has not done it yet.
    services.attempts_finish_expired(user=request.user)
    latest = selectors.attempt_latest(user=request.user)
    if latest is None:
        return redirect("journey:dashboard")
    outcome = selectors.attempt_outcome(attempt=latest)
    if outcome is None:
        return _resume(latest)
    tally = selectors.attempt_tally(attempt_id=latest.pk)
    context = {
        "outcome": outcome,
        "tally": tally,
        "ability_percent": int(ABILITY_WEIGHT * 100),
        "motivation_percent": int(MOTIVATION_WEIGHT * 100),
        "ability_weight": float(ABILITY_WEIGHT),
        "motivation_weight": float(MOTIVATION_WEIGHT),
        "motivation_max_points": MOTIVATION_MAX_POINTS,
    }
    return render(request, "assessment/assessment_result.html", context)
