"""What every applicant reads alike is cached (prakerja/shared_cache.py), a change is seen on the next request, and
nothing of one applicant is cached where another's page reads it (issue #18)."""

import pickle
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.services import declaration_text_publish
from prakerja.shared_cache import shared_read
from regions.models import District
from tests.factories import ApplicantFactory, WaveFactory
from waves.models import ProvinceQuota
from waves.services import agreement_text_publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

WAVES = "/dashboard/gelombang/"


def signed_in(**fields) -> Client:
    client = Client()
    client.force_login(ApplicantFactory(**fields))
    return client


def test_the_waves_page_reads_the_open_waves_from_the_cache_once_filled():
    WaveFactory(number=7, open=True)
    client = signed_in(test_passed=True)
    client.get(WAVES)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(WAVES).content.decode()

    assert "Gelombang 7" in html
    assert not [q["sql"] for q in queries.captured_queries if '"waves_provincequota"' in q["sql"]]


def test_a_wave_published_or_a_quota_changed_is_seen_on_the_next_request():
    WaveFactory(number=7, open=True)
    client = signed_in(test_passed=True)
    assert "Gelombang 8" not in client.get(WAVES).content.decode()

    WaveFactory(number=8, open=True)
    assert "Gelombang 8" in client.get(WAVES).content.decode()

    quota = ProvinceQuota.objects.get(wave__number=8, province_id="32")
    quota.quota = 0
    quota.save()
    assert "Gelombang 8" not in client.get(WAVES).content.decode()


def test_what_another_process_cached_before_the_change_committed_is_not_kept(django_capture_on_commit_callbacks):
    wave = WaveFactory(number=7, open=True)

    with django_capture_on_commit_callbacks(execute=True):
        wave.title = "Gelombang baru"
        wave.save()
        # Another process reads before this transaction commits: it sees the old rows and caches them under the
        # token the save has just bumped.
        shared_read("waves", "32", lambda: "the rows before the change")

    assert shared_read("waves", "32", lambda: "the rows after the change") == "the rows after the change"


def test_a_wave_closed_early_leaves_the_page_at_once():
    wave = WaveFactory(number=7, open=True)
    client = signed_in(test_passed=True)
    assert "Gelombang 7" in client.get(WAVES).content.decode()

    wave.closes_at = timezone.now() - timedelta(minutes=1)
    wave.save(update_fields=["closes_at"])

    assert "Gelombang 7" not in client.get(WAVES).content.decode()
    assert client.get("/dashboard/gelombang/7/gabung/").status_code == 404


def test_time_alone_opens_and_closes_a_cached_wave(frozen):
    wave = WaveFactory(number=7, published=True)  # opens in 14 days
    user = ApplicantFactory(test_passed=True)
    client = Client()
    client.force_login(user)
    assert client.get("/dashboard/gelombang/7/gabung/").status_code == 404

    frozen.move_to(wave.opens_at + timedelta(minutes=1))
    client.force_login(user)  # a session does not last two weeks
    assert client.get("/dashboard/gelombang/7/gabung/").status_code == 200

    frozen.move_to(wave.closes_at + timedelta(minutes=1))
    client.force_login(user)
    assert client.get("/dashboard/gelombang/7/gabung/").status_code == 404


def test_a_new_agreement_or_declaration_text_is_shown_on_the_next_request():
    WaveFactory(number=7, open=True)
    joining = signed_in(test_passed=True)
    declaring = signed_in(phone_verified=True)
    joining.get("/dashboard/gelombang/7/persetujuan/")
    declaring.get("/dashboard/pernyataan/")

    agreement_text_publish(title="Persetujuan versi baru", clauses="Pasal baru yang berlaku.")
    declaration_text_publish(title="Pernyataan versi baru", intro="Pembuka baru.", clauses="Pernyataan baru.")

    assert "Persetujuan versi baru" in joining.get("/dashboard/gelombang/7/persetujuan/").content.decode()
    assert "Pernyataan baru." in declaring.get("/dashboard/pernyataan/").content.decode()


def test_a_renamed_district_is_in_the_picker_on_the_next_request():
    client = Client()
    assert "Pancoran Mas" in client.get("/wilayah/32.76/").content.decode()
    district = District.objects.get(code="32.76.01")
    district.name = "Pancoran Emas"
    district.save()

    assert "Pancoran Emas" in client.get("/wilayah/32.76/").content.decode()


def test_applicants_of_two_provinces_each_see_their_own_waves_and_nothing_of_the_other():
    WaveFactory(number=7, open=True, province_quotas={"32": 100})
    WaveFactory(number=8, open=True, province_quotas={"31": 50})
    west_java = ApplicantFactory(test_passed=True, domicile="32.76.01")
    jakarta = ApplicantFactory(test_passed=True, domicile="31.71.01")
    pages = {}
    for user in (west_java, jakarta, west_java, jakarta):  # each page twice: the second from the cache
        client = Client()
        client.force_login(user)
        pages[user] = {
            path: client.get(path).content.decode()
            for path in (WAVES, "/dashboard/", "/dashboard/gelombang/7/gabung/", "/dashboard/gelombang/8/gabung/")
        }

    assert "Gelombang 7" in pages[west_java][WAVES] and "Gelombang 8" not in pages[west_java][WAVES]
    assert "Gelombang 8" in pages[jakarta][WAVES] and "Gelombang 7" not in pages[jakarta][WAVES]
    assert "Ya, Gabung" not in pages[west_java]["/dashboard/gelombang/8/gabung/"]
    assert "Ya, Gabung" not in pages[jakarta]["/dashboard/gelombang/7/gabung/"]
    shared = shared_entries()
    assert shared, "the pages filled the shared cache"
    # Keys name a namespace, its version and what the value depends on (a province here), never a person.
    assert {key.split(":", 3)[-1] for key in shared if not key.endswith(":version")} >= {"province:32", "province:31"}
    for key, value in shared.items():
        assert SHARED_KEY.fullmatch(key), key
        for user in (west_java, jakarta):
            for datum in (user.email, user.identity.nik, user.personal_data.full_name):
                assert datum.encode() not in value, (key, "holds an applicant's data")


# A namespace, its version token, and what the value depends on: a province, a region code, a text's model.
SHARED_KEY = re.compile(
    r"shared:(waves|texts|regions):"
    r"(version|[0-9a-f]{32}:(province:\d\d|provinces|regencies:[\d.]+|districts:[\d.]+|[a-z]+\.[A-Za-z]+))"
)


def shared_entries() -> dict[str, bytes]:
    """Every entry under the shared cache's keys, pickled, whichever backend the tests run with."""
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # LocMemCache
        keys = [key.split(":", 2)[-1] for key in cache._cache if ":shared:" in key]
    else:  # RedisCache
        client = cache._cache.get_client()
        keys = [key.decode().split(":", 2)[-1] for key in client.keys(cache.make_key("shared:*"))]
    return {key: pickle.dumps(cache.get(key)) for key in keys}


def test_a_shared_read_still_answers_when_the_cache_is_unreachable(monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)

    assert shared_read("texts", "test", lambda: "dari basis data") == "dari basis data"
