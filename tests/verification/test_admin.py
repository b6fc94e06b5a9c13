import pytest

from verification.identifiers import identifier_mask
from verification.models import IdentityVerification

pytestmark = pytest.mark.django_db


def test_admin_lists_nik_and_kk_masked_and_finds_a_record_by_its_full_nik(admin_client, identified_applicant, resident):
    listing = admin_client.get("/admin/verification/identityverification/").content.decode()

    assert resident.nik not in listing
    assert resident.family_id not in listing
    assert f"{resident.nik[:4]}••••••••{resident.nik[-4:]}" in listing
    found = admin_client.get("/admin/verification/identityverification/", {"q": resident.nik})
    assert found.context["cl"].result_count == 1
    assert (
        admin_client.get("/admin/verification/identityverification/", {"q": "3276011708950099"})
        .context["cl"]
        .result_count
        == 0
    )


def test_staff_cannot_edit_applicants_identity(admin_client, identified_applicant):
    record = IdentityVerification.objects.get()

    response = admin_client.post(
        f"/admin/verification/identityverification/{record.pk}/change/", {"birth_date": "2000-01-01"}
    )

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.birth_date.year == 1995


def test_the_owner_sees_their_own_nik_masked_on_the_dashboard(client, identified_applicant, resident):
    html = client.get("/dashboard/").content.decode()

    # In full only on "Data saya" (DESIGN §8): a dashboard is left open on shared phones.
    assert resident.nik not in html
    assert identifier_mask(resident.nik) in html
