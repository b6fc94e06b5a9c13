"""Reads of the identity steps for other apps (the journey, later waves)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from accounts.models import User
from prakerja.crypto import IdentifierKind, pii_decrypt, pii_digest
from verification.models import IdentityVerification, KtpPhoto, PersonalData, PhoneNumber


@dataclass(frozen=True)
class VerificationProgress:
    identity: bool
    personal_data: bool
    ktp_photo: bool
    phone: bool


def verification_progress(*, user: User) -> VerificationProgress:
    """Which identity steps ``user`` has done, in one query."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_identity=Exists(IdentityVerification.objects.filter(user=OuterRef("pk"))),
            has_personal_data=Exists(PersonalData.objects.filter(user=OuterRef("pk"))),
            has_ktp_photo=Exists(KtpPhoto.objects.filter(user=OuterRef("pk"))),
            has_phone=Exists(PhoneNumber.objects.filter(user=OuterRef("pk"))),
        )
        .values("has_identity", "has_personal_data", "has_ktp_photo", "has_phone")
        .first()
    )
    return VerificationProgress(
        identity=row["has_identity"],
        personal_data=row["has_personal_data"],
        ktp_photo=row["has_ktp_photo"],
        phone=row["has_phone"],
    )


def niks_in_use(niks: list[str]) -> set[str]:
    """Which of ``niks`` an account already holds, found through the blind index (one query)."""
    by_digest = {pii_digest(nik, kind=IdentifierKind.NIK): nik for nik in niks}
    used = IdentityVerification.objects.filter(nik_digest__in=by_digest).values_list("nik_digest", flat=True)
    return {by_digest[digest] for digest in used}


@dataclass(frozen=True)
class IdentitySummary:
    """What the dashboard shows the applicant about themselves (their own NIK in full: it is theirs)."""

    nik: str | None
    full_name: str | None
    phone: str | None


def identity_summary(*, user: User) -> IdentitySummary:
    row = (
        User.objects.filter(pk=user.pk)
        .values("identity__nik_encrypted", "personal_data__full_name", "phone__number")
        .first()
    )
    encrypted = row["identity__nik_encrypted"]
    return IdentitySummary(
        nik=pii_decrypt(encrypted) if encrypted else None,
        full_name=row["personal_data__full_name"],
        phone=row["phone__number"],
    )
