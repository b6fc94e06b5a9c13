"""No applicant page shows a full NIK or KK (issue #15, DESIGN §8): the dashboard and "Data saya" show them masked;
only the owner's download of "Data saya" has them in full.

Every page an applicant with a verified identity reaches is rendered as that applicant: the dashboard and the
account pages at each step, and each page of the hostile-input catalogue's URL map (tests/security) at the step
where it opens, so a page added there is checked here too. Downloads (the KTP photo, the "gagal 3 kali" letter,
which prints the applicant's own NIK to be signed) are files, not pages, and are left out.
"""

import pytest
from django.test import Client

from tests.security import personas
from tests.security.routes import ROUTES, path_of, url_entries
from verification.identifiers import identifier_mask
from verification.models import IdentityVerification

pytestmark = pytest.mark.django_db

# Every step from the verified identity on, as the catalogue builds them.
STEPS = [
    personas.identified,
    personas.described,
    personas.photographed,
    personas.phone_verified,
    personas.declared,
    personas.testing,
    personas.passed,
    personas.enrolled,
    personas.thrice_failed,
    personas.complained,
]
# Pages open at every step (or sending the applicant to one that is).
ALWAYS = [
    "/",
    "/dashboard/",
    "/dashboard/riwayat/",
    "/dashboard/tes/hasil/",
    "/dashboard/gagal-3-kali/",
    "/akun/kata-sandi/",
    "/akun/email/",
    "/dashboard/data-saya/",
    "/dashboard/hapus-akun/",
    "/kebijakan-privasi/",
    "/syarat-dan-ketentuan/",
]
# The owner's own data in full, on purpose: a file, not a page (tests/journey/test_own_data.py).
OWN_DATA = ("/dashboard/data-saya/unduh/",)


def pages_at(step, world) -> list[str]:
    entries = {entry.key: entry for entry in url_entries()}
    paths = list(ALWAYS)
    for key, route in ROUTES.items():
        if route.persona is step and key in entries and not route.api:
            paths.append(path_of(entries[key], route.params(world)))
    return [path for path in paths if not path.startswith(OWN_DATA)]


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.__name__)
def test_no_page_of_a_verified_applicant_shows_the_full_nik_or_kk(settings, tmp_path, step):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.RATELIMIT_ENABLE = False
    client = Client()
    world = step(client)
    identity = IdentityVerification.objects.get(user=world.user)
    nik, kk = identity.nik, identity.kk
    seen = []

    for path in pages_at(step, world):
        response = client.get(path, follow=True)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        seen.append(path)

        assert nik not in html, f"{path} shows the full NIK"
        assert kk not in html, f"{path} shows the full KK"

    assert set(ALWAYS) <= set(seen), seen


def test_the_dashboard_shows_the_nik_masked(client):
    world = personas.identified(client)
    nik = IdentityVerification.objects.get(user=world.user).nik

    html = client.get("/dashboard/").content.decode()

    assert identifier_mask(nik) in html
    assert f"{nik[:4]}••••••••{nik[-4:]}" in html
