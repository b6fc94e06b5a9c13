"""Steps 2 to 5: the KTP verified against the registry, personal data, the KTP photo, the phone number; and the
forms of those steps as a person fills them in."""

from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from prakerja.crypto import pii_encrypt
from tests.factories.registry import ResidentFactory
from verification.identifiers import nik_parse
from verification.models import IdentityVerification, KtpPhoto, PersonalData, PhoneNumber


def _a_month_ago():
    return timezone.now() - timedelta(days=30)


class IdentityVerificationFactory(factory.django.DjangoModelFactory):
    """Step 2 through identity_verify: ``resident``'s NIK, KK and birth date matched by the registry and bound to
    ``user`` (its digest is the blind index of that NIK, as the service writes it).

    ``IdentityVerificationFactory.build(user=..., resident=None, nik=..., kk=..., birth_date=...)`` gives the row
    the service would write for those numbers, unsaved, for the bulk builders (tests/factories/waves.py)."""

    class Meta:
        model = IdentityVerification

    class Params:
        resident = factory.SubFactory(ResidentFactory)
        nik = factory.LazyAttribute(lambda o: o.resident.nik)
        kk = factory.LazyAttribute(lambda o: o.resident.family_id)

    user = None
    # The blind indexes follow when the row is written (verification/models.py).
    nik_encrypted = factory.LazyAttribute(lambda o: pii_encrypt(o.nik))
    kk_encrypted = factory.LazyAttribute(lambda o: pii_encrypt(o.kk))
    birth_date = factory.LazyAttribute(lambda o: o.resident.birth_date)
    sex = factory.LazyAttribute(lambda o: nik_parse(o.nik).sex)
    registry_excluded_occupation = False
    verified_at = factory.LazyFunction(_a_month_ago)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from verification.services import identity_verify

        row = model_class(*args, **kwargs)  # unsaved: the numbers it holds, asked of the registry for real
        return identity_verify(user=row.user, nik=row.nik, kk=row.kk, birth_date=row.birth_date, now=row.verified_at)


class PersonalDataFactory(factory.django.DjangoModelFactory):
    """Step 3 through personal_data_save: the names are the registry's (checked by it), the sex the NIK's, the
    domicile Kota Depok's Pancoran Mas unless ``district`` says otherwise."""

    class Meta:
        model = PersonalData

    user = None
    full_name = "Siti Aminah"
    mother_name = "Nurhayati"
    address = "Jl. Merdeka 1"
    district = factory.LazyFunction(lambda: district_get("32.76.01"))
    sex = factory.LazyAttribute(lambda o: o.user.identity.sex)
    education = "sma"
    marital_status = "kawin"
    dependents = 1
    training_topic = "kuliner"
    completed_at = factory.LazyFunction(_a_month_ago)

    @classmethod
    def _create(cls, model_class, *args, user, completed_at, **fields):
        from verification.services import PersonalDataInput, personal_data_save

        return personal_data_save(user=user, data=PersonalDataInput(**fields), now=completed_at)


def district_get(code: str):
    """A kecamatan of the regions table (loaded by a migration), by its Kemendagri code."""
    from regions.models import District

    return District.objects.get(pk=code)


class KtpPhotoFactory(factory.django.DjangoModelFactory):
    """Step 4: the photo's row, pointing at files that are not there (most tests never open them).

    ``stored=True`` stores a real phone photo through ktp_photo_save instead, files and all: point
    PRIVATE_MEDIA_ROOT at a temporary folder first (the ``private_media`` fixture)."""

    class Meta:
        model = KtpPhoto

    user = None
    stored = False
    image = factory.LazyAttribute(lambda o: f"ktp/{o.user.pk}.jpg")
    thumbnail = factory.LazyAttribute(lambda o: f"ktp/thumbnails/{o.user.pk}.jpg")
    width = 1600
    height = 1000
    size_bytes = 300_000
    original_bytes = 3_000_000
    original_kind = "jpeg"
    from_camera = True
    camera = "samsung SM-A515F"
    uploaded_at = factory.LazyFunction(_a_month_ago)

    @classmethod
    def _create(cls, model_class, *args, stored, **kwargs):
        if not stored:
            return super()._create(model_class, *args, **kwargs)
        from tests.uploads_catalogue import phone_photo
        from uploads import ktp_photo_process
        from verification.services import ktp_photo_save

        upload = SimpleUploadedFile("ktp.jpg", phone_photo(), content_type="image/jpeg")
        return ktp_photo_save(user=kwargs["user"], photo=ktp_photo_process(upload), now=kwargs["uploaded_at"])

    @classmethod
    def _build(cls, model_class, *args, stored, **kwargs):
        return super()._build(model_class, *args, **kwargs)


class PhoneNumberFactory(factory.django.DjangoModelFactory):
    """Step 5's outcome: a verified number. Written straight into the table; sending and checking codes (and
    the SMS they leave in the outbox) is the OTP tests' business, and a verified number holds nothing else."""

    class Meta:
        model = PhoneNumber

    user = None
    number = factory.LazyAttribute(lambda o: f"+62812{o.user.pk:08d}")
    verified_at = factory.LazyFunction(_a_month_ago)


# --- The steps' forms, as a person fills them in ---------------------------------------------------------


def ktp_data(resident, **overrides) -> dict:
    """The KTP step's form (step 2) for ``resident``."""
    data = {"nik": resident.nik, "kk": resident.family_id, "birth_date": resident.birth_date.isoformat()}
    data.update(overrides)
    return data


def personal_data(**overrides) -> dict:
    """The personal data step's form (step 3) for the default resident, Siti Aminah of Kota Depok."""
    data = {
        "full_name": "Siti Aminah",
        "mother_name": "Nurhayati",
        "address": "Jl. Merdeka No. 1, RT 001/RW 002, Pancoran Mas",
        "province": "32",
        "regency": "32.76",
        "district": "32.76.01",
        "sex": "P",
        "education": "sma",
        "marital_status": "belum_kawin",
        "dependents": "1",
        "training_topic": "pemasaran_digital",
        "truthful": "on",
    }
    data.update(overrides)
    return data
