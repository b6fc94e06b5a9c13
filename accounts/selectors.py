"""Reads of the accounts app that pages of other apps, or more than one view, need."""

from accounts.models import PrivacyPolicyText, TermsText


def privacy_policy_text_current() -> PrivacyPolicyText | None:
    return PrivacyPolicyText.objects.filter(is_current=True).first()


def terms_text_current() -> TermsText | None:
    return TermsText.objects.filter(is_current=True).first()
