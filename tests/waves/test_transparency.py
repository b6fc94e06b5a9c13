"""/transparansi/ (docs/LOTTERY.md): the commitment public from the wave's publication, the seed, the figures and
the anonymous list only from its announcement; the list checked by tools/verify_lottery.py against a real
selection, and against the database for anything that links a row to a person."""

import csv
import hashlib
import importlib.util
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from freezegun import freeze_time

from accounts.roles import Role
from tests.factories import (
    ApplicantFactory,
    EnrollmentFactory,
    WaveFactory,
    earlier_cards,
    enrolled_many,
    lost_wave,
    staff_user,
)
from verification.models import IdentityVerification
from waves.lottery import lottery_number
from waves.models import Card, Enrollment, Result, SeedCommitment, SelectionRun
from waves.selection import selection_run
from waves.services import wave_publish, waves_record_schedule
from waves.transparency import CSV_COLUMNS

pytestmark = pytest.mark.django_db


def _verifier():
    spec = importlib.util.spec_from_file_location("verify_lottery", Path(settings.BASE_DIR) / "tools/verify_lottery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def selected_wave():
    """A wave published by an operator (its seed committed then), closed two days ago, selected with that seed
    and announced tomorrow. Whatever the seed, the KK cap sets some aside and the national pool takes some:
    Jawa Barat (4 places) has 8 families of 3 with one card each from an earlier wave, so it selects 4 families
    and leaves 4 with room; DKI Jakarta (14 places) has 6 applicants and two members of one such family, the
    second of whom the cap sets aside, and gives its 7 unused places to the pool."""
    now = timezone.now()
    earlier = WaveFactory(announced=True, opens_at=now - timedelta(days=90))
    wave = WaveFactory(
        draft=True, opens_at=now - timedelta(days=9), province_quotas={"32": 4, "31": 14}, pool_unused_quota=True
    )
    wave_publish(wave=wave, acting_user=staff_user(Role.OPERATOR), now=wave.opens_at - timedelta(days=1))
    waves_record_schedule()
    families = [f"3276010109{n:06d}" for n in range(9)]
    fresh = [f"3276010108{n:06d}" for n in range(6)]
    kks = [kk for kk in families[:8] for _member in range(3)] + [families[8], families[8], *fresh]
    enrolled_many(wave, len(kks), provinces=["32"] * 24 + ["31"] * 8, kks=kks)
    earlier_cards(earlier, dict.fromkeys(families, 1))
    run = selection_run(wave=wave, acting_user=None)
    return wave, run


def csv_rows(client, wave) -> list[dict]:
    response = client.get(f"/transparansi/gelombang/{wave.number}/undian.csv")
    assert response.status_code == 200 and response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_before_the_announcement_only_the_commitment_is_public(client):
    wave, run = selected_wave()
    commitment = SeedCommitment.objects.get(wave=wave)

    index = client.get("/transparansi/").content.decode()
    page = client.get(f"/transparansi/gelombang/{wave.number}/").content.decode()

    assert commitment.commitment in index and commitment.commitment in page
    assert run.seed not in index and run.seed not in page
    assert client.get(f"/transparansi/gelombang/{wave.number}/undian.csv").status_code == 404


def test_from_the_announcement_the_seed_figures_and_list_are_public(client):
    wave, run = selected_wave()

    with freeze_time(wave.announce_at):
        page = client.get(f"/transparansi/gelombang/{wave.number}/").content.decode()
        rows = csv_rows(client, wave)

    assert run.seed in page and "sama dengan komitmen" in page
    counts = run.counts["provinces"]
    assert counts["32"]["cut"]["lottery"] in page
    assert list(rows[0]) == list(CSV_COLUMNS)
    candidates = Result.objects.filter(run=run, province_rank__isnull=False)
    assert len(rows) == candidates.count()
    assert {row["outcome"] for row in rows} <= {"selected", "selected_pool", "quota", "kk_cap"}
    assert sum(row["outcome"] == "selected_pool" for row in rows) == run.counts["from_pool"] > 0
    assert sum(row["outcome"] == "kk_cap" for row in rows) == run.counts["reasons"]["kk_cap"] > 0


def test_the_verifier_recomputes_an_applicants_number_and_finds_the_list_consistent(client, tmp_path, capsys):
    # given an announced wave, its list downloaded, and an applicant of it who was not selected
    wave, run = selected_wave()
    with freeze_time(wave.announce_at):
        response = client.get(f"/transparansi/gelombang/{wave.number}/undian.csv")
        (tmp_path / "list.csv").write_bytes(b"".join(response.streaming_content))
    mine = Result.objects.filter(run=run, selected=False, province_rank__isnull=False).select_related("enrollment")[0]
    commitment = SeedCommitment.objects.get(wave=wave).commitment
    verifier = _verifier()

    # when they run the verifier with the revealed seed and their own number, typed in small letters
    code = verifier.main(
        [
            "--seed",
            run.seed,
            "--commitment",
            commitment,
            "--registration",
            mine.enrollment.registration_number.lower(),
            "--csv",
            str(tmp_path / "list.csv"),
        ]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert "commitment: OK" in out and "consistent" in out
    assert mine.lottery in out and f"place {mine.province_rank}," in out and f"outcome {mine.reason}" in out


def test_the_verifier_finds_a_list_where_a_selection_was_moved(client, tmp_path, capsys):
    wave, run = selected_wave()
    with freeze_time(wave.announce_at):
        rows = csv_rows(client, wave)
    # Jawa Barat's last selection swapped with a place after it
    jabar = [row for row in rows if row["province"] == "32"]
    last = max((row for row in jabar if row["outcome"] == "selected"), key=lambda row: int(row["place"]))
    next_out = next(row for row in jabar if int(row["place"]) > int(last["place"]))
    last["outcome"], next_out["outcome"] = "quota", "selected"

    assert _verifier().check_list(rows)
    assert _verifier().main(["--seed", run.seed, "--commitment", "0" * 64]) == 1
    capsys.readouterr()


def test_the_published_list_links_no_row_to_a_person_or_a_family(client):
    # given an announced wave's list
    wave, run = selected_wave()
    with freeze_time(wave.announce_at):
        rows = csv_rows(client, wave)
        text = "\n".join(",".join(row.values()) for row in rows)

    # then it holds exactly the published columns, in place order within each province
    assert all(list(row) == list(CSV_COLUMNS) for row in rows)
    assert [(row["province"], int(row["place"])) for row in rows] == sorted(
        (row["province"], int(row["place"])) for row in rows
    )
    # and no value the database ties to a person, a family or a card
    enrollments = Enrollment.objects.filter(wave=wave)
    users = enrollments.values_list("user_id", flat=True)
    linkable = {
        *enrollments.values_list("registration_number", flat=True),
        *IdentityVerification.objects.filter(user_id__in=users).values_list("kk_digest", "nik_digest").distinct(),
        *Card.objects.filter(wave=wave).values_list("number", flat=True),
        *enrollments.values_list("user__email", flat=True),
    }
    flat = {v for value in linkable for v in (value if isinstance(value, tuple) else (value,))}
    assert not any(value in text for value in flat)
    # and the lottery numbers cannot be recomputed from sequential ids: none is the hash of an id
    ids = {*enrollments.values_list("pk", flat=True), *users}
    by_id = {hashlib.sha256(f"{run.seed}:{n}".encode()).hexdigest() for n in ids}
    assert not by_id & {row["lottery"] for row in rows}


def test_a_wave_without_a_commitment_says_so_after_its_announcement(client):
    wave = WaveFactory(announced=True)  # selected with a seed given by hand

    page = client.get(f"/transparansi/gelombang/{wave.number}/").content.decode()

    assert "tidak memakai benih yang dikomitmenkan" in page


def test_an_applicant_not_selected_sees_their_own_lottery_figures_and_the_cut(client):
    user = ApplicantFactory(test_passed=True)
    wave = lost_wave(user)
    client.force_login(user)

    page = client.get("/dashboard/").content.decode()

    mine = Result.objects.get(enrollment__user=user, run__wave=wave)
    cut = SelectionRun.objects.get(wave=wave).counts["provinces"]["32"]["cut"]
    assert mine.enrollment.registration_number in page
    assert mine.lottery in page and cut["lottery"] in page
    assert "/transparansi/cara-memeriksa/" in page
    assert mine.lottery == lottery_number(mine.run.seed, mine.enrollment.registration_number)


def test_an_applicant_waiting_for_the_results_sees_their_registration_number(client):
    wave = WaveFactory(open=True)
    enrollment = EnrollmentFactory(wave=wave)
    client.force_login(enrollment.user)

    page = client.get("/dashboard/").content.decode()

    assert enrollment.registration_number in page


def test_the_explanation_page_is_public_in_both_languages(client):
    page = client.get("/transparansi/cara-memeriksa/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/transparansi/cara-memeriksa/").content.decode()

    assert "Cara memeriksa undian" in page and "verify_lottery.py" in page
    assert "How to check the lottery" in english


def test_a_void_before_the_announcement_shows_publicly_with_its_time_and_role(client):
    from waves.services import selection_void

    wave, run = selected_wave()
    first = SeedCommitment.objects.get(wave=wave)

    with freeze_time(wave.announce_at - timedelta(hours=2)):
        selection_void(run=run, acting_user=staff_user(Role.OPERATOR))
        page = client.get(f"/transparansi/gelombang/{wave.number}/").content.decode()

    second = SeedCommitment.objects.get(wave=wave, voided_at__isnull=True)
    assert first.commitment in page and second.commitment in page
    assert "dibatalkan sebelum pengumuman" in page and str(Role.OPERATOR) in page
    assert first.seed not in page and second.seed not in page
