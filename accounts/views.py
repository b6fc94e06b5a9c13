"""Sign-up, email verification, login (with its step-up code and the staff second factor), logout, passwords
and the email change.

Views check input and abuse limits, call one service, then redirect or re-render; the services in
accounts/services.py hold the rules, accounts/login_guard.py the per-account login protection.
"""

import base64
import math
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.forms.forms import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.errors import AccountError, AccountErrorCode
from accounts.forms import (
    EmailChangeForm,
    LoginCodeForm,
    LoginFieldsForm,
    LoginForm,
    NewPasswordForm,
    PasswordConfirmForm,
    PasswordResetRequestForm,
    PortalPasswordChangeForm,
    SignupForm,
    StaffTotpForm,
)
from accounts.login_guard import (
    LoginAttempt,
    known_device_move,
    known_device_remember,
    login_failure_record,
    pair_locked,
    password_user,
    step_up_failure_record,
    step_up_required,
)
from accounts.models import User, normalize_email
from accounts.recent_login import password_entered_stamp
from accounts.tokens import email_change_tokens
from prakerja.ratelimits import RATE_LIMITED_MESSAGE, form_valid_within_limits, limit_exceeded
from prakerja.staff import safe_next, staff_door, staff_verified, url_with_next

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

ERROR_MESSAGES = {
    AccountErrorCode.LINK_INVALID: _(
        "Tautan verifikasi tidak valid. Pastikan Anda membuka tautan lengkap dari email terbaru kami."
    ),
    AccountErrorCode.LINK_EXPIRED: _("Tautan verifikasi sudah kedaluwarsa. Minta tautan baru dengan “Kirim ulang”."),
    AccountErrorCode.LINK_USED: _("Email ini sudah terverifikasi. Silakan masuk untuk melanjutkan pendaftaran."),
    AccountErrorCode.RESEND_TOO_SOON: ngettext_lazy(
        "Email verifikasi baru saja dikirim. Tunggu %(seconds)s detik sebelum mengirim ulang.",
        "Email verifikasi baru saja dikirim. Tunggu %(seconds)s detik sebelum mengirim ulang.",
        "seconds",
    ),
    AccountErrorCode.PUBLIC_TEXTS_OUTDATED: _(
        "Syarat dan Ketentuan atau Kebijakan Privasi baru saja diperbarui. Baca versi terbaru, lalu tekan "
        "“Daftar” lagi."
    ),
    AccountErrorCode.TOTP_WRONG: _(
        "Kode autentikator salah. Periksa jam di ponsel Anda, lalu masukkan kode yang sedang tampil."
    ),
    AccountErrorCode.TOTP_THROTTLED: ngettext_lazy(
        "Terlalu banyak kode yang salah. Tunggu %(seconds)s detik, lalu masukkan kode yang sedang tampil.",
        "Terlalu banyak kode yang salah. Tunggu %(seconds)s detik, lalu masukkan kode yang sedang tampil.",
        "seconds",
    ),
}

# In step-up one message for a wrong password and a wrong code alike: the page must not tell which.
LOGIN_CODE_WRONG_MESSAGE = ngettext_lazy(
    "Kata sandi atau kode masuk salah. Sisa %(remaining)s percobaan.",
    "Kata sandi atau kode masuk salah. Sisa %(remaining)s percobaan.",
    "remaining",
)
LOGIN_CODE_FINAL_MESSAGE = _(
    "Kata sandi atau kode masuk salah. Demi keamanan, silakan masuk lagi dari awal, atau buat kata sandi baru "
    "lewat “Lupa kata sandi”."
)
LOGIN_CODE_EXPIRED_MESSAGE = _("Waktu memasukkan kode masuk sudah habis. Silakan masuk lagi.")


def _error_message(error: AccountError) -> str:
    return ERROR_MESSAGES[error.code] % error.params if error.params else str(ERROR_MESSAGES[error.code])


def _public_texts() -> dict:
    return {"privacy_policy": selectors.privacy_policy_text_current(), "terms": selectors.terms_text_current()}


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("journey:dashboard")
    form = SignupForm(request.POST or None, **_public_texts())
    if request.method == "POST" and form_valid_within_limits(request, form, "signup"):
        try:
            services.user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                privacy_policy_version=form.cleaned_data["privacy_policy_version"],
                terms_version=form.cleaned_data["terms_version"],
            )
        except AccountError as error:
            # A new version was published while the page was open: show the links to it and ask again; the
            # next "Daftar" accepts the versions the page now names.
            texts = _public_texts()
            data = request.POST.copy()
            for name, text in (("privacy_policy_version", texts["privacy_policy"]), ("terms_version", texts["terms"])):
                data[name] = str(text.version) if text is not None else ""
            form = SignupForm(data, **texts)
            form.is_valid()
            form.add_error("terms", _error_message(error))
            return render(request, "accounts/signup.html", {"form": form})
        # The same page whether or not the address already had an account.
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html", {"email": request.session.get("signup_email")})


# --- The texts accepted at sign-up, for anyone to read ------------------------------------------------------


def _public_text_page(request: HttpRequest, text, page_title: str) -> HttpResponse:
    if text is None:
        raise Http404
    return render(
        request,
        "accounts/public_text.html",
        {
            "text": text,
            "page_title": page_title,
            "help": settings.PORTAL_HELP_CONTACTS,
            "dukcapil": settings.DUKCAPIL_CONTACTS,
        },
    )


def privacy_policy(request: HttpRequest) -> HttpResponse:
    """The current Kebijakan Privasi, linked from sign-up and the footer."""
    return _public_text_page(request, selectors.privacy_policy_text_shown(), _("Kebijakan Privasi"))


def terms(request: HttpRequest) -> HttpResponse:
    """The current Syarat dan Ketentuan, linked from sign-up and the footer."""
    return _public_text_page(request, selectors.terms_text_shown(), _("Syarat dan Ketentuan"))


def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.email_verify(token=token)
    except AccountError as error:
        if error.code == AccountErrorCode.LINK_USED:
            messages.info(request, _error_message(error))
            return redirect("journey:dashboard" if request.user.is_authenticated else "accounts:login")
        return render(
            request, "accounts/email_verify_failed.html", {"error_message": _error_message(error)}, status=400
        )
    messages.success(request, _("Email %(email)s berhasil diverifikasi.") % {"email": user.email})
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("journey:dashboard")
    return redirect("accounts:login")


@login_required
@require_POST
def email_verification_resend(request: HttpRequest) -> HttpResponse:
    if limit_exceeded(request, "email_verification_resend"):
        messages.error(request, RATE_LIMITED_MESSAGE)
        return redirect("journey:dashboard")
    try:
        services.email_verification_send(user=request.user)
    except AccountError as error:
        messages.warning(request, _error_message(error))
    else:
        messages.success(
            request, _("Tautan verifikasi baru sudah dikirim ke %(email)s.") % {"email": request.user.email}
        )
    return redirect("journey:dashboard")


def _logged_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """What follows every successful login: remember this browser for the account, then the page asked for,
    or first the staff second factor."""
    if user.is_staff and settings.STAFF_OTP_REQUIRED:
        response = redirect(url_with_next("accounts:staff_otp", next_url))
    else:
        response = HttpResponseRedirect(next_url)
    known_device_remember(request, response, user.email)
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        email = normalize_email(request.POST.get("username", ""))
        # Decided before this attempt counts, from the failures of others and of this browser.
        if email and step_up_required(request, email):
            return self._step_up(request, email)
        form = self.get_form()
        if form_valid_within_limits(request, form, "login"):
            return self.form_valid(form)
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            # Counted even from a locked pair: more hammering is more reason to ask for the emailed code.
            login_failure_record(request, email)
        return self.form_invalid(form)

    def form_valid(self, form: LoginForm) -> HttpResponse:
        login(self.request, form.get_user())
        return _logged_in(self.request, form.get_user(), self.get_success_url())

    def _step_up(self, request: HttpRequest, email: str) -> HttpResponse:
        """The account is under attack and this browser is a stranger: the same next page, the code step,
        follows a right and a wrong password; only a right one emails a code."""
        form = LoginFieldsForm(request, data=request.POST)
        if limit_exceeded(request, "login"):
            form.is_valid()
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return self.form_invalid(form)
        if not form.is_valid():
            return self.form_invalid(form)
        if pair_locked(request, email):
            return self.form_invalid(form)  # AxesMiddleware answers with the lockout page
        user = password_user(request, email, form.cleaned_data["password"])
        now = timezone.now()
        code = services.login_code_send(user=user, now=now) if user is not None else None
        LoginAttempt(
            email=email,
            user_id=user.pk if user else None,
            auth_hash=user.get_session_auth_hash() if user else "",
            code_id=code.pk if code else None,
            next_url=self.get_success_url(),
            sent_at=now.timestamp(),
            expires_at=(now + settings.LOGIN_CODE_VALIDITY).timestamp(),
        ).save(request.session)
        return redirect("accounts:login_code")


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """Step two of a login in step-up: the code emailed to the account, or, for a wrong password, none."""
    attempt = LoginAttempt.load(request.session)
    if attempt is None:
        return redirect("accounts:login")
    now = timezone.now()
    if now.timestamp() >= attempt.expires_at:
        LoginAttempt.clear(request.session)
        messages.error(request, LOGIN_CODE_EXPIRED_MESSAGE)
        return redirect("accounts:login")
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form_valid_within_limits(request, form, "login_code"):
        if pair_locked(request, attempt.email):
            return render(request, "accounts/login_code.html", {"form": form, "attempt": attempt})
        try:
            user = services.login_code_use(
                code_id=attempt.code_id, user_id=attempt.user_id, code=form.cleaned_data["code"], now=now
            )
            if not constant_time_compare(user.get_session_auth_hash(), attempt.auth_hash):
                raise AccountError(AccountErrorCode.LOGIN_CODE_WRONG)
        except AccountError:
            step_up_failure_record(request, attempt.email)
            attempt.guesses += 1
            if attempt.guesses_left == 0:
                LoginAttempt.clear(request.session)
                messages.error(request, LOGIN_CODE_FINAL_MESSAGE)
                return redirect("accounts:login")
            attempt.save(request.session)
            form.add_error("code", LOGIN_CODE_WRONG_MESSAGE % {"remaining": attempt.guesses_left})
        else:
            LoginAttempt.clear(request.session)
            login(request, user, backend=MODEL_BACKEND)
            return _logged_in(request, user, attempt.next_url)
    return render(request, "accounts/login_code.html", {"form": form, "attempt": attempt})


@require_POST
def login_code_resend(request: HttpRequest) -> HttpResponse:
    """ "Kirim ulang kode": a new code for the attempt, at most one a minute; the same answer whatever the
    password was, and whether or not the account's hourly cap let a code go out."""
    attempt = LoginAttempt.load(request.session)
    if attempt is None:
        return redirect("accounts:login")
    if limit_exceeded(request, "login_code"):
        messages.error(request, RATE_LIMITED_MESSAGE)
        return redirect("accounts:login_code")
    now = timezone.now()
    wait = attempt.sent_at + settings.LOGIN_CODE_RESEND_AFTER.total_seconds() - now.timestamp()
    if wait > 0:
        seconds = math.ceil(wait)
        messages.warning(
            request,
            ngettext(
                "Kode masuk baru saja dikirim. Tunggu %(seconds)s detik sebelum meminta kode baru.",
                "Kode masuk baru saja dikirim. Tunggu %(seconds)s detik sebelum meminta kode baru.",
                seconds,
            )
            % {"seconds": seconds},
        )
        return redirect("accounts:login_code")
    code = None
    user = User.objects.filter(pk=attempt.user_id or 0, is_active=True).first()
    if user is not None and constant_time_compare(user.get_session_auth_hash(), attempt.auth_hash):
        code = services.login_code_send(user=user, replaces=attempt.code_id, now=now)
    attempt.code_id = code.pk if code else None
    attempt.sent_at = now.timestamp()
    attempt.expires_at = (now + settings.LOGIN_CODE_VALIDITY).timestamp()
    attempt.guesses = 0
    attempt.save(request.session)
    messages.info(request, _("Jika email dan kata sandi yang Anda masukkan benar, kode masuk baru sudah kami kirim."))
    return redirect("accounts:login_code")


def login_locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this when an account+IP pair is locked: the login form again, with the reason."""
    form = LoginForm(request, data=request.POST or None)
    form.is_valid()
    form.errors.clear()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form.add_error(
        None,
        ngettext(
            "Terlalu banyak percobaan masuk yang gagal untuk akun ini. Demi keamanan, coba lagi dalam "
            "%(minutes)s menit, atau buat kata sandi baru lewat “Lupa kata sandi”.",
            "Terlalu banyak percobaan masuk yang gagal untuk akun ini. Demi keamanan, coba lagi dalam "
            "%(minutes)s menit, atau buat kata sandi baru lewat “Lupa kata sandi”.",
            minutes,
        )
        % {"minutes": minutes},
    )
    return render(request, "accounts/login.html", {"form": form}, status=429)


class LogoutView(auth_views.LogoutView):
    """POST logs out (a link could be forged); GET, e.g. someone typing /keluar/, asks with a button."""

    next_page = "home"
    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("home")
        return render(request, "accounts/logout_confirm.html")


def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form_valid_within_limits(request, form, "password_reset"):
        services.password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset_form.html", {"form": form})


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        # The service sets the password (ending every session of the account) and sends the notice;
        # Django's view would only save the form.
        services.password_set(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.success_url)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """ "Ganti kata sandi": this session stays logged in, every other session of the account ends."""
    form = PortalPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(
            request,
            _("Kata sandi Anda sudah diganti. Perangkat lain yang masih masuk dengan akun ini sudah dikeluarkan."),
        )
        return redirect("journey:dashboard")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
@sensitive_post_parameters("password")
@login_required
def password_confirm(request: HttpRequest) -> HttpResponse:
    """ "Konfirmasi kata sandi": the password again when a page that shows or erases all the applicant's data is
    asked for and the login is no longer recent (accounts/recent_login.py); then on to that page (``next``)."""
    next_url = safe_next(
        request,
        request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME),
        reverse("journey:dashboard"),
    )
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form_valid_within_limits(request, form, "password_confirm"):
        password_entered_stamp(request)
        return HttpResponseRedirect(next_url)
    minutes = int(settings.RECENT_LOGIN_WINDOW.total_seconds() // 60)
    context = {"form": form, "next": next_url, "window_minutes": minutes}
    return render(request, "accounts/password_confirm.html", context)


# --- Email change ---------------------------------------------------------------------------------------

EMAIL_CHANGE_MESSAGES = {
    AccountErrorCode.LINK_INVALID: _(
        "Tautan ini tidak berlaku lagi: ada permintaan yang lebih baru, atau email atau kata sandi akun diganti "
        "sesudah tautan dikirim. Email akun tidak diganti. Jika masih perlu, minta tautan baru di halaman "
        "“Ganti email”."
    ),
    AccountErrorCode.LINK_EXPIRED: _(
        "Tautan ini sudah kedaluwarsa, jadi email akun tidak diganti. Minta tautan baru di halaman “Ganti email”."
    ),
    AccountErrorCode.EMAIL_TAKEN: _(
        "Alamat email ini sudah dipakai akun lain, jadi email akun Anda tidak diganti. Jika akun itu milik Anda, "
        "masuklah dengan alamat ini (atau pakai “Lupa kata sandi”); jika tidak, pilih alamat lain di halaman "
        "“Ganti email”."
    ),
}


@sensitive_post_parameters("password")
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """ "Ganti email": the new address and the password; a link goes to the new address, a notice to the old.
    The same answer whether or not the new address has an account."""
    if request.user.is_staff and not staff_verified(request):
        # The address is how a staff account is recovered: a password alone must not move it.
        return staff_door(request, request.get_full_path())
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form_valid_within_limits(request, form, "email_change"):
        new_email = form.cleaned_data["new_email"]
        services.email_change_request(user=request.user, new_email=new_email)
        hours = int(email_change_tokens.max_age.total_seconds() // 3600)
        messages.info(
            request,
            ngettext(
                "Tautan verifikasi dikirim ke %(email)s, kecuali jika alamat itu sudah dipakai akun lain. Buka "
                "tautan itu dalam %(hours)s jam untuk menyelesaikan penggantian; sampai saat itu akun Anda tetap "
                "memakai email yang sekarang.",
                "Tautan verifikasi dikirim ke %(email)s, kecuali jika alamat itu sudah dipakai akun lain. Buka "
                "tautan itu dalam %(hours)s jam untuk menyelesaikan penggantian; sampai saat itu akun Anda tetap "
                "memakai email yang sekarang.",
                hours,
            )
            % {"email": new_email, "hours": hours},
        )
        return redirect("journey:dashboard")
    return render(request, "accounts/email_change.html", {"form": form})


def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to the new address, opened logged in or not. A session of the account opening it stays
    logged in; every other session of the account ends."""
    # Read before the change: afterwards the session's stored hash no longer matches the account's.
    signed_in = request.user.is_authenticated
    try:
        change = services.email_change_confirm(token=token)
    except AccountError as error:
        if error.code == AccountErrorCode.LINK_USED:
            messages.info(request, _("Email akun ini sudah diganti lewat tautan ini sebelumnya."))
            return redirect("journey:dashboard" if signed_in else "accounts:login")
        context = {"error_message": EMAIL_CHANGE_MESSAGES[error.code]}
        return render(request, "accounts/email_change_failed.html", context, status=400)
    user = change.user
    if signed_in:
        if request.user.pk == user.pk:
            update_session_auth_hash(request, user)
        messages.success(request, _("Email akun sudah diganti ke %(email)s.") % {"email": user.email})
        response = redirect("journey:dashboard")
    else:
        messages.success(
            request,
            _("Email akun sudah diganti ke %(email)s. Silakan masuk dengan alamat itu.") % {"email": user.email},
        )
        response = redirect("accounts:login")
    # A browser the account logged in from stays known to the login's protection under the new address.
    known_device_move(request, response, old_email=change.old_email, new_email=user.email)
    return response


# --- Staff second factor --------------------------------------------------------------------------------


def _staff_next(request: HttpRequest) -> str:
    return safe_next(
        request, request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME), reverse("admin:index")
    )


@never_cache
@login_required
def staff_otp(request: HttpRequest) -> HttpResponse:
    """After the password, a staff member enters the code from their authenticator app."""
    next_url = _staff_next(request)
    if not request.user.is_staff or staff_verified(request):
        return HttpResponseRedirect(next_url)
    if services.staff_totp_device(user=request.user) is None:
        return redirect(url_with_next("accounts:staff_otp_setup", next_url))
    form = StaffTotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.staff_totp_verify(user=request.user, token=form.cleaned_data["code"])
        except AccountError as error:
            form.add_error("code", _error_message(error))
        else:
            django_otp.login(request, device)
            return HttpResponseRedirect(next_url)
    return render(request, "accounts/staff_otp.html", {"form": form, "next": next_url})


def _qr_svg(text: str) -> str:
    # Drawn on the server as inline SVG (no script, no style attribute, no data: URL), so it works under the
    # Content-Security-Policy; SvgPathImage draws one path, a few kilobytes.
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


@never_cache
@login_required
def staff_otp_setup(request: HttpRequest) -> HttpResponse:
    """A staff member without an authenticator sets one up: scan the QR code (or type the key), confirm with
    a code it shows. Only while the account has no confirmed authenticator."""
    next_url = _staff_next(request)
    if not request.user.is_staff or staff_verified(request):
        return HttpResponseRedirect(next_url)
    if services.staff_totp_device(user=request.user) is not None:
        return redirect(url_with_next("accounts:staff_otp", next_url))
    device = services.staff_totp_setup_start(user=request.user)
    form = StaffTotpForm(request.POST or None, submit_label=_("Aktifkan autentikator"))
    if request.method == "POST" and form.is_valid():
        try:
            device = services.staff_totp_setup_confirm(user=request.user, token=form.cleaned_data["code"])
        except AccountError as error:
            form.add_error("code", _error_message(error))
        else:
            django_otp.login(request, device)
            messages.success(
                request, _("Autentikator sudah aktif. Mulai sekarang, masuk sebagai petugas meminta kodenya.")
            )
            return HttpResponseRedirect(next_url)
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        # The page holds the secret: never cached (never_cache), and never written to a log.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - made here from our own data
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/staff_otp_setup.html", context)
