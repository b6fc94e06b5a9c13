"""Sign-up, email verification, login/logout and password reset.

Views check input and abuse limits, call one service, then redirect or re-render; the services in
accounts/services.py hold the rules.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_POST

from accounts import services
from accounts.errors import AccountError, AccountErrorCode
from accounts.forms import LoginForm, NewPasswordForm, PasswordResetRequestForm, SignupForm
from prakerja.ratelimits import RATE_LIMITED_MESSAGE, form_valid_within_limits, limit_exceeded

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
}


def _error_message(error: AccountError) -> str:
    return ERROR_MESSAGES[error.code] % error.params if error.params else str(ERROR_MESSAGES[error.code])


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("journey:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form_valid_within_limits(request, form, "signup"):
        services.user_signup(email=form.cleaned_data["email"], password=form.cleaned_data["password1"])
        # The same page whether or not the address already had an account.
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html", {"email": request.session.get("signup_email")})


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
        messages.success(request, _("Tautan verifikasi baru sudah dikirim ke %(email)s.") % {"email": request.user.email})
    return redirect("journey:dashboard")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.get_form()
        if form_valid_within_limits(request, form, "login"):
            return self.form_valid(form)
        return self.form_invalid(form)


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


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
