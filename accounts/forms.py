from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.validators import RegexValidator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import PrivacyPolicyText, TermsText, User, normalize_email
from prakerja.forms import ErrorSummaryForm, submit_helper


class SignupForm(ErrorSummaryForm, forms.Form):
    required_messages = {
        "email": _("Masukkan alamat email Anda."),
        "password1": _("Buat kata sandi untuk akun Anda."),
        "password2": _("Ulangi kata sandi yang sama."),
    }
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
        help_text=_("Gunakan email aktif: tautan verifikasi dikirim ke sini."),
    )
    password1 = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 8 karakter, jangan hanya angka dan jangan yang mudah ditebak."),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    terms = forms.BooleanField(
        label=_("Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi"),
        error_messages={"required": _("Centang persetujuan Syarat dan Ketentuan untuk melanjutkan.")},
    )
    # The versions the page linked to, so the account records what its owner was shown even if a new version
    # is published while the form is open. Text, not numbers: a value that is not a version number is read
    # as "not said" rather than turned into an error on a field nobody can see.
    privacy_policy_version = forms.CharField(widget=forms.HiddenInput, required=False)
    terms_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, privacy_policy: PrivacyPolicyText | None = None, terms: TermsText | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Daftar"))
        if privacy_policy is not None:
            self.fields["privacy_policy_version"].initial = privacy_policy.version
        if terms is not None:
            self.fields["terms_version"].initial = terms.version
        if privacy_policy is not None and terms is not None:
            self.fields["terms"].help_text = _public_texts_help()

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def _version(self, name: str) -> int | None:
        value = self.cleaned_data.get(name) or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

    def clean_privacy_policy_version(self) -> int | None:
        return self._version("privacy_policy_version")

    def clean_terms_version(self) -> int | None:
        return self._version("terms_version")

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Kata sandi yang diulang tidak sama."))
        elif password1:
            try:
                password_validation.validate_password(password1, user=User(email=cleaned.get("email", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _public_texts_help() -> str:
    """Links to both texts from the checkbox, opened in a new tab so the half-filled form stays as it is."""

    def link(url_name: str, words: str) -> str:
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', reverse(url_name), words)

    # The translated sentence is escaped like any text; only the two links are markup.
    sentence = escape(_("Baca %(terms)s dan %(privacy)s (terbuka di tab baru)."))
    return mark_safe(  # noqa: S308
        sentence
        % {
            "terms": link("accounts:terms", _("Syarat dan Ketentuan")),
            "privacy": link("accounts:privacy_policy", _("Kebijakan Privasi")),
        }
    )


class LoginForm(ErrorSummaryForm, AuthenticationForm):
    required_messages = {
        "username": _("Masukkan email akun Anda."),
        "password": _("Masukkan kata sandi akun Anda."),
    }
    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": _("Email atau kata sandi salah. Periksa kembali, atau pakai “Lupa kata sandi”."),
        "inactive": _("Akun ini tidak aktif."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Masuk"))

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data["username"])


class LoginFieldsForm(LoginForm):
    """The login form's fields only, for an account in step-up: the password is checked by the view without
    telling the result (accounts/login_guard.py), so this form must not authenticate."""

    def clean(self) -> dict:
        return self.cleaned_data


def _code_field(label: str, length: int, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=length,
        max_length=length,
        help_text=help_text,
        validators=[RegexValidator(rf"^\d{{{length}}}$", _("Masukkan %(length)s angka.") % {"length": length})],
        error_messages={
            "required": required_message,
            "min_length": _("Masukkan %(length)s angka.") % {"length": length},
            "max_length": _("Masukkan %(length)s angka.") % {"length": length},
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "maxlength": length}
        ),
    )


class LoginCodeForm(ErrorSummaryForm, forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"] = _code_field(
            _("Kode masuk"), settings.LOGIN_CODE_LENGTH, _("Masukkan kode masuk dari email yang kami kirim.")
        )
        self.helper = submit_helper(_("Masuk"))

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class StaffTotpForm(ErrorSummaryForm, forms.Form):
    def __init__(self, *args, submit_label: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"] = _code_field(
            _("Kode autentikator"),
            6,
            _("Masukkan kode dari aplikasi autentikator Anda."),
            _("Enam angka yang sedang tampil di aplikasi autentikator Anda."),
        )
        self.helper = submit_helper(submit_label or _("Lanjutkan"))


class PortalPasswordChangeForm(ErrorSummaryForm, PasswordChangeForm):
    required_messages = {
        "old_password": _("Masukkan kata sandi Anda saat ini."),
        "new_password1": _("Buat kata sandi baru."),
        "new_password2": _("Ulangi kata sandi baru yang sama."),
    }
    error_messages = {
        "password_incorrect": _("Kata sandi saat ini salah. Periksa kembali, atau pakai “Lupa kata sandi”."),
        "password_mismatch": _("Kata sandi yang diulang tidak sama."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Kata sandi saat ini")
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password1"].help_text = _(
            "Minimal 8 karakter, jangan hanya angka dan jangan yang mudah ditebak."
        )
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")
        self.helper = submit_helper(_("Simpan kata sandi"))


class CurrentPasswordForm(ErrorSummaryForm, forms.Form):
    """For a change a session left open on a shared phone or computer must not make alone: the account's
    password, checked against ``user``. Subclasses say in ``password_help`` what it protects."""

    password = forms.CharField(
        label=_("Kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    password_help = ""
    required_messages = {"password": _("Masukkan kata sandi akun Anda.")}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"].help_text = self.password_help

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Kata sandi salah."), code="password_incorrect")
        return password


class EmailChangeForm(CurrentPasswordForm):
    """ "Ganti email": the new address, and the password, so a session left open on a shared computer cannot
    move the account (its logins, codes and reset links) to another address."""

    new_email = forms.EmailField(
        label=_("Email baru"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
        help_text=_("Tautan verifikasi dikirim ke sini. Email akun baru diganti setelah tautan itu dibuka."),
    )
    password_help = _("Kata sandi akun Anda, untuk memastikan Anda sendiri yang mengganti email.")
    field_order = ["new_email", "password"]
    required_messages = {**CurrentPasswordForm.required_messages, "new_email": _("Masukkan alamat email baru.")}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.helper = submit_helper(_("Kirim tautan verifikasi"))

    def clean_new_email(self) -> str:
        new_email = normalize_email(self.cleaned_data["new_email"])
        if new_email == self.user.email:
            raise forms.ValidationError(_("Ini sudah email akun Anda. Tulis alamat yang baru."), code="same_email")
        return new_email


class PasswordConfirmForm(CurrentPasswordForm):
    """ "Konfirmasi kata sandi": the password again, before a page that shows or erases all the applicant's data
    when the login is no longer recent (accounts/recent_login.py)."""

    password_help = _("Demi keamanan data Anda, masukkan lagi kata sandi akun Anda.")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["password"].widget.attrs["autofocus"] = True
        self.helper = submit_helper(_("Lanjutkan"))


class AccountDeleteForm(CurrentPasswordForm):
    """ "Hapus akun": the password, so that a session left open cannot erase the account."""

    password_help = _("Kata sandi akun Anda, untuk memastikan Anda sendiri yang menghapus akun ini.")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.helper = submit_helper(_("Hapus akun"))
        # Red, not the portal's blue: this button cannot be undone.
        self.helper.inputs[0].field_classes = "btn btn-danger w-100 btn-lg"


class PasswordResetRequestForm(ErrorSummaryForm, forms.Form):
    required_messages = {"email": _("Masukkan email akun Anda.")}
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Kirim tautan"))

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class NewPasswordForm(ErrorSummaryForm, SetPasswordForm):
    required_messages = {
        "new_password1": _("Buat kata sandi baru."),
        "new_password2": _("Ulangi kata sandi baru yang sama."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")
        self.helper = submit_helper(_("Simpan kata sandi"))


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account django-axes counts failures against: the email as stored, whatever its case. At most 254
    characters, an email's limit: axes stores it in a 255-character column, and a longer name, from any form
    that does not bound it, must not turn a failed login into an error."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return normalize_email(raw[:254])
