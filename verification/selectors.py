"""Reads of the identity steps for other apps (the journey, later waves)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from prakerja.crypto import IdentifierKind, pii_decrypt, pii_digests
from prakerja.json_rows import json_rows, rows_from_json
from verification.identifiers import full_number, identifier_mask
from verification.models import IdentityVerification, KtpPhoto, OtpCode, PersonalData, PhoneNumber
from verification.phones import PhoneError, phone_normalize


@dataclass(frozen=True)
class IdentitySummary:
    """What the dashboard shows the applicant about themselves. The NIK only masked (3273••••••••0001): a
    dashboard is left open on shared phones and in screenshots, so the full number is shown on "Data saya"
    alone (DESIGN §8); there is deliberately no property that gives it here."""

    nik_encrypted: str | None
    full_name: str | None
    phone: str | None

    @property
    def nik_masked(self) -> str | None:
        return identifier_mask(pii_decrypt(self.nik_encrypted)) if self.nik_encrypted else None


@dataclass(frozen=True)
class VerificationProgress:
    identity: bool
    personal_data: bool
    ktp_photo: bool
    phone: bool
    summary: IdentitySummary


def verification_progress(*, user: User) -> VerificationProgress:
    """Which identity steps ``user`` has done, and what the dashboard shows of them, in one query."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(has_ktp_photo=Exists(KtpPhoto.objects.filter(user=OuterRef("pk"))))
        .values("identity__nik_encrypted", "personal_data__full_name", "phone__number", "has_ktp_photo")
        .first()
    )
    summary = IdentitySummary(
        nik_encrypted=row["identity__nik_encrypted"],
        full_name=row["personal_data__full_name"],
        phone=row["phone__number"],
    )
    return VerificationProgress(
        identity=summary.nik_encrypted is not None,
        personal_data=summary.full_name is not None,
        ktp_photo=row["has_ktp_photo"],
        phone=summary.phone is not None,
        summary=summary,
    )


def niks_in_use(niks: list[str]) -> set[str]:
    """Which of ``niks`` an account already holds, found through the blind index (one query)."""
    by_digest = {digest: nik for nik in niks for digest in pii_digests(nik, kind=IdentifierKind.NIK)}
    used = IdentityVerification.objects.filter(nik_digest__in=by_digest).values_list("nik_digest", flat=True)
    return {by_digest[digest] for digest in used}


def applicants_by_number(typed: str, *, path: str = "") -> Q | None:
    """The applicants a full NIK, KK or mobile number typed by staff names, as a filter on the rows reaching the
    applicant through ``path`` (``"user__"`` from a row with a ``user``, ``""`` on accounts): matched through the
    blind indexes, as the columns are encrypted. None when ``typed`` is none of these (search the email then)."""
    number = full_number(typed)
    if number:
        return Q(**{f"{path}identity__nik_digest__in": pii_digests(number, kind=IdentifierKind.NIK)}) | Q(
            **{f"{path}identity__kk_digest__in": pii_digests(number, kind=IdentifierKind.KK)}
        )
    if "@" in typed or not any(character.isdigit() for character in typed):
        return None
    try:
        phone = phone_normalize(typed)
    except PhoneError:
        return None
    return Q(**{f"{path}phone__number_digest__in": pii_digests(phone, kind=IdentifierKind.PHONE)})


def domicile_province_id(*, user: User) -> str | None:
    """The province of the applicant's domicile (decides which waves they may join), or None before step 3."""
    return PersonalData.objects.filter(user=user).values_list("district__regency__province_id", flat=True).first()


@dataclass(frozen=True)
class Particulars:
    """Who the applicant is, as printed on a letter they sign (their own NIK in full: the letter is theirs)."""

    full_name: str
    nik: str
    email: str
    phone: str
    address: str  # the street address as on the KTP, then the domicile's district, regency and province
    city: str  # the domicile's regency or city, where a letter is signed ("Kota Depok")


def applicant_particulars(*, user: User) -> Particulars | None:
    """The applicant's name, NIK, email, phone and address in one query; None before the identity steps."""
    row = (
        User.objects.filter(pk=user.pk, identity__isnull=False, personal_data__isnull=False)
        .values(
            "email",
            "identity__nik_encrypted",
            "personal_data__full_name",
            "personal_data__address",
            "personal_data__district__name",
            "personal_data__district__regency__name",
            "personal_data__district__regency__province__name",
            "phone__number",
        )
        .first()
    )
    if row is None:
        return None
    place = ", ".join(
        (
            "Kec. " + row["personal_data__district__name"],
            row["personal_data__district__regency__name"],
            row["personal_data__district__regency__province__name"],
        )
    )
    return Particulars(
        full_name=row["personal_data__full_name"],
        nik=pii_decrypt(row["identity__nik_encrypted"]),
        email=row["email"],
        phone=row["phone__number"] or "",
        address=f"{' '.join(row['personal_data__address'].split())}, {place}",
        city=row["personal_data__district__regency__name"],
    )


def ktp_photo_for_viewer(*, pk: int, viewer: User) -> KtpPhoto | None:
    """The KTP photo ``pk`` if ``viewer`` may see it (its owner, or a holder of ``verification.view_ktpphoto``),
    else ``None`` — the same answer as for a photo that does not exist."""
    photo = KtpPhoto.objects.filter(pk=pk).first()
    if photo is None or not (photo.user_id == viewer.pk or viewer.has_perm("verification.view_ktpphoto")):
        return None
    return photo


@dataclass(frozen=True)
class VerificationRecord:
    """Everything the identity steps hold about an applicant, for "Data saya" and its download."""

    identity: IdentityVerification | None
    personal_data: PersonalData | None
    ktp_photo: KtpPhoto | None
    phone: PhoneNumber | None
    otp_codes: list[OtpCode]  # every code sent, to whichever number, newest first


def verification_record_for(*, user: User) -> VerificationRecord:
    """In one query, however many codes were sent: the account row with each identity step's row (one-to-one,
    joined) and the codes sent as a JSON list (prakerja/json_rows.py)."""
    row = (
        User.objects.filter(pk=user.pk)
        .select_related("identity", "personal_data__district__regency__province", "ktp_photo", "phone")
        .annotate(
            otp_code_rows=json_rows(OtpCode.objects.filter(user=OuterRef("pk")), "number", "created_at", "used_at")
        )
        .get()
    )
    return VerificationRecord(
        # A step not done yet has no row: the joined relation raises DoesNotExist (an AttributeError), no query.
        identity=getattr(row, "identity", None),
        personal_data=getattr(row, "personal_data", None),
        ktp_photo=getattr(row, "ktp_photo", None),
        phone=getattr(row, "phone", None),
        otp_codes=rows_from_json(OtpCode, row.otp_code_rows, order_by=("-created_at", "-pk")),
    )
