"""Step 8 through HTTP and the join-time rules: "Gabung" → "Ya, Gabung" → "Saya Menyetujui"."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from prakerja.timeutil import wib_date
from tests.clock import T0
from tests.factories import PASSWORD, ApplicantFactory, WaveFactory, ready_many
from waves.errors import WaveError, WaveErrorCode
from waves.models import AgreementText, Enrollment
from waves.rules import rule_failures
from waves.services import enrollment_join

pytestmark = pytest.mark.django_db

DURING = T0 + timedelta(days=1)


@pytest.fixture(autouse=True)
def _during_the_wave(frozen):
    """The clock stands during the wave (sessions and waves both read it); tests move it when needed."""
    frozen.move_to(DURING)


def join(client, number: int):
    client.post(f"/dashboard/gelombang/{number}/gabung/")
    return client.post(f"/dashboard/gelombang/{number}/persetujuan/")


def test_an_applicant_joins_an_open_wave_for_their_province_through_the_three_pages(client):
    wave = WaveFactory(number=7)
    user = ApplicantFactory(test_passed=True)
    client.force_login(user)

    with freeze_time(DURING):
        listing = client.get("/dashboard/gelombang/").content.decode()
        assert "Gelombang 7" in listing and "Gabung" in listing
        confirm = client.get("/dashboard/gelombang/7/gabung/").content.decode()
        assert "Ya, Gabung" in confirm
        agreement = client.post("/dashboard/gelombang/7/gabung/", follow=True).content.decode()
        assert "Persetujuan Kartu Prakerja" in agreement and "Saya Menyetujui" in agreement
        done = client.post("/dashboard/gelombang/7/persetujuan/", follow=True).content.decode()
        assert "Tahap pendaftaran selesai" in done
        assert "Menunggu gelombang ditutup" in done

    enrollment = Enrollment.objects.get()
    assert (enrollment.wave, enrollment.user, enrollment.province_id) == (wave, user, "32")
    assert enrollment.agreement == AgreementText.objects.get(is_current=True)
    with freeze_time(wave.closes_at + timedelta(minutes=1)):
        client.force_login(user)  # a session does not last the week the wave is open
        dashboard = client.get("/dashboard/").content.decode()
    assert 'data-step="wave" data-state="done"' in dashboard
    assert "Sedang diproses" in dashboard


def test_applicants_built_in_bulk_log_in_and_join_through_the_pages(client):
    WaveFactory(number=7)
    first, second = ready_many(2)

    with freeze_time(DURING):
        login = client.post("/masuk/", {"username": second.email, "password": PASSWORD})
        assert login.status_code == 302
        assert "Gabung" in client.get("/dashboard/gelombang/").content.decode()
        assert join(client, 7).status_code == 302

    assert list(Enrollment.objects.values_list("user", flat=True)) == [second.pk]
    assert first.personal_data.district_id == "32.76.01" and first.phone.number != second.phone.number


def test_no_open_wave_for_the_province_says_gelombang_tidak_ditemukan(client):
    WaveFactory(province_quotas={"31": 10})  # DKI Jakarta only
    client.force_login(ApplicantFactory(test_passed=True))  # lives in Jawa Barat

    with freeze_time(DURING):
        response = client.get("/dashboard/gelombang/")
        assert "Gelombang Tidak Ditemukan" in response.content.decode()
        assert client.get("/dashboard/gelombang/1/gabung/").status_code == 404


def test_a_wave_not_yet_open_or_already_closed_cannot_be_joined(client):
    wave = WaveFactory()
    user = ApplicantFactory(test_passed=True)

    with freeze_time(T0 - timedelta(minutes=1)):
        client.force_login(user)
        assert "Gelombang Tidak Ditemukan" in client.get("/dashboard/gelombang/").content.decode()
    with freeze_time(wave.closes_at):
        client.force_login(user)
        assert join(client, 1).status_code == 404
    assert not Enrollment.objects.exists()


def test_one_pending_enrollment_at_a_time(client):
    first, second = WaveFactory(number=1), WaveFactory(number=2)
    user = ApplicantFactory(test_passed=True)
    agreement = AgreementText.objects.get(is_current=True)

    with freeze_time(DURING):
        enrollment_join(user=user, wave=first, agreement=agreement)
        with pytest.raises(WaveError) as raised:
            enrollment_join(user=user, wave=second, agreement=agreement)
        with pytest.raises(WaveError) as again:
            enrollment_join(user=user, wave=first, agreement=agreement)

    assert raised.value.code == WaveErrorCode.ALREADY_PENDING
    assert again.value.code == WaveErrorCode.ALREADY_JOINED
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize(
    ("applicant_at", "rule"),
    [
        ({"resident__birth_date": date(2008, 12, 9)}, "age"),  # 17 on the wave's closing day
        ({"declaration__in_formal_education": True}, "in_education"),
        ({"declaration__excluded_groups": ["asn"]}, "excluded_group_declared"),
        ({"resident__occupation": "KEPOLISIAN RI (POLRI)"}, "excluded_group_registry"),
        ({"attempt__passed": False}, "test_not_passed"),
    ],
)
def test_each_rule_refuses_at_join_with_its_reason(client, applicant_at, rule):
    WaveFactory()
    user = ApplicantFactory(test_passed=True, **applicant_at)

    with pytest.raises(WaveError) as raised, freeze_time(DURING):
        enrollment_join(user=user, wave=WaveFactory(number=2), agreement=AgreementText.objects.get(is_current=True))

    assert raised.value.code == WaveErrorCode.NOT_ELIGIBLE
    assert rule in raised.value.params["rules"]
    assert not Enrollment.objects.exists()


def test_eighteen_on_the_closing_day_is_old_enough():
    wave = WaveFactory()
    closing_day = wib_date(wave.closes_at)
    user = ApplicantFactory(test_passed=True, resident__birth_date=closing_day.replace(year=closing_day.year - 18))

    with freeze_time(DURING):
        no_rule_applies = not rule_failures(user_id=user.pk, wave=wave)
        enrollment = enrollment_join(user=user, wave=wave, agreement=AgreementText.objects.get(is_current=True))

    assert user.identity.birth_date == closing_day.replace(year=closing_day.year - 18)  # 18 that very day
    assert no_rule_applies
    assert Enrollment.objects.get(user=user) == enrollment
    assert (enrollment.wave, enrollment.province_id, enrollment.pending) == (wave, "32", True)


def test_other_aid_recipients_follow_the_waves_policy():
    allowed = WaveFactory(number=1, other_aid_allowed=True)
    refused = WaveFactory(number=2, other_aid_allowed=False)
    agreement = AgreementText.objects.get(is_current=True)

    with freeze_time(DURING):
        with pytest.raises(WaveError) as raised:
            enrollment_join(
                user=ApplicantFactory(test_passed=True, declaration__other_aid=["bsu"]),
                wave=refused,
                agreement=agreement,
            )
        enrollment_join(
            user=ApplicantFactory(test_passed=True, declaration__other_aid=["bsu"]), wave=allowed, agreement=agreement
        )

    assert "other_aid" in raised.value.params["rules"]


def test_a_refusal_on_the_agreement_page_names_the_rule(client):
    WaveFactory()
    client.force_login(ApplicantFactory(test_passed=True, resident__occupation="KEPOLISIAN RI (POLRI)"))

    with freeze_time(DURING):
        response = join(client, 1)

    assert response.status_code == 409
    assert "pekerjaan di KTP Anda termasuk kelompok" in response.content.decode()


def test_steps_before_the_test_cannot_reach_the_wave_pages(client, verified_user):
    WaveFactory()
    client.force_login(verified_user)

    with freeze_time(DURING):
        response = client.get("/dashboard/gelombang/", follow=True)

    assert "Selesaikan dulu langkah 2" in response.content.decode()


def test_a_past_recipient_and_a_full_kartu_keluarga_are_refused_at_join():
    from tests.factories import enrolled
    from waves.selection import selection_run

    family = "3276010102150009"
    with freeze_time(T0 + timedelta(days=60)):
        earlier = WaveFactory(number=1, opens_at=T0)
        first, _second = enrolled(earlier, kk=family), enrolled(earlier, kk=family)
        selection_run(wave=earlier, acting_user=None, seed=1)
    later = WaveFactory(number=2, opens_at=T0 + timedelta(days=59))
    Enrollment.objects.update(pending=False)
    sibling = enrolled(later, kk=family)
    Enrollment.objects.filter(pk=sibling.pk).delete()

    with freeze_time(T0 + timedelta(days=60)):
        assert "past_recipient" in [r.code for r in rule_failures(user_id=first.user_id, wave=later)]
        assert "kk_full" in [r.code for r in rule_failures(user_id=sibling.user_id, wave=later)]


def test_the_phone_number_can_be_changed_until_the_applicant_joins_a_wave(client):
    wave = WaveFactory()
    user = ApplicantFactory(test_passed=True)
    client.force_login(user)
    assert client.get("/dashboard/nomor-hp/ganti/").status_code == 200

    enrollment_join(user=user, wave=wave, agreement=AgreementText.objects.get(is_current=True))

    response = client.get("/dashboard/nomor-hp/ganti/", follow=True)
    assert "tidak dapat diganti setelah Anda bergabung" in response.content.decode()


def test_a_failed_test_can_be_retaken_once_a_new_wave_has_opened(client):
    from assessment.models import Attempt

    user = ApplicantFactory(test_failed=True)
    client.force_login(user)
    failed_at = Attempt.objects.get(user=user).submitted_at
    assert "Mulai Tes Sekarang</button>" not in client.get("/dashboard/tes/").content.decode()

    WaveFactory(number=5, opens_at=failed_at + timedelta(days=1))  # T0 + 1 day is "now" here

    page = client.get("/dashboard/tes/").content.decode()
    assert "Mulai Tes Sekarang</button>" in page


def test_a_wave_that_opened_before_the_failure_allows_no_retake_even_when_posted(client):
    from assessment.models import Attempt

    WaveFactory(number=4, opens_at=T0 - timedelta(days=30))  # the failure was about T0 - 19 days
    user = ApplicantFactory(test_failed=True)
    client.force_login(user)
    WaveFactory(number=5, opens_at=DURING + timedelta(days=1))  # published, opens tomorrow
    WaveFactory(number=6, opens_at=T0, draft=True)  # a draft: nobody was told it opened

    response = client.post("/dashboard/tes/")

    assert response.status_code == 200 and "setelah gelombang baru dibuka" in response.content.decode()
    assert Attempt.objects.filter(user=user).count() == 1


def test_the_latest_opening_counts_only_published_waves_that_have_opened():
    from waves.selectors import wave_last_opened_at

    assert wave_last_opened_at() is None
    WaveFactory(number=1, opens_at=T0 - timedelta(days=10))
    WaveFactory(number=2, opens_at=T0, draft=True)
    WaveFactory(number=3, opens_at=DURING + timedelta(hours=1))

    assert wave_last_opened_at() == T0 - timedelta(days=10)
    assert wave_last_opened_at(now=DURING + timedelta(hours=1)) == DURING + timedelta(hours=1)
