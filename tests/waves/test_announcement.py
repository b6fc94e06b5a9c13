"""After selection: results hidden until the announcement, then the card or "Kamu Belum Berhasil"; the
unsuccessful join the next wave without entering anything again; a run can be voided only before."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.factories import ApplicantFactory, EnrollmentFactory, UserFactory, WaveFactory
from waves.errors import WaveError
from waves.models import AgreementText, Card, Enrollment, Result, RunStatus, SelectionRun, Wave, WaveStatus
from waves.selection import selection_run
from waves.services import enrollment_join, selection_void

pytestmark = pytest.mark.django_db


def dashboard(client, user, at) -> str:
    with freeze_time(at):
        client.force_login(user)
        return client.get("/dashboard/").content.decode()


@pytest.fixture
def announced_pair(db):
    """A wave with one place and two applicants who have done every step; selected with seed 4."""
    wave = WaveFactory(closed=True, number=3, province_quotas={"32": 1}, pool_unused_quota=False)
    users = [ApplicantFactory(test_passed=True), ApplicantFactory(test_passed=True)]
    for user in users:
        EnrollmentFactory(wave=wave, user=user)
    selection_run(wave=wave, acting_user=None, seed=4)
    winner = Result.objects.get(selected=True).user
    loser = next(user for user in users if user != winner)
    return wave, winner, loser


def test_results_stay_hidden_until_the_announcement(client, announced_pair):
    wave, winner, loser = announced_pair

    before = dashboard(client, winner, wave.announce_at - timedelta(minutes=1))

    assert "Sedang diproses" in before
    assert Card.objects.get().number not in before
    assert "Kamu Belum Berhasil" not in dashboard(client, loser, wave.announce_at - timedelta(minutes=1))


def test_at_the_announcement_the_winner_sees_the_card_the_balance_and_the_deadline(client, announced_pair):
    wave, winner, _loser = announced_pair
    card = Card.objects.get()

    html = dashboard(client, winner, wave.announce_at)

    assert card.number in html
    assert "Rp1.000.000" in html
    assert (wave.announce_at + timedelta(days=30)).strftime("%Y") in html
    assert "Tahap pendaftaran selesai" not in html


def test_the_others_see_kamu_belum_berhasil_with_the_reason_and_the_history(client, announced_pair):
    wave, _winner, loser = announced_pair

    html = dashboard(client, loser, wave.announce_at + timedelta(minutes=1))
    with freeze_time(wave.announce_at + timedelta(minutes=1)):
        history = client.get("/dashboard/riwayat/").content.decode()

    assert "Kamu Belum Berhasil" in html
    assert "Kuota provinsi Anda sudah terisi" in html
    assert 'data-step="wave" data-state="current"' in html  # may join the next wave
    assert "Gelombang 3" in history and "Belum berhasil" in history


def test_the_unsuccessful_join_the_next_wave_without_entering_anything_even_before_the_job_runs(announced_pair):
    wave, _winner, loser = announced_pair
    later = WaveFactory(number=4, opens_at=wave.announce_at)

    with freeze_time(wave.announce_at + timedelta(hours=1)):
        enrollment_join(user=loser, wave=later, agreement=AgreementText.objects.get())

    assert Enrollment.objects.filter(user=loser, pending=True).get().wave == later
    assert Wave.objects.get(pk=wave.pk).status == WaveStatus.ANNOUNCED  # recorded on the way


def test_a_run_is_voided_before_the_announcement_and_a_new_seed_can_run(announced_pair):
    wave, _winner, _loser = announced_pair
    operator = UserFactory(is_staff=True)
    first = SelectionRun.objects.get()

    with freeze_time(wave.announce_at - timedelta(hours=1)):
        selection_void(run=first, acting_user=operator, note="data diperbaiki")
        assert not Card.objects.exists() and not Result.objects.exists()
        assert Wave.objects.get(pk=wave.pk).status == WaveStatus.CLOSED
        second = selection_run(wave=wave, acting_user=operator, seed=5)

    first.refresh_from_db()
    assert first.status == RunStatus.VOIDED
    assert second.status == RunStatus.SUCCEEDED and second.seed == "5"
    assert wave.events.filter(actor=operator, note="data diperbaiki").exists()


def test_a_run_cannot_be_voided_after_the_announcement(announced_pair):
    wave, _winner, _loser = announced_pair

    with freeze_time(wave.announce_at + timedelta(minutes=1)), pytest.raises(WaveError):
        selection_void(run=SelectionRun.objects.get(), acting_user=UserFactory(is_staff=True))

    assert Card.objects.count() == 1


def test_the_dashboard_costs_a_bounded_number_of_queries_at_the_last_step(
    client, announced_pair, django_assert_max_num_queries
):
    wave, winner, _loser = announced_pair
    with freeze_time(wave.announce_at):
        client.force_login(winner)
        with django_assert_max_num_queries(8):
            client.get("/dashboard/")
