from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.recent_login import password_entered_at_login
        from prakerja.middleware import session_stamp

        # Every way in (the login page, the admin's, a password reset) starts the session's clocks.
        user_logged_in.connect(session_stamp, dispatch_uid="prakerja.session_stamp")
        # ... and is a password entered, which "Data saya" and deleting the account ask to be recent.
        user_logged_in.connect(password_entered_at_login, dispatch_uid="accounts.password_entered_at_login")

        from accounts.models import PrivacyPolicyText, TermsText
        from prakerja.shared_cache import shared_invalidate_on

        shared_invalidate_on("texts", (PrivacyPolicyText, TermsText))
