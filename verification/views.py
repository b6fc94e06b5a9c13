"""The identity steps' pages. journey/urls.py mounts them behind the step guard; these views assume the
step is the applicant's current one and leave the order to the guard."""

from math import ceil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from audit.models import Action
from audit.services import audit_record
from notifications.masking import mask_phone
from prakerja.ratelimits import form_valid_within_limits
from prakerja.staff import staff_verified
from prakerja.timeutil import WIB
from verification import otp, services
from verification.errors import VerificationError, VerificationErrorCode
from verification.forms import (
    KtpPhotoForm,
    KtpVerificationForm,
    OtpForm,
    OtpResendForm,
    PersonalDataForm,
    PhoneChangeForm,
    PhoneForm,
)
from verification.models import OtpCode, PhoneNumber
from verification.selectors import ktp_photo_for_viewer
from verification.storage import private_file_response

ERROR_MESSAGES = {
    VerificationErrorCode.NIK_NOT_FOUND: _(
        "NIK tidak ditemukan di data Dukcapil. Periksa kembali 16 digit NIK pada KTP Anda; jika sudah benar, "
        "hubungi Dukcapil."
    ),
    VerificationErrorCode.KK_MISMATCH: _(
        "Nomor KK tidak sesuai dengan data Dukcapil untuk NIK ini. Pakai nomor dari Kartu Keluarga terbaru "
        "(KK yang diterbitkan ulang mendapat nomor baru); jika sudah benar, hubungi Dukcapil."
    ),
    VerificationErrorCode.BIRTH_DATE_MISMATCH: _(
        "Tanggal lahir tidak sesuai dengan data Dukcapil untuk NIK ini. Periksa kembali; jika sudah benar, "
        "hubungi Dukcapil."
    ),
    VerificationErrorCode.NIK_TAKEN: _(
        "NIK ini sudah terdaftar pada akun lain. Satu NIK hanya untuk satu akun. Jika Anda pernah mendaftar, "
        "keluar lalu masuk dengan email akun tersebut; lupa kata sandinya? Buat kata sandi baru lewat "
        "“Lupa kata sandi”. Jika Anda tidak pernah mendaftar, hubungi pusat bantuan Kartu Prakerja."
    ),
    VerificationErrorCode.REGISTRY_UNAVAILABLE: _(
        "Layanan Dukcapil sedang tidak dapat dihubungi. Data yang Anda isi tidak hilang: coba kirim ulang "
        "beberapa saat lagi."
    ),
    VerificationErrorCode.NAME_MISMATCH: _(
        "Data berikut tidak sesuai dengan data Dukcapil. Tulis persis seperti di KTP/KK (tanpa gelar); jika "
        "sudah benar, hubungi Dukcapil."
    ),
    VerificationErrorCode.SEX_MISMATCH: _("Jenis kelamin tidak sesuai dengan NIK Anda."),
    VerificationErrorCode.PHONE_TAKEN: _(
        "Nomor HP ini sudah diverifikasi oleh akun lain. Satu nomor HP hanya untuk satu akun: gunakan nomor Anda sendiri."
    ),
    VerificationErrorCode.OTP_RESEND_TOO_SOON: ngettext_lazy(
        "Kode baru saja dikirim. Tunggu %(seconds)s detik sebelum meminta kode baru.",
        "Kode baru saja dikirim. Tunggu %(seconds)s detik sebelum meminta kode baru.",
        "seconds",
    ),
    VerificationErrorCode.OTP_DAILY_LIMIT: _(
        "Batas pengiriman kode hari ini untuk nomor atau akun ini sudah tercapai. Coba lagi mulai %(until)s."
    ),
    VerificationErrorCode.OTP_NO_CODE: _("Belum ada kode yang aktif. Tekan “Kirim” untuk menerima kode lewat SMS."),
    VerificationErrorCode.OTP_EXPIRED: _("Kode sudah kedaluwarsa. Tekan “Kirim” untuk menerima kode baru."),
    VerificationErrorCode.OTP_WRONG: ngettext_lazy(
        "Kode salah. Sisa %(remaining)s kali percobaan untuk kode ini.",
        "Kode salah. Sisa %(remaining)s kali percobaan untuk kode ini.",
        "remaining",
    ),
    VerificationErrorCode.OTP_VOIDED: _(
        "Kode ini tidak berlaku lagi (terlalu banyak percobaan salah, atau sudah ada kode yang lebih baru). "
        "Tekan “Kirim” untuk menerima kode baru."
    ),
    VerificationErrorCode.ALREADY_DONE: _("Langkah ini sudah selesai."),
    VerificationErrorCode.PREVIOUS_STEP_MISSING: _("Selesaikan langkah sebelumnya dulu."),
}
FIELD_MESSAGES = {
    "full_name": _("Nama lengkap tidak sesuai dengan data Dukcapil."),
    "mother_name": _("Nama ibu kandung tidak sesuai dengan data Dukcapil."),
}
# Problems only the civil registry can fix: the page shows its contacts.
REGISTRY_PROBLEMS = {
    VerificationErrorCode.NIK_NOT_FOUND,
    VerificationErrorCode.KK_MISMATCH,
    VerificationErrorCode.BIRTH_DATE_MISMATCH,
    VerificationErrorCode.NAME_MISMATCH,
}


def _error_message(error: VerificationError) -> str:
    params = dict(error.params)
    if "until" in params:
        params["until"] = date_format(timezone.localtime(params["until"], WIB), "j F Y, H.i") + " WIB"
    return ERROR_MESSAGES[error.code] % params if params else str(ERROR_MESSAGES[error.code])


def _show_error(form, error: VerificationError) -> dict:
    """Put a service error on the form (nothing typed is lost) and say what the page should add."""
    message = _error_message(error)
    form.add_error(None, message)
    # The summary's link leads to the first field concerned, and each is marked invalid.
    form.mark_invalid(*error.fields)
    for field in error.fields:
        if field in FIELD_MESSAGES:
            form.add_error(field, FIELD_MESSAGES[field])
    return {
        "error_code": error.code.value,
        "show_dukcapil_contacts": error.code in REGISTRY_PROBLEMS,
        "show_account_help": error.code == VerificationErrorCode.NIK_TAKEN,
    }


def _page(request: HttpRequest, template: str, form, extra: dict | None = None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "dukcapil": settings.DUKCAPIL_CONTACTS,
        "help": settings.PORTAL_HELP_CONTACTS,
        "journey": getattr(request, "journey", None),
    }
    return render(request, template, {**context, **(extra or {})}, status=status)


# Error reports (a 500 mailed to admins) show POST data; these never appear in them.
@sensitive_post_parameters("nik", "kk", "birth_date")
@login_required
def ktp_verify(request: HttpRequest) -> HttpResponse:
    form = KtpVerificationForm(request.POST or None)
    if request.method == "POST" and form_valid_within_limits(request, form, "ktp_verify"):
        try:
            services.identity_verify(
                user=request.user,
                nik=form.cleaned_data["nik"],
                kk=form.cleaned_data["kk"],
                birth_date=form.cleaned_data["birth_date"],
            )
        except VerificationError as error:
            status = 503 if error.code == VerificationErrorCode.REGISTRY_UNAVAILABLE else 200
            return _page(request, "verification/ktp_verify.html", form, _show_error(form, error), status)
        return redirect("journey:dashboard")
    return _page(request, "verification/ktp_verify.html", form)


@sensitive_post_parameters("full_name", "mother_name", "address")
@login_required
def personal_data(request: HttpRequest) -> HttpResponse:
    refreshing = "refresh" in request.POST
    form = PersonalDataForm(request.POST or None)
    if request.method == "POST" and not refreshing and form_valid_within_limits(request, form, "personal_data"):
        data = {
            name: value for name, value in form.cleaned_data.items() if name not in {"province", "regency", "truthful"}
        }
        try:
            services.personal_data_save(user=request.user, data=services.PersonalDataInput(**data))
        except VerificationError as error:
            status = 503 if error.code == VerificationErrorCode.REGISTRY_UNAVAILABLE else 200
            return _page(request, "verification/personal_data.html", form, _show_error(form, error), status)
        return redirect("journey:dashboard")
    if refreshing:
        form.errors.clear()  # only the region lists changed; no verdict on a half-filled form
    return _page(request, "verification/personal_data.html", form)


@login_required
def ktp_photo(request: HttpRequest) -> HttpResponse:
    form = KtpPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form_valid_within_limits(request, form, "ktp_photo"):
        try:
            services.ktp_photo_save(user=request.user, photo=form.cleaned_data["photo"])
        except VerificationError as error:
            return _page(request, "verification/ktp_photo.html", form, _show_error(form, error))
        return redirect("journey:dashboard")
    return _page(request, "verification/ktp_photo.html", form)


@login_required
def ktp_photo_file(request: HttpRequest, pk: int, variant: str) -> FileResponse:
    """The stored KTP photo, to its owner and to holders of ``verification.view_ktpphoto`` only.

    Anyone else (or a holder whose session has not passed the staff second factor) gets the same 404 as for
    a photo that does not exist, so ids cannot be probed.
    """
    if variant not in {"image", "thumbnail"}:
        raise Http404
    photo = ktp_photo_for_viewer(pk=pk, viewer=request.user)
    # Anyone but the owner opens it as staff, so only past the staff second factor.
    if photo is None or (photo.user_id != request.user.pk and not staff_verified(request)):
        raise Http404
    if photo.user_id != request.user.pk:
        # Before the file is sent, so no staff member sees a photo the audit log does not show.
        audit_record(
            acting_user=request.user,
            action=Action.KTP_PHOTO_VIEW,
            target=photo,
            details={"variant": variant},
            request=request,
        )
    return private_file_response(
        getattr(photo, variant).open("rb"), content_type="image/jpeg", filename=f"foto-ktp-{photo.pk}-{variant}.jpg"
    )


def _pending_code(user, now) -> OtpCode | None:
    return (
        OtpCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )


def _phone_page(
    request: HttpRequest,
    phone_form: PhoneForm,
    code_form: OtpForm,
    current_phone: PhoneNumber | None,
    resend_form: OtpResendForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    pending = _pending_code(request.user, now)
    # Once a code is on its way the page is about that code only; "Ganti nomor" (?ganti=1) brings the number
    # form back, as does a refused send (its error belongs to the number).
    show_code = pending is not None and "ganti" not in request.GET and not phone_form.errors
    wait = (pending.created_at + settings.OTP_RESEND_AFTER - now).total_seconds() if pending else 0
    context = {
        "phone_form": phone_form,
        "code_form": code_form,
        "resend_form": resend_form or OtpResendForm(),
        "pending": pending,
        "show_code": show_code,
        "pending_masked": mask_phone(pending.number) if pending else "",
        "current_phone": current_phone,
        "resend_wait": max(0, ceil(wait)),
        "journey": getattr(request, "journey", None),
    }
    return render(request, "verification/phone_verify.html", context)


@sensitive_post_parameters("code", "password")
@login_required
def phone_verify(request: HttpRequest) -> HttpResponse:
    """Step 5 (and, outside the journey, "Ganti nomor HP", which also asks for the password): send a code,
    then verify it; "Kirim ulang" sends a new code to the same number, refused by the service before the wait
    between codes has passed."""
    action = request.POST.get("action")
    current_phone = PhoneNumber.objects.filter(user=request.user).first()
    data = request.POST if action == "send" else None
    phone_form = PhoneChangeForm(data, user=request.user) if current_phone else PhoneForm(data)
    code_form = OtpForm(request.POST if action == "verify" else None)
    if action == "send" and form_valid_within_limits(request, phone_form, "otp_send"):
        try:
            otp.otp_send(user=request.user, number=phone_form.cleaned_data["number"])
        except VerificationError as error:
            phone_form.add_error("number" if error.fields else None, _error_message(error))
            return _phone_page(request, phone_form, code_form, current_phone)
        messages.success(
            request,
            _("Kode OTP dikirim lewat SMS ke %(number)s.") % {"number": mask_phone(phone_form.cleaned_data["number"])},
        )
        return redirect(request.path)
    if action == "resend":
        pending = _pending_code(request.user, timezone.now())
        if pending is None:
            return redirect(request.path)  # no code to repeat: the number form
        resend_form = OtpResendForm(request.POST)
        # A resend is a send, counted alike.
        if form_valid_within_limits(request, resend_form, "otp_send"):
            try:
                otp.otp_send(user=request.user, number=pending.number)
            except VerificationError as error:
                resend_form.add_error(None, _error_message(error))
            else:
                messages.success(
                    request,
                    _("Kode OTP baru dikirim lewat SMS ke %(number)s.") % {"number": mask_phone(pending.number)},
                )
                return redirect(request.path)
        return _phone_page(request, phone_form, code_form, current_phone, resend_form)
    if action == "verify" and form_valid_within_limits(request, code_form, "otp_verify"):
        try:
            otp.otp_verify(user=request.user, code=code_form.cleaned_data["code"])
        except VerificationError as error:
            code_form.add_error(
                "code" if error.code == VerificationErrorCode.OTP_WRONG else None, _error_message(error)
            )
            return _phone_page(request, phone_form, code_form, current_phone)
        messages.success(request, _("Nomor HP berhasil diverifikasi."))
        return redirect("journey:dashboard")
    return _phone_page(request, phone_form, code_form, current_phone)


@login_required
def phone_change(request: HttpRequest) -> HttpResponse:
    """ "Ganti nomor HP": the same two forms, once a number is verified. The new number is verified the same
    way and replaces the old one, which is then free for its owner to use elsewhere."""
    if not PhoneNumber.objects.filter(user=request.user).exists():
        return redirect("journey:dashboard")
    return phone_verify(request)
