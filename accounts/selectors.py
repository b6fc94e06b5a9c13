"""Reads of the accounts app that pages of other apps, or more than one view, need."""

from dataclasses import dataclass

from django.db.models import OuterRef

from accounts.models import EmailChange, LoginCode, PrivacyPolicyText, TermsText, User
from prakerja.json_rows import json_rows, rows_from_json
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

    privacy_policy_version: int | None  # of the text accepted at sign-up
    terms_version: int | None
    email_changes: list[EmailChange]  # newest first
    login_codes: list[LoginCode]  # newest first


def account_record_for(*, user: User) -> AccountRecord:
    """In one query, however long the history: the account row with the versions of the texts it accepted, and its
    email changes and login codes each as a JSON list (prakerja/json_rows.py)."""
    row = (
        User.objects.filter(pk=user.pk)
        .values(
            "privacy_policy_text__version",
            "terms_text__version",
            email_change_rows=json_rows(
                EmailChange.objects.filter(user=OuterRef("pk")), "old_email", "new_email", "created_at", "confirmed_at"
            ),
            login_code_rows=json_rows(LoginCode.objects.filter(user=OuterRef("pk")), "created_at", "used_at"),
        )
        .get()
    )
    newest_first = ("-created_at", "-pk")
    return AccountRecord(
        privacy_policy_version=row["privacy_policy_text__version"],
        terms_version=row["terms_text__version"],
        email_changes=rows_from_json(EmailChange, row["email_change_rows"], order_by=newest_first),
        login_codes=rows_from_json(LoginCode, row["login_code_rows"], order_by=newest_first),
    )
