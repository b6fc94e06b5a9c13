"""The mock registry's HTTP API: keys, malformed questions, per-field answers that never give data away."""

import json
import logging
from datetime import timedelta
from random import Random

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from dukcapil import services
from dukcapil.errors import RegistryFailure
from dukcapil.services import registry_verify
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

VERIFY = "/dukcapil/api/v1/verifikasi"
HEALTH = "/dukcapil/api/v1/health"
UNKNOWN_NIK = "3276014506909999"
API_KEY = django_settings.DUKCAPIL_API_KEY  # the one key the mock accepts here (conftest.py)


def post(client, body, *, key: str | None = API_KEY, header: str = "bearer", path: str = VERIFY):
    headers = {}
    if key is not None and header == "bearer":
        headers["Authorization"] = f"Bearer {key}"
    elif key is not None:
        headers["X-API-Key"] = key
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", headers=headers)


def everything_right(resident) -> dict:
    return {
        "nik": resident.nik,
        "kk": resident.family_id,
        "tanggal_lahir": resident.birth_date.isoformat(),
        "nama_lengkap": resident.full_name,
        "nama_ibu": resident.mother_name,
    }


# --- keys ---------------------------------------------------------------------------------------------


def test_the_api_lives_where_the_design_says():
    assert reverse("dukcapil:verify") == VERIFY
    assert reverse("dukcapil:health") == HEALTH


def test_a_request_without_a_key_is_refused_with_401(client, resident):
    # when
    response = post(client, {"nik": resident.nik}, key=None)

    # then
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_a_request_with_a_wrong_key_is_refused_with_401(client, resident, header):
    # when
    response = post(client, {"nik": resident.nik}, key="not-the-key", header=header)

    # then
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_the_key_is_accepted_as_a_bearer_token_or_an_x_api_key_header(client, resident, header):
    # when
    response = post(client, {"nik": resident.nik}, header=header)

    # then
    assert response.status_code == 200
    assert response.json()["nik"] == "SESUAI"


def test_any_of_the_configured_keys_is_accepted_and_an_empty_one_never(client, resident, settings):
    # given a key being rotated: old and new both accepted for a while, and a stray empty entry
    settings.DUKCAPIL_MOCK_API_KEYS = ["", "old-key", "new-key"]

    # then
    assert post(client, {"nik": resident.nik}, key="old-key").status_code == 200
    assert post(client, {"nik": resident.nik}, key="new-key").status_code == 200
    assert post(client, {"nik": resident.nik}, key="").status_code == 401
    assert post(client, {"nik": resident.nik}, key="new-key-but-longer").status_code == 401


def test_health_answers_ok_to_a_caller_with_a_key_only(client):
    # when
    with_key = client.get(HEALTH, headers={"Authorization": f"Bearer {API_KEY}"})
    without_key = client.get(HEALTH)

    # then
    assert with_key.status_code == 200
    assert with_key.json() == {"status": "ok"}
    assert without_key.status_code == 401


# --- malformed questions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "malformed_json"),
        (b"\xff\xfe", "malformed_json"),
        ('["3276014506900001"]', "malformed_json"),
        ({}, "nik_required"),
        ({"nik": ""}, "nik_required"),
        ({"nik": "327601450690001"}, "nik_format"),
        ({"nik": "32760145069000011"}, "nik_format"),
        ({"nik": "32760145069OOO01"}, "nik_format"),
        ({"nik": "３２７６０１４５０６９０００００１"}, "nik_format"),
        ({"nik": 3276014506900001}, "nik_format"),
        ({"nik": "3276014506900001", "tanggal_lahir": "05-06-1990"}, "date_format"),
        ({"nik": "3276014506900001", "tanggal_lahir": "19900605"}, "date_format"),
        ({"nik": "3276014506900001", "tanggal_lahir": "1990-02-30"}, "date_format"),
        ({"nik": "3276014506900001", "kk": 3276011203150001}, "field_type"),
        ({"nik": "3276014506900001", "nama_ibu_kandung": "RATNA"}, "unknown_field"),
    ],
)
def test_a_malformed_question_gets_400_with_a_machine_code(client, resident, body, code):
    # when
    response = post(client, body)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": code}


@pytest.mark.parametrize(
    "body", [b"[" * 100_000 + b"]" * 100_000, b'{"nik": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001]
)
def test_json_nested_deeper_than_the_parser_goes_is_malformed_not_a_500(client, body):
    # Found by the hostile-input catalogue: json.loads raises RecursionError, not ValueError, past its depth.
    response = post(client, body)

    assert response.status_code == 400
    assert response.json() == {"error": "malformed_json"}


def test_get_is_not_allowed_on_verifikasi(client):
    # when
    response = client.get(VERIFY, headers={"Authorization": f"Bearer {API_KEY}"})

    # then
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"error": "method_not_allowed"}


def test_the_address_with_a_trailing_slash_answers_the_same(client, resident):
    # when
    without_slash = post(client, everything_right(resident))
    with_slash = post(client, everything_right(resident), path=VERIFY + "/")

    # then
    assert with_slash.status_code == without_slash.status_code == 200
    assert with_slash.json() == without_slash.json()


# --- answers -------------------------------------------------------------------------------------------


def test_every_field_sent_right_is_answered_sesuai(client, resident):
    # when
    response = post(client, everything_right(resident))

    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "nik": "SESUAI",
        "kk": "SESUAI",
        "tanggal_lahir": "SESUAI",
        "nama_lengkap": "SESUAI",
        "nama_ibu": "SESUAI",
        "pekerjaan_dikecualikan": False,
    }


def test_each_field_is_answered_on_its_own(client, resident):
    # given the right KK and mother, a wrong birth date and a wrong name (Siti Aminah's, spelled differently)
    day_after = (resident.birth_date + timedelta(days=1)).isoformat()
    body = everything_right(resident) | {"tanggal_lahir": day_after, "nama_lengkap": "SITI AMINA"}

    # when
    answer = post(client, body).json()

    # then
    assert answer == {
        "nik": "SESUAI",
        "kk": "SESUAI",
        "tanggal_lahir": "TIDAK SESUAI",
        "nama_lengkap": "TIDAK SESUAI",
        "nama_ibu": "SESUAI",
        "pekerjaan_dikecualikan": False,
    }


def test_only_the_fields_sent_are_answered(client, resident):
    # when
    answer = post(client, {"nik": resident.nik, "kk": "3276011203159999", "nama_ibu": None}).json()

    # then
    assert answer == {"nik": "SESUAI", "kk": "TIDAK SESUAI", "pekerjaan_dikecualikan": False}


def test_an_unknown_nik_is_answered_tidak_ditemukan_and_nothing_else(client, resident):
    # when
    response = post(client, everything_right(resident) | {"nik": UNKNOWN_NIK})

    # then
    assert response.status_code == 200
    assert response.json() == {"nik": "TIDAK DITEMUKAN"}


def test_an_excluded_occupation_is_answered_yes_without_naming_it(client):
    # given a civil servant
    pns = ResidentFactory(occupation="PEGAWAI NEGERI SIPIL (PNS)")

    # when
    response = post(client, {"nik": pns.nik})

    # then
    assert response.json() == {"nik": "SESUAI", "pekerjaan_dikecualikan": True}
    assert "PEGAWAI" not in response.content.decode()


def test_the_answer_never_contains_any_of_the_records_data(client, resident):
    # given a question with every field wrong, and one with every field right
    wrong = {
        "nik": resident.nik,
        "kk": "3276011203159999",
        "tanggal_lahir": "2000-01-01",
        "nama_lengkap": "BUDI",
        "nama_ibu": "ANI",
    }

    for body in (wrong, everything_right(resident) | {"nik": resident.nik}):
        # when
        text = post(client, body).content.decode()

        # then nothing of the record comes back but the yes/no answers
        for value in (
            resident.family_id,
            resident.full_name,
            resident.full_name.split()[-1].upper(),
            resident.mother_name,
            resident.mother_name.upper(),
            resident.birth_date.isoformat(),
            resident.birth_date.strftime("%d-%m-%Y"),
            str(resident.birth_date.year),
            resident.address,
            resident.birth_place,
            resident.occupation,
            resident.district_code,
        ):
            assert value not in text
        assert set(json.loads(text)) <= {
            "nik",
            "kk",
            "tanggal_lahir",
            "nama_lengkap",
            "nama_ibu",
            "pekerjaan_dikecualikan",
        }


def test_a_mothers_name_typed_loosely_still_matches(client):
    # given names as the KTP prints them, with room for spacing, hyphens and apostrophes
    resident = ResidentFactory(full_name="SITI NURAINI", mother_name="RATNA SARI DEWI")

    # when
    answer = post(client, {"nik": resident.nik, "nama_ibu": "  ratna  sari-dewi. ", "nama_lengkap": "Siti Nur’aini,"})

    # then
    assert answer.json()["nama_ibu"] == "SESUAI"
    assert answer.json()["nama_lengkap"] == "SESUAI"


def test_over_http_and_in_process_the_answer_is_the_same(client, resident):
    # given
    body = everything_right(resident) | {"nama_lengkap": "SITI"}

    # when
    over_http = post(client, body).json()
    in_process = registry_verify(nik=body.pop("nik"), fields=body)

    # then
    assert over_http == in_process


def test_request_bodies_are_never_logged(client, resident, caplog):
    # when
    with caplog.at_level(logging.DEBUG):
        post(client, everything_right(resident))
        post(client, {"nik": resident.nik, "tanggal_lahir": "bad"})
        post(client, {"nik": resident.nik}, key="wrong")

    # then the outcomes are logged, the identities are not
    assert "verify 200 found" in caplog.text
    assert "verify 400 date_format" in caplog.text
    assert "verify 401 unauthorized" in caplog.text
    for value in (
        resident.nik,
        resident.family_id,
        resident.full_name,
        resident.mother_name,
        resident.birth_date.isoformat(),
    ):
        assert value not in caplog.text


# --- simulated trouble ---------------------------------------------------------------------------------


def test_latency_is_simulated_through_the_patched_sleep(client, resident, settings, monkeypatch):
    # given
    settings.DUKCAPIL_MOCK_LATENCY_MS = 250
    slept = []
    monkeypatch.setattr(services, "sleep", slept.append)

    # when
    http_status = post(client, {"nik": resident.nik}).status_code
    registry_verify(nik=resident.nik, fields={})

    # then both transports waited, and nobody really slept
    assert http_status == 200
    assert slept == [0.25, 0.25]


def test_a_failure_rate_of_one_answers_503_over_http(client, resident, settings):
    # given
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 1.0

    # when
    response = post(client, everything_right(resident))

    # then
    assert response.status_code == 503
    assert response.json() == {"error": "unavailable"}


def test_a_failure_rate_of_one_raises_registry_failure_in_process(resident, settings):
    # given
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 1.0

    # then
    with pytest.raises(RegistryFailure):
        registry_verify(nik=resident.nik, fields={"kk": resident.family_id})


def test_a_failure_rate_between_fails_that_share_of_requests(resident, settings, monkeypatch):
    # given
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 0.3
    monkeypatch.setattr(services, "random", Random(2026))

    # when
    failures = 0
    for _ in range(1000):
        try:
            registry_verify(nik=resident.nik, fields={})
        except RegistryFailure:
            failures += 1

    # then
    assert 250 < failures < 350


def test_a_malformed_question_is_refused_before_any_simulated_trouble(client, settings, monkeypatch):
    # given
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 1.0
    settings.DUKCAPIL_MOCK_LATENCY_MS = 500
    slept = []
    monkeypatch.setattr(services, "sleep", slept.append)

    # when
    response = post(client, {"nik": "123"})

    # then
    assert response.status_code == 400
    assert slept == []
