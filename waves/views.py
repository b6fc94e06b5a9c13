"""Step 8, "Gabung gelombang": the open waves for the applicant's domicile → "Gabung" → "Ya, Gabung" →
the Persetujuan Kartu Prakerja → "Saya Menyetujui" → "Tahap pendaftaran selesai". journey/urls.py mounts
the step pages behind the guard; the done page stays reachable after the step is done."""

import csv
import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from audit.services import audit_record
from prakerja.ratelimits import form_valid_within_limits
from prakerja.staff import staff_verified
from verification.selectors import domicile_province_id
from verification.storage import private_file_response
from waves import services
from waves.errors import WaveError, WaveErrorCode
from waves.forms import ComplaintLetterForm
from waves.models import Wave
from waves.reasons import ResultReason, reason_message
from waves.rules import RULES_BY_CODE
from waves.selectors import (
    FAILED_SELECTIONS_TO_COMPLAIN,
    agreement_current,
    agreement_current_shown,
    complaint_for_viewer,
    complaint_state,
    enrollment_pending,
    statement_text_current,
    wave_history,
    waves_for_province,
    waves_open_for,
)
from waves.statement import statement_letter_for, statement_pdf
from waves.transparency import (
    CSV_COLUMNS,
    announced_run,
    lottery_list_rows,
    reason_label,
    transparency_wave,
    transparency_waves,
)

ERROR_MESSAGES = {
    WaveErrorCode.WAVE_NOT_OPEN: _("Gelombang ini sudah tidak dibuka. Pilih gelombang lain yang sedang dibuka."),
    WaveErrorCode.NOT_FOR_YOUR_PROVINCE: _("Gelombang ini tidak dibuka untuk provinsi domisili Anda."),
    WaveErrorCode.JOURNEY_INCOMPLETE: _("Lengkapi dulu semua langkah pendaftaran."),
    WaveErrorCode.ALREADY_PENDING: _("Anda sudah tergabung di gelombang lain yang belum diumumkan hasilnya."),
    WaveErrorCode.ALREADY_JOINED: _("Anda sudah tergabung di gelombang ini."),
    WaveErrorCode.NOT_ELIGIBLE: _("Anda belum memenuhi syarat untuk gelombang ini:"),
    WaveErrorCode.AGREEMENT_OUTDATED: _("Teks persetujuan sudah diperbarui. Baca lagi dan setujui versi terbaru."),
    WaveErrorCode.COMPLAINT_TOO_EARLY: _(
        "Surat pernyataan baru dapat diajukan setelah 3 kali tidak lolos seleksi gelombang. Kegagalan saat "
        "pendaftaran (misalnya NIK tidak sesuai) tidak dihitung."
    ),
    WaveErrorCode.COMPLAINT_OPEN: _("Anda sudah mengirim surat pernyataan. Lihat statusnya di halaman ini."),
    WaveErrorCode.COMPLAINT_NEEDS_NEW_FAILURE: _(
        "Surat pernyataan Anda sebelumnya ditolak. Anda dapat mengajukan lagi setelah mengikuti seleksi gelombang "
        "berikutnya."
    ),
    WaveErrorCode.COMPLAINT_RECIPIENT: _("Anda sudah menjadi penerima Kartu Prakerja."),
}


def _open_wave(request: HttpRequest, number: int) -> Wave:
    """The open wave ``number`` of the applicant's province, or 404. A page reads it from the waves the province
    shares (cached); a join (POST) from the database, as the join's checks must see the wave as it is now."""
    province_id = domicile_province_id(user=request.user)
    if request.method == "POST":
        wave = get_object_or_404(Wave, number=number)
        if wave not in waves_open_for(province_id=province_id):
            raise Http404
        return wave
    for wave in waves_for_province(province_id=province_id).open:
        if wave.number == number:
            return wave
    raise Http404


@login_required
def wave_list(request: HttpRequest) -> HttpResponse:
    choice = waves_for_province(province_id=domicile_province_id(user=request.user))
    context = {"waves": choice.open, "upcoming": choice.upcoming, "journey": getattr(request, "journey", None)}
    return render(request, "waves/wave_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def wave_confirm(request: HttpRequest, number: int) -> HttpResponse:
    """ "Gabung" asks once more which wave, because the choice cannot be undone: "Ya, Gabung"."""
    wave = _open_wave(request, number)
    if request.method == "POST":
        return redirect("journey:wave_agreement", number=wave.number)
    return render(request, "waves/wave_confirm.html", {"wave": wave, "journey": getattr(request, "journey", None)})


@login_required
@require_http_methods(["GET", "POST"])
def wave_agreement(request: HttpRequest, number: int) -> HttpResponse:
    wave = _open_wave(request, number)
    agreement = agreement_current() if request.method == "POST" else agreement_current_shown()
    error = None
    rules = []
    if request.method == "POST" and agreement is not None:
        try:
            services.enrollment_join(user=request.user, wave=wave, agreement=agreement)
        except WaveError as refused:
            error = ERROR_MESSAGES[refused.code]
            rules = [RULES_BY_CODE[code].message for code in refused.params.get("rules", ())]
        else:
            return redirect("waves:joined")
    context = {
        "wave": wave,
        "agreement": agreement,
        "error": error,
        "rules": rules,
        "journey": getattr(request, "journey", None),
    }
    return render(request, "waves/wave_agreement.html", context, status=409 if error else 200)


@login_required
def joined(request: HttpRequest) -> HttpResponse:
    status = enrollment_pending(user=request.user, now=timezone.now())
    if status is None:
        return redirect("journey:dashboard")
    return render(request, "waves/joined.html", {"status": status})


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """ "Riwayat Gelombang": every wave joined, its result and the reason shown once announced."""
    entries = [{"entry": entry, "reason": reason_message(entry.reason)} for entry in wave_history(user=request.user)]
    return render(request, "waves/history.html", {"entries": entries})


# --- "Gagal 3 kali" (DESIGN §5) ---------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest) -> HttpResponse:
    """The "gagal 3 kali" page: how many selections have failed, the letter to download, its upload, and
    the status of what was sent."""
    state = complaint_state(user=request.user)
    form = ComplaintLetterForm(request.POST or None, request.FILES or None) if state.may_file else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, ERROR_MESSAGES[state.refusal])
            return redirect("waves:complaint")
        if form_valid_within_limits(request, form, "complaint_upload"):
            try:
                services.complaint_submit(
                    user=request.user, letter=form.cleaned_data["letter"], text=statement_text_current()
                )
            except WaveError as refused:
                form.add_error(None, ERROR_MESSAGES[refused.code])
            else:
                messages.success(request, _("Surat pernyataan Anda sudah kami terima dan akan ditinjau oleh petugas."))
                return redirect("waves:complaint")
        status = 400
    context = {
        "state": state,
        "form": form,
        "required": FAILED_SELECTIONS_TO_COMPLAIN,
        "refusal": ERROR_MESSAGES[state.refusal] if state.refusal else None,
    }
    return render(request, "waves/complaint.html", context, status=status)


@login_required
@require_GET
def complaint_letter(request: HttpRequest) -> HttpResponse:
    """The statement letter as a PDF, filled in with the asking applicant's own data; nobody else's can be
    asked for. Offered while the applicant may file."""
    letter = statement_letter_for(user=request.user)
    if letter is None:
        raise Http404
    response = HttpResponse(statement_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="surat-pernyataan-gagal-3-kali.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def complaint_file(request: HttpRequest, pk: int) -> FileResponse:
    """The signed letter as uploaded (a PDF) or re-encoded (an image), to its owner and to reviewers only; a
    404 to anyone else, the same as for an id that does not exist. Reviewers may ask for it framed
    (``?tampil=1``) for the workbench."""
    complaint = complaint_for_viewer(pk=pk, viewer=request.user)
    # A reviewer opens it as staff, so only past the staff second factor.
    if complaint is None or (complaint.user_id != request.user.pk and not staff_verified(request)):
        raise Http404
    is_pdf = complaint.letter_kind == "pdf"
    if complaint.user_id != request.user.pk:
        # Before the file is sent, so no reviewer reads a letter the audit log does not show.
        audit_record(acting_user=request.user, action=Action.COMPLAINT_LETTER_VIEW, target=complaint, request=request)
    return private_file_response(
        complaint.letter.open("rb"),
        content_type="application/pdf" if is_pdf else "image/jpeg",
        filename=f"surat-pernyataan-{complaint.pk}.{'pdf' if is_pdf else 'jpg'}",
        # "?tampil=1": inline in the reviewer's workbench, beside the case (still sandboxed).
        framed=request.GET.get("tampil") == "1" and complaint.user_id != request.user.pk,
    )


# --- /transparansi/: the lottery anyone can check (docs/LOTTERY.md) -------------------------------------------


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    """Every published wave with its seed commitment; the seed and the figures once it is announced."""
    return render(request, "waves/transparency.html", {"waves": transparency_waves()})


@require_GET
def transparency_wave_page(request: HttpRequest, number: int) -> HttpResponse:
    published = transparency_wave(number=number)
    if published is None:
        raise Http404
    return render(
        request,
        "waves/transparency_wave.html",
        {"published": published, "reason_labels": {code: reason_label(code) for code in ResultReason.values}},
    )


class _Line:
    """What csv.writer writes to: it hands back each line instead of keeping it, so the list streams."""

    def write(self, line: str) -> str:
        return line


@require_GET
def transparency_csv(request: HttpRequest, number: int) -> StreamingHttpResponse:
    """The anonymous list of the wave's candidates, streamed: memory stays flat for millions of rows. Not
    before the announcement (the same 404 as a wave that does not exist)."""
    wave = get_object_or_404(Wave, number=number)
    run = announced_run(wave=wave)
    if run is None:
        raise Http404
    writer = csv.writer(_Line())
    lines = itertools.chain(
        [writer.writerow(CSV_COLUMNS)], (writer.writerow(row) for row in lottery_list_rows(run=run))
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gelombang-{wave.number}-undian.csv"'
    return response


@require_GET
def lottery_explained(request: HttpRequest) -> HttpResponse:
    """How the lottery works and how to recompute one's own number, in plain words."""
    return render(request, "waves/lottery_explained.html")
