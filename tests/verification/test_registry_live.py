"""The HTTP transport against the real mock registry API, served by the live test server."""

import pytest

from tests.factories import ResidentFactory
from verification.registry import HttpTransport, RegistryClient, RegistryUnavailable, registry_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def http_client(live_server, settings):
    settings.DUKCAPIL_URL = f"{live_server.url}/dukcapil/api/v1/"
    return registry_client()


def test_the_configured_client_uses_http_when_a_url_is_set(http_client):
    assert isinstance(http_client.transport, HttpTransport)


def test_a_matching_identity_over_http(http_client):
    resident = ResidentFactory()

    answer = http_client.verify(
        nik=resident.nik,
        kk=resident.family_id,
        birth_date=resident.birth_date,
        full_name="siti  aminah",
        mother_name="NURHAYATI",
    )

    assert answer.nik_found
    assert all(answer.matches.values()), answer.matches
    assert answer.excluded_occupation is False


def test_mismatches_and_unknown_niks_over_http(http_client):
    resident = ResidentFactory(occupation="PEGAWAI NEGERI SIPIL (PNS)")

    answer = http_client.verify(nik=resident.nik, kk="3276010102159999", mother_name="Bukan Ibunya")
    unknown = http_client.verify(nik="3276015708950002", kk=resident.family_id)

    assert answer.nik_found and not answer.matched("kk") and not answer.matched("nama_ibu")
    assert answer.excluded_occupation is True
    assert not unknown.nik_found


def test_the_same_answers_over_http_and_in_process(http_client, settings):
    resident = ResidentFactory()
    query = {"nik": resident.nik, "kk": resident.family_id, "full_name": "Siti Aminah", "mother_name": "Nur"}

    over_http = http_client.verify(**query)
    settings.DUKCAPIL_URL = ""
    in_process = registry_client().verify(**query)

    assert over_http == in_process


def test_a_wrong_key_is_refused_and_reported_as_unavailable(live_server):
    client = RegistryClient(
        HttpTransport(
            url=f"{live_server.url}/dukcapil/api/v1/",
            api_key="salah",
            timeout=2,
            retries=2,
            backoff=0,
            sleep=lambda seconds: None,
        )
    )

    with pytest.raises(RegistryUnavailable):
        client.verify(nik="3276015708950001")


def test_a_failing_registry_is_retried_then_unavailable_over_http(http_client, settings):
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 1.0
    http_client.transport.sleep = lambda seconds: None

    with pytest.raises(RegistryUnavailable):
        http_client.verify(nik=ResidentFactory().nik)


def test_the_ktp_step_works_end_to_end_over_http(http_client, client, settings):
    from tests.factories import UserFactory
    from verification.models import IdentityVerification

    resident = ResidentFactory()
    user = UserFactory(verified=True)
    client.force_login(user)

    client.post(
        "/dashboard/verifikasi-ktp/",
        {"nik": resident.nik, "kk": resident.family_id, "birth_date": resident.birth_date.isoformat()},
    )

    assert IdentityVerification.objects.filter(user=user).exists()
