"""Reads of the accounts app that pages of other apps, or more than one view, need."""

from dataclasses import dataclass

from accounts.models import EmailChange, LoginCode, PrivacyPolicyText, TermsText, User
from prakerja.shared_cache import shared_read


def privacy_policy_text_current() -> PrivacyPolicyText | None:
    return PrivacyPolicyText.objects.filter(is_current=True).first()


def terms_text_current() -> TermsText | None:
    return TermsText.objects.filter(is_current=True).first()


def privacy_policy_text_shown() -> PrivacyPolicyText | None:
    """The current privacy policy for its public page, from the shared cache (prakerja/shared_cache.py)."""
    return shared_read("texts", "accounts.PrivacyPolicyText", privacy_policy_text_current)


def terms_text_shown() -> TermsText | None:
    """The current terms for their public page, from the shared cache."""
    return shared_read("texts", "accounts.TermsText", terms_text_current)


@dataclass(frozen=True)
class AccountRecord:
    """What the accounts app holds about an applicant beyond the account row, for "Data saya"."""

    email_changes: list[EmailChange]
    login_codes: list[LoginCode]


def account_record_for(*, user: User) -> AccountRecord:
    return AccountRecord(
        email_changes=list(EmailChange.objects.filter(user=user).order_by("-created_at", "-pk")),
        login_codes=list(LoginCode.objects.filter(user=user).order_by("-created_at", "-pk")),
    )
