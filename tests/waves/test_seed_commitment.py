"""The lottery's seed is committed before a wave opens and kept secret until its announcement (docs/LOTTERY.md):
publishing draws it and publishes its SHA-256 at once, the selection uses exactly that seed, a void retires it
publicly and draws a new one, and no staff page or command shows it before the announcement."""

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from freezegun import freeze_time

from accounts.roles import Role
from tests.factories import WaveFactory, enrolled, enrolled_many, staff_user
from tests.helpers import login_verified
from waves.lottery import lottery_number
from waves.models import Enrollment, Result, SeedCommitment, SelectionRun, Wave
from waves.selection import selection_run
from waves.services import selection_void, wave_publish, waves_record_schedule

pytestmark = pytest.mark.django_db


def published(**fields) -> Wave:
    """A draft published by an operator through the service, as the admin does."""
    wave = WaveFactory(draft=True, **fields)
    return wave_publish(wave=wave, acting_user=staff_user(Role.OPERATOR), now=wave.opens_at - timedelta(days=1))


def current(wave: Wave) -> SeedCommitment:
    return SeedCommitment.objects.get(wave=wave, voided_at__isnull=True)


def test_publishing_a_wave_commits_to_a_random_seed_at_once(frozen):
    wave = published()
    other = published()

    commitment = current(wave)
    assert re.fullmatch(r"[0-9a-f]{64}", commitment.seed)
    assert commitment.commitment == hashlib.sha256(commitment.seed.encode("ascii")).hexdigest()
    assert commitment.committed_at < wave.opens_at
    assert current(other).seed != commitment.seed


def test_the_seed_is_stored_encrypted(frozen):
    from django.db import connection

    wave = published()

    with connection.cursor() as cursor:
        cursor.execute("SELECT seed FROM waves_seedcommitment WHERE wave_id = %s", [wave.pk])
        stored = cursor.fetchone()[0]
    assert current(wave).seed not in stored


def test_a_wave_opened_by_the_schedule_has_its_commitment_when_it_opens(frozen):
    # given a wave published with its commitment, and one published without (written straight into the table)
    wave = published()
    bare = WaveFactory()
    commitment = current(wave)
    assert not SeedCommitment.objects.filter(wave=bare).exists()

    # when beat records the openings
    frozen.move_to(wave.opens_at)
    waves_record_schedule()

    # then the published one keeps the commitment it had, and the other gets one as its opening is recorded
    assert current(wave) == commitment
    assert current(bare).committed_at == bare.opens_at


def test_the_selection_uses_exactly_the_committed_seed():
    wave = WaveFactory(closed=True, province_quotas={"32": 2}, pool_unused_quota=False)
    waves_record_schedule()  # its opening recorded: its seed committed
    commitment = current(wave)
    enrollments = [enrolled(wave) for _ in range(5)]

    run = selection_run(wave=wave, acting_user=None)

    assert run.commitment == commitment and run.seed == commitment.seed
    lotteries = dict(Result.objects.filter(run=run).values_list("enrollment_id", "lottery"))
    assert lotteries == {e.pk: lottery_number(commitment.seed, e.registration_number) for e in enrollments}


def test_a_void_retires_the_seed_publicly_and_commits_a_new_one():
    wave = WaveFactory(closed=True, province_quotas={"32": 2}, pool_unused_quota=False)
    waves_record_schedule()
    first = current(wave)
    enrolled_many(wave, 6, provinces=("32",))
    run = selection_run(wave=wave, acting_user=None)
    operator = staff_user(Role.OPERATOR)

    with freeze_time(wave.announce_at - timedelta(hours=1)) as clock:
        selection_void(run=run, acting_user=operator)
        voided_at = clock.time_to_freeze

    first.refresh_from_db()
    assert first.voided_at == voided_at.replace(tzinfo=first.voided_at.tzinfo)
    assert first.voided_by_role == Role.OPERATOR
    second = current(wave)
    assert second.seed != first.seed and second.committed_at == first.voided_at
    again = selection_run(wave=wave, acting_user=None)
    assert again.commitment == second and again.seed == second.seed


def test_run_selection_refuses_a_seed_by_hand_for_a_committed_wave():
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)
    waves_record_schedule()

    with pytest.raises(CommandError, match="seed commitment"):
        call_command("run_selection", wave.number, "--seed", "7", stdout=StringIO(), verbosity=0)

    assert not SelectionRun.objects.exists()
    out = StringIO()
    call_command("run_selection", wave.number, stdout=out, verbosity=0)
    run = SelectionRun.objects.get()
    assert run.seed not in out.getvalue() and current(wave).commitment[:16] in out.getvalue()


def test_run_selection_still_takes_a_seed_for_a_wave_without_a_commitment():
    # given a wave written straight into the table, its times in the past but nothing recorded (tests, benchmarks)
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)

    call_command("run_selection", wave.number, "--seed", "7", stdout=StringIO(), verbosity=0)

    run = SelectionRun.objects.get()
    assert run.seed == "7" and run.commitment is None


def test_staff_do_not_see_the_seed_before_the_announcement(client):
    # given a selected wave, its results hidden until tomorrow, and an operator in the admin
    wave = WaveFactory(opens_at=timezone.now() - timedelta(days=9))
    waves_record_schedule()
    enrolled(wave)
    run = selection_run(wave=wave, acting_user=None)
    commitment = current(wave)
    assert run.seed == commitment.seed
    operator = staff_user(Role.OPERATOR)
    login_verified(client, operator)

    pages = [
        client.get(f"/admin/waves/selectionrun/{run.pk}/change/").content.decode(),
        client.get("/admin/waves/selectionrun/").content.decode(),
        client.get(f"/admin/waves/wave/{wave.pk}/change/").content.decode(),
    ]
    assert "dirahasiakan sampai pengumuman" in pages[0]
    for page in pages:
        assert commitment.seed not in page

    # after the announcement the run shows its seed
    with freeze_time(wave.announce_at + timedelta(minutes=1)):
        login_verified(client, operator)  # a new day, a new session
        page = client.get(f"/admin/waves/selectionrun/{run.pk}/change/").content.decode()
    assert run.seed in page


def test_every_enrollment_gets_an_unguessable_registration_number_of_its_own():
    wave = WaveFactory(closed=True)
    enrolled_many(wave, 50)

    numbers = list(Enrollment.objects.values_list("registration_number", flat=True))

    assert len(set(numbers)) == 50
    assert all(re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", n) for n in numbers)


def test_waves_under_way_when_seeds_began_to_be_committed_get_one_before_they_close(frozen):
    from tests.data_migrations import data_migration_run

    # given a published wave not yet open, an open one, one already closed, and one that has its commitment
    coming, running = WaveFactory(published=True), WaveFactory(open=True)
    closed, committed = WaveFactory(closed=True), published()
    before = current(committed)

    data_migration_run("waves", "0009_seed_commitment_for_waves_under_way")

    for wave in (coming, running):
        assert current(wave).commitment == hashlib.sha256(current(wave).seed.encode("ascii")).hexdigest()
    assert not SeedCommitment.objects.filter(wave=closed).exists()
    assert SeedCommitment.objects.filter(wave=committed).get() == before
