"""Every write of the identity steps: KTP verification, personal data, KTP photo.

The registry is called before any transaction opens (it can take seconds, and must not hold locks); the
write that follows is short, and the database's constraints settle races (one NIK, one account).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from prakerja.crypto import IdentifierKind, pii_digest, pii_digests
from prakerja.erasure import FilesToErase, admin_log_scrub
from prakerja.text import text_clean
from regions.models import District
from uploads import ProcessedPhoto
from verification.errors import VerificationError, VerificationErrorCode
from verification.identifiers import nik_parse
from verification.models import (
    IdentityVerification,
    KtpPhoto,
    OtpCode,
    PersonalData,
    PhoneNumber,
    RetainedNikIndex,
)
from verification.registry import RegistryClient, RegistryUnavailable, registry_client

logger = logging.getLogger(__name__)


def _registry_call(client: RegistryClient | None, **query):
    try:
        return (client or registry_client()).verify(**query)
    except RegistryUnavailable:
        raise VerificationError(VerificationErrorCode.REGISTRY_UNAVAILABLE) from None


@sensitive_variables("nik", "kk", "birth_date")
def identity_verify(
    *,
    user: User,
    nik: str,
    kk: str,
    birth_date: date,
    client: RegistryClient | None = None,
    now: datetime | None = None,
) -> IdentityVerification:
    """Match NIK, KK and birth date against the registry and bind the NIK to ``user``.

    The form has already checked the numbers' form (verification/identifiers.py). Raises VerificationError
    saying which kind of problem it is, so the applicant knows whether to fix a typo, call Dukcapil,
    recover another account, or simply try again later.
    """
    if IdentityVerification.objects.filter(user=user).exists():
        raise VerificationError(VerificationErrorCode.ALREADY_DONE)
    answer = _registry_call(client, nik=nik, kk=kk, birth_date=birth_date)
    if not answer.nik_found:
        raise VerificationError(VerificationErrorCode.NIK_NOT_FOUND, fields=("nik",))
    if not answer.matched("kk"):
        raise VerificationError(VerificationErrorCode.KK_MISMATCH, fields=("kk",))
    if not answer.matched("tanggal_lahir"):
        raise VerificationError(VerificationErrorCode.BIRTH_DATE_MISMATCH, fields=("birth_date",))

    # Only now, once the registry has confirmed NIK, KK and birth date together, may the page say that the NIK
    # already has an account: asked first, it told anyone who typed a NIK (its birth date is in its digits)
    # that the person had registered. The constraint below is what keeps one NIK to one account.
    if IdentityVerification.objects.filter(nik_digest__in=pii_digests(nik, kind=IdentifierKind.NIK)).exists():
        raise VerificationError(VerificationErrorCode.NIK_TAKEN, fields=("nik",))

    try:
        with transaction.atomic():
            identity = IdentityVerification.objects.create(
                user=user,
                nik=nik,  # encrypted, and its blind index written with it (verification/models.py)
                kk=kk,
                birth_date=birth_date,
                sex=nik_parse(nik).sex,
                registry_excluded_occupation=bool(answer.excluded_occupation),
                verified_at=now or timezone.now(),
            )
            retained_nik_relink(nik=nik)
            return identity
    except IntegrityError:
        # Two requests raced: for the same account (a double submit) or for the same NIK.
        if IdentityVerification.objects.filter(user=user).exists():
            raise VerificationError(VerificationErrorCode.ALREADY_DONE) from None
        raise VerificationError(VerificationErrorCode.NIK_TAKEN, fields=("nik",)) from None


def retained_nik_relink(*, nik: str) -> int:
    """Give the retained index of a deleted recipient's NIK (``RetainedNikIndex``) back its blind index under the
    current key when that NIK is verified again, so the rules recognise the past recipient.

    ``pii_reindex`` cannot recompute that index (the NIK is gone) and empties it when no account holds the NIK;
    its seal, matched here with the NIK in hand, finds the row again. The seal is brought to the newest
    generation while at it. Returns how many rows were relinked (0 or 1)."""
    field = RetainedNikIndex._meta.get_field("nik_seal")
    digest = pii_digest(nik, kind=IdentifierKind.NIK)
    return (
        RetainedNikIndex.objects.filter(field.matching(nik))
        .exclude(nik_digest=digest)
        .update(nik_digest=digest, **field.sealed(nik))
    )


@dataclass(frozen=True)
class PersonalDataInput:
    full_name: str
    mother_name: str
    address: str
    district: District
    sex: str
    education: str
    marital_status: str
    dependents: int
    training_topic: str


def personal_data_save(
    *,
    user: User,
    data: PersonalDataInput,
    client: RegistryClient | None = None,
    now: datetime | None = None,
) -> PersonalData:
    """Save the applicant's data once the registry confirms both names; the sex must be the NIK's.

    Names and address are cleaned (prakerja.text) before they are sent and stored, whoever the caller."""
    full_name, mother_name = text_clean(data.full_name), text_clean(data.mother_name)
    address = text_clean(data.address)
    identity = IdentityVerification.objects.filter(user=user).first()
    if identity is None:
        raise VerificationError(VerificationErrorCode.PREVIOUS_STEP_MISSING)
    if PersonalData.objects.filter(user=user).exists():
        raise VerificationError(VerificationErrorCode.ALREADY_DONE)
    if data.sex != identity.sex:
        raise VerificationError(VerificationErrorCode.SEX_MISMATCH, fields=("sex",))

    answer = _registry_call(client, nik=identity.nik, full_name=full_name, mother_name=mother_name)
    wrong = tuple(
        field
        for field, registry_field in (("full_name", "nama_lengkap"), ("mother_name", "nama_ibu"))
        if not answer.matched(registry_field)
    )
    if wrong:
        raise VerificationError(VerificationErrorCode.NAME_MISMATCH, fields=wrong)

    try:
        with transaction.atomic():
            return PersonalData.objects.create(
                user=user,
                full_name=full_name,
                mother_name=mother_name,
                address=address,
                district=data.district,
                sex=data.sex,
                education=data.education,
                marital_status=data.marital_status,
                dependents=data.dependents,
                training_topic=data.training_topic,
                completed_at=now or timezone.now(),
            )
    except IntegrityError:
        raise VerificationError(VerificationErrorCode.ALREADY_DONE) from None


def ktp_photo_save(*, user: User, photo: ProcessedPhoto, now: datetime | None = None) -> KtpPhoto:
    """Store the re-encoded photo privately (never the uploaded file or its name)."""
    if not PersonalData.objects.filter(user=user).exists():
        raise VerificationError(VerificationErrorCode.PREVIOUS_STEP_MISSING)
    if KtpPhoto.objects.filter(user=user).exists():
        raise VerificationError(VerificationErrorCode.ALREADY_DONE)
    record = KtpPhoto(
        user=user,
        width=photo.width,
        height=photo.height,
        size_bytes=len(photo.content),
        original_bytes=photo.original_bytes,
        original_kind=photo.original_kind,
        from_camera=photo.from_camera,
        camera=photo.camera[:100],
        uploaded_at=now or timezone.now(),
    )
    record.image.save("ktp.jpg", ContentFile(photo.content), save=False)
    record.thumbnail.save("thumbnail.jpg", ContentFile(photo.thumbnail), save=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # A double submit: the first one won; the files this one wrote belong to nobody.
        record.image.delete(save=False)
        record.thumbnail.delete(save=False)
        raise VerificationError(VerificationErrorCode.ALREADY_DONE) from None
    return record


# --- Erasure (journey.services.account_delete, docs/PRIVACY.md) ------------------------------------------------


def verification_erase_for(*, user: User, recipient: bool = False, now: datetime | None = None) -> FilesToErase:
    """Delete everything the identity steps hold about ``user``: the NIK and KK (ciphertexts and blind indexes:
    the NIK is free for a new account from the commit on), birth date, names, mother's name, address and the
    other personal data, the KTP photo's row, the phone number and every OTP code. Returns the photo's files
    for the caller to delete with the rest, at the end of its transaction.

    Nothing else refers to these rows: the program's records (cards, results) carry their own copy of what
    they must keep (the KK's index on a card, see waves.services.waves_erase_for). For a ``recipient`` (given a
    card) the NIK's blind index alone is kept, unlinked (``RetainedNikIndex``), so that a new account with the
    same NIK is still a past recipient to the rules.
    """
    files = FilesToErase()
    identity = IdentityVerification.objects.filter(user=user).first()
    if recipient and identity is not None:
        seal = RetainedNikIndex._meta.get_field("nik_seal").sealed(identity.nik)
        RetainedNikIndex.objects.update_or_create(
            nik_digest=identity.nik_digest,
            defaults=seal,
            create_defaults={**seal, "retained_at": now or timezone.now()},
        )
    for photo in KtpPhoto.objects.filter(user=user):
        files.add(photo.image)
        files.add(photo.thumbnail)
    for model in (IdentityVerification, PersonalData, KtpPhoto, PhoneNumber, OtpCode):
        rows = model.objects.filter(user=user)
        admin_log_scrub(model=model, pks=rows.values_list("pk", flat=True))
        rows.delete()
    return files
