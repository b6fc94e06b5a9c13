"""Step 8, "Gabung gelombang": the open waves for the applicant's domicile → "Gabung" → "Ya, Gabung" →
the Persetujuan Kartu Prakerja → "Saya Menyetujui" → "Tahap pendaftaran selesai". journey/urls.py mounts
the step pages behind the guard; the done page stays reachable after the step is done."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from verification.selectors import domicile_province_id
from waves import services
from waves.errors import WaveError, WaveErrorCode
from waves.models import Wave
from waves.rules import RULES_BY_CODE, reason_message
from waves.selectors import agreement_current, enrollment_pending, wave_history, waves_open_for

ERROR_MESSAGES = {
    WaveErrorCode.WAVE_NOT_OPEN: _("Gelombang ini sudah tidak dibuka. Pilih gelombang lain yang sedang dibuka."),
    WaveErrorCode.NOT_FOR_YOUR_PROVINCE: _("Gelombang ini tidak dibuka untuk provinsi domisili Anda."),
    WaveErrorCode.JOURNEY_INCOMPLETE: _("Lengkapi dulu semua langkah pendaftaran."),
    WaveErrorCode.ALREADY_PENDING: _("Anda sudah tergabung di gelombang lain yang belum diumumkan hasilnya."),
    WaveErrorCode.ALREADY_JOINED: _("Anda sudah tergabung di gelombang ini."),
    WaveErrorCode.NOT_ELIGIBLE: _("Anda belum memenuhi syarat untuk gelombang ini:"),
    WaveErrorCode.AGREEMENT_OUTDATED: _("Teks persetujuan sudah diperbarui. Baca lagi dan setujui versi terbaru."),
}


def _open_wave(request: HttpRequest, number: int) -> Wave:
    wave = get_object_or_404(Wave, number=number)
    if wave not in waves_open_for(province_id=domicile_province_id(user=request.user)):
        raise Http404
    return wave


@login_required
def wave_list(request: HttpRequest) -> HttpResponse:
    waves = waves_open_for(province_id=domicile_province_id(user=request.user))
    return render(request, "waves/wave_list.html", {"waves": waves, "journey": getattr(request, "journey", None)})


@login_required
@require_http_methods(["GET", "POST"])
def wave_confirm(request: HttpRequest, number: int) -> HttpResponse:
    """"Gabung" asks once more which wave, because the choice cannot be undone: "Ya, Gabung"."""
    wave = _open_wave(request, number)
    if request.method == "POST":
        return redirect("journey:wave_agreement", number=wave.number)
    return render(request, "waves/wave_confirm.html", {"wave": wave, "journey": getattr(request, "journey", None)})


@login_required
@require_http_methods(["GET", "POST"])
def wave_agreement(request: HttpRequest, number: int) -> HttpResponse:
    wave = _open_wave(request, number)
    agreement = agreement_current()
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
    context = {"wave": wave, "agreement": agreement, "error": error, "rules": rules,
               "journey": getattr(request, "journey", None)}
    return render(request, "waves/wave_agreement.html", context, status=409 if error else 200)


@login_required
def joined(request: HttpRequest) -> HttpResponse:
    status = enrollment_pending(user=request.user, now=timezone.now())
    if status is None:
        return redirect("journey:dashboard")
    return render(request, "waves/joined.html", {"status": status})


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """"Riwayat Gelombang": every wave joined, its result and the reason shown once announced."""
    entries = [
        {"entry": entry, "reason": reason_message(entry.reason)} for entry in wave_history(user=request.user)
    ]
    return render(request, "waves/history.html", {"entries": entries})
