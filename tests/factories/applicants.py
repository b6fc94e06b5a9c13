"""An applicant at any step of the journey (DESIGN §2), walked there through the portal's own services.

    ApplicantFactory()                          # email verified; next: Verifikasi KTP (step 2)
    ApplicantFactory(new_account=True)          # signed up, the email not verified yet (step 1)
    ApplicantFactory(identity_verified=True)    # the NIK matched the registry; next: Data diri
    ApplicantFactory(phone_verified=True)       # steps 1-5 done; next: the declaration
    ApplicantFactory(test_passed=True)          # steps 1-7 done; may join a wave
    ApplicantFactory(joined=True, wave=wave)    # joined ``wave`` through enrollment_join (default: an open wave)
    ApplicantFactory(not_selected=True)         # lost a past, announced wave to a rival (also: selected=True)

Each step's options go to that step, factory-boy style: ``resident__birth_date=date(2008, 12, 9)``,
``resident__occupation="KEPOLISIAN RI (POLRI)"``, ``resident__family__kk=...`` (the registry record),
``domicile="31.71.01"``, ``personal_data__address=...``, ``ktp_photo__stored=True`` (real files),
``declaration__in_formal_education=True``, ``declaration__other_aid=["bsu"]``, ``attempt__passed=False``.
"""

from datetime import timedelta
from enum import IntEnum

import factory
from django.utils import timezone

from tests.factories.accounts import UserFactory
from tests.factories.assessment import AttemptFactory, DeclarationFactory
from tests.factories.registry import ResidentFactory
from tests.factories.verification import (
    IdentityVerificationFactory,
    KtpPhotoFactory,
    PersonalDataFactory,
    PhoneNumberFactory,
    district_get,
)


class Step(IntEnum):
    """How far an applicant has come; each includes the ones before it."""

    NEW_ACCOUNT = 1  # signed up, the email not verified
    EMAIL_VERIFIED = 2
    IDENTITY_VERIFIED = 3  # KTP: NIK, KK and birth date matched by the registry
    PERSONAL_DATA = 4
    KTP_PHOTO = 5
    PHONE_VERIFIED = 6
    DECLARED = 7  # the declaration accepted (eligible unless its answers say otherwise)
    TEST_TAKEN = 8  # passed, unless attempt__passed=False
    JOINED = 9  # enrolled in ``wave``, waiting for its selection


def _reached(step: Step):
    return factory.LazyAttribute(lambda o: o.step >= step)


class ApplicantFactory(UserFactory):
    """See the module's docstring. The steps are dated as the clock's now would have them: identity, data,
    photo and phone 30 days ago, the declaration 25, the test 20."""

    class Meta:
        skip_postgeneration_save = True

    class Params:
        new_account = factory.Trait(step=Step.NEW_ACCOUNT)
        identity_verified = factory.Trait(step=Step.IDENTITY_VERIFIED)
        personal_data_done = factory.Trait(step=Step.PERSONAL_DATA)
        ktp_photo_done = factory.Trait(step=Step.KTP_PHOTO)
        phone_verified = factory.Trait(step=Step.PHONE_VERIFIED)
        declared = factory.Trait(step=Step.DECLARED)
        test_passed = factory.Trait(step=Step.TEST_TAKEN)
        test_failed = factory.Trait(step=Step.TEST_TAKEN, attempt__passed=False)
        joined = factory.Trait(step=Step.JOINED)
        selected = factory.Trait(step=Step.TEST_TAKEN, outcome="selected")
        not_selected = factory.Trait(step=Step.TEST_TAKEN, outcome="not_selected")

    step = Step.EMAIL_VERIFIED
    email_verified_at = factory.Maybe(_reached(Step.EMAIL_VERIFIED), factory.LazyFunction(timezone.now), None)
    domicile = "32.76.01"  # Pancoran Mas, Kota Depok, Jawa Barat: where the resident lives and the waves' quota is
    resident = factory.Maybe(
        _reached(Step.IDENTITY_VERIFIED),
        factory.SubFactory(ResidentFactory, district_code=factory.SelfAttribute("..domicile")),
        None,
    )
    personal_data = factory.Dict({})
    ktp_photo = factory.Dict({})
    declaration = factory.Dict({})
    attempt = factory.Dict({})
    wave = factory.Maybe(
        _reached(Step.JOINED), factory.SubFactory("tests.factories.waves.WaveFactory", open=True), None
    )
    outcome = None

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        step,
        domicile,
        resident,
        personal_data,
        ktp_photo,
        declaration,
        attempt,
        wave,
        outcome,
        **fields,
    ):
        user = super()._create(model_class, *args, **fields)
        if step >= Step.IDENTITY_VERIFIED:
            IdentityVerificationFactory(user=user, resident=resident)
        if step >= Step.PERSONAL_DATA:
            names = {"full_name": resident.full_name, "mother_name": resident.mother_name}
            PersonalDataFactory(user=user, **{**names, "district": district_get(domicile), **personal_data})
        if step >= Step.KTP_PHOTO:
            KtpPhotoFactory(user=user, **ktp_photo)
        if step >= Step.PHONE_VERIFIED:
            PhoneNumberFactory(user=user)
        if step >= Step.DECLARED:
            DeclarationFactory(user=user, submitted_at=timezone.now() - timedelta(days=25), **declaration)
        if step >= Step.TEST_TAKEN:
            AttemptFactory(user=user, **attempt)
        if step >= Step.JOINED:
            from waves.selectors import agreement_current
            from waves.services import enrollment_join

            enrollment_join(user=user, wave=wave, agreement=agreement_current())
        if outcome:
            from tests.factories.waves import lost_wave

            lost_wave(user, rival_wins=outcome == "not_selected")
        return user
