"""The registry in Django admin: superusers only, read only, NIK and KK masked in the lists."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dukcapil.admin import mask_number
from tests.factories import UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

RESIDENTS = reverse("admin:dukcapil_resident_changelist")
FAMILIES = reverse("admin:dukcapil_family_changelist")


def test_a_number_is_masked_to_its_regency_and_serial():
    assert mask_number("3273010101900001") == "3273••••••••0001"
    assert mask_number("123") == "•••"
    assert mask_number("") == ""


def test_a_superuser_sees_residents_and_families_with_numbers_masked(admin_client, resident):
    # when
    residents = admin_client.get(RESIDENTS).content.decode()
    families = admin_client.get(FAMILIES).content.decode()

    # then (the serials come from the factories' sequences, which run on over the session)
    assert mask_number(resident.nik) in residents
    assert resident.full_name in residents
    assert resident.nik not in residents
    assert resident.family_id not in residents
    assert mask_number(resident.family_id) in families
    assert resident.family_id not in families


def test_a_superuser_finds_a_resident_by_the_exact_nik(admin_client, resident):
    # when
    found = admin_client.get(RESIDENTS, {"q": resident.nik})
    partial = admin_client.get(RESIDENTS, {"q": resident.nik[:10]})

    # then
    assert [r.pk for r in found.context["cl"].result_list] == [resident.pk]
    assert list(partial.context["cl"].result_list) == []


def test_staff_who_are_not_superusers_do_not_see_the_registry_even_with_permissions(client, resident):
    # given a staff member granted every dukcapil permission
    staff = UserFactory(verified=True, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="dukcapil"))
    login_verified(client, staff)

    # then
    assert client.get(RESIDENTS).status_code == 403
    assert client.get(reverse("admin:dukcapil_resident_change", args=[resident.pk])).status_code == 403
    assert "dukcapil" not in client.get(reverse("admin:index")).content.decode()


def test_records_cannot_be_added_changed_or_deleted_in_admin(admin_client, resident):
    # when
    detail = admin_client.get(reverse("admin:dukcapil_resident_change", args=[resident.pk]))

    # then
    assert detail.status_code == 200
    assert 'name="full_name"' not in detail.content.decode()  # read only: no input
    assert admin_client.get(reverse("admin:dukcapil_resident_add")).status_code == 403
    assert admin_client.get(reverse("admin:dukcapil_resident_delete", args=[resident.pk])).status_code == 403
    assert admin_client.get(reverse("admin:dukcapil_family_add")).status_code == 403
