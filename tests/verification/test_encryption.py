"""The identity steps' personal data at rest (issue #15): names, mother's name, address, birth date and phone
numbers stored encrypted, read back plain; numbers found and kept unique through their blind index; staff
lists masked and exact searches through the indexes."""

from datetime import date

import pytest
from django.core.exceptions import FieldError

from prakerja.crypto import IdentifierKind, pii_digest, pii_is_token
from tests.factories import ApplicantFactory, PhoneNumberFactory
from tests.helpers import stored
from verification.models import IdentityVerification, OtpCode, PersonalData, PhoneNumber
from verification.otp import otp_send

pytestmark = pytest.mark.django_db

NUMBER = "+6281298765432"


def test_names_address_and_birth_date_are_stored_encrypted_and_read_plain():
    user = ApplicantFactory(personal_data_done=True, personal_data__address="Jl. Kenanga 7, Depok")

    full_name, mother_name, address = stored(user.personal_data, "full_name", "mother_name", "address")
    (birth_date,) = stored(user.identity, "birth_date")

    assert all(pii_is_token(value) for value in (full_name, mother_name, address, birth_date))
    data = PersonalData.objects.get(user=user)
    assert (data.full_name, data.mother_name, data.address) == ("Siti Aminah", "Nurhayati", "Jl. Kenanga 7, Depok")
    assert isinstance(IdentityVerification.objects.get(user=user).birth_date, date)


def test_a_phone_number_is_stored_encrypted_with_its_blind_index():
    phone = PhoneNumberFactory(user=ApplicantFactory(), number=NUMBER)

    number, digest = stored(phone, "number", "number_digest")

    assert pii_is_token(number) and digest == pii_digest(NUMBER, kind=IdentifierKind.PHONE)
    assert PhoneNumber.objects.get(number_digest=digest).number == NUMBER


def test_one_number_belongs_to_one_account_even_written_straight_into_the_table():
    from django.db import IntegrityError

    PhoneNumberFactory(user=ApplicantFactory(), number=NUMBER)

    with pytest.raises(IntegrityError):
        PhoneNumberFactory(user=ApplicantFactory(), number=NUMBER)


def test_a_code_keeps_its_number_encrypted_and_counted_by_index(frozen):
    user = ApplicantFactory(ktp_photo_done=True)

    otp = otp_send(user=user, number=NUMBER)

    number, digest = stored(otp, "number", "number_digest")
    assert pii_is_token(number) and digest == pii_digest(NUMBER, kind=IdentifierKind.PHONE)
    assert OtpCode.objects.get().number == NUMBER


def test_an_encrypted_column_cannot_be_compared_in_sql():
    with pytest.raises(FieldError, match="blind index"):
        PhoneNumber.objects.filter(number=NUMBER).exists()
    with pytest.raises(FieldError, match="blind index"):
        IdentityVerification.objects.filter(birth_date__year=1995).exists()
    assert not PhoneNumber.objects.filter(number__isnull=True).exists()


def test_setting_a_number_moves_its_index_with_it():
    identity = ApplicantFactory(identity_verified=True).identity

    identity.nik = "3276015708950002"
    identity.save()

    assert IdentityVerification.objects.get(nik_digest=pii_digest("3276015708950002", kind=IdentifierKind.NIK))
    assert IdentityVerification.objects.get(pk=identity.pk).nik == "3276015708950002"


def test_the_admin_lists_names_and_birth_dates_masked(admin_client):
    user = ApplicantFactory(personal_data_done=True)

    people = admin_client.get("/admin/verification/personaldata/").content.decode()
    identities = admin_client.get("/admin/verification/identityverification/").content.decode()

    assert "Siti Aminah" not in people and "S••• A•••" in people
    born = user.identity.birth_date
    assert born.isoformat() not in identities and f"••-••-{born.year}" in identities


@pytest.mark.parametrize("typed", [NUMBER, "081298765432", "0812-9876-5432", "6281298765432"])
def test_the_admin_finds_an_applicant_by_their_full_phone_number(admin_client, typed):
    user = ApplicantFactory(personal_data_done=True)
    PhoneNumberFactory(user=user, number=NUMBER)
    ApplicantFactory(personal_data_done=True)

    found = admin_client.get("/admin/verification/personaldata/", {"q": typed}).context["cl"]

    assert [row.user_id for row in found.result_list] == [user.pk]


def test_the_admin_finds_an_applicant_by_their_full_nik_or_kk_and_not_by_name(admin_client):
    user = ApplicantFactory(personal_data_done=True)
    ApplicantFactory(personal_data_done=True)

    by_nik = admin_client.get("/admin/verification/personaldata/", {"q": user.identity.nik}).context["cl"]
    by_kk = admin_client.get("/admin/verification/identityverification/", {"q": user.identity.kk}).context["cl"]
    by_name = admin_client.get("/admin/verification/personaldata/", {"q": "Siti"}).context["cl"]

    assert [row.user_id for row in by_nik.result_list] == [user.pk]
    assert [row.user_id for row in by_kk.result_list] == [user.pk]
    assert by_name.result_count == 0  # names are encrypted: no search by name
