"""Progress by phase while a selection runs: published outside the run's transaction, read by the admin and
shown by the command's progress bar; gone once the run has ended."""

import io

import pytest
from django.core.management import call_command

from tests.factories import WaveFactory, enrolled
from waves.models import RunStatus, SelectionRun
from waves.progress import Progress, progress_read
from waves.selection import selection_run
from waves.selectors import selection_progress

pytestmark = pytest.mark.django_db


def test_each_phase_is_published_when_it_starts_and_when_it_ends_with_its_seconds(db):
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)
    enrolled(wave)
    seen: list[Progress] = []

    def watch(progress: Progress) -> None:
        run = SelectionRun.objects.get(wave=wave, status=RunStatus.RUNNING)
        seen.append(selection_progress(run=run))  # what the admin reads, from the cache

    run = selection_run(wave=wave, acting_user=None, seed=1, on_progress=watch)

    planned = ("rules_and_ranking", "kk_cap", "cards", "announcement_messages", "counts")
    assert all(progress.planned == planned for progress in seen)
    assert [(p.current, p.position, p.total) for p in seen[:3]] == [
        (None, 0, 5),
        ("rules_and_ranking", 1, 5),
        (None, 1, 5),
    ]
    assert [p.current for p in seen if p.current] == list(planned)
    assert [phase.name for phase in seen[-1].done] == list(planned)
    assert [phase.seconds for phase in seen[-1].done] == [phase["seconds"] for phase in run.phases]
    assert progress_read(run_id=run.pk) is None  # ended: the row has the phases


def test_the_admin_shows_the_phase_under_way_of_a_running_selection(db, admin_client):
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=True)
    enrolled(wave)
    pages: dict[str, str] = {}

    def look(progress: Progress) -> None:
        if progress.current == "national_pool":
            run = SelectionRun.objects.get(wave=wave, status=RunStatus.RUNNING)
            pages["run"] = admin_client.get(f"/admin/waves/selectionrun/{run.pk}/change/").content.decode()
            pages["wave"] = admin_client.get(f"/admin/waves/wave/{wave.pk}/change/").content.decode()
            pages["list"] = admin_client.get("/admin/waves/wave/").content.decode()

    run = selection_run(wave=wave, acting_user=None, seed=1, on_progress=look)

    assert "Sedang berjalan: fase Kuota nasional (3/6)" in pages["run"]
    assert "Aturan, undian, dan kuota provinsi:" in pages["run"] and "Batas 2 penerima per KK:" in pages["run"]
    assert "Sedang berjalan: fase Kuota nasional (3/6)" in pages["wave"]
    assert "fase 3/6" in pages["list"]
    finished = admin_client.get(f"/admin/waves/selectionrun/{run.pk}/change/").content.decode()
    assert "Sedang berjalan" not in finished and "Pesan pengumuman:" in finished


def test_a_failed_run_leaves_no_progress_behind(db, monkeypatch):
    from waves import selection
    from waves.selection import SelectionFailed

    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)
    monkeypatch.setattr(
        selection.run, "cards_issue", lambda run, wave: (_ for _ in ()).throw(RuntimeError("disk full"))
    )

    with pytest.raises(SelectionFailed):
        selection_run(wave=wave, acting_user=None, seed=1)

    run = SelectionRun.objects.get()
    assert run.status == RunStatus.FAILED and progress_read(run_id=run.pk) is None


def test_run_selection_shows_a_progress_bar_by_phase_on_stderr(db):
    wave = WaveFactory(closed=True, number=4, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)
    out, err = io.StringIO(), io.StringIO()

    call_command("run_selection", "4", "--seed", "2", stdout=out, stderr=err)

    assert "5/5" in err.getvalue() and "Pesan pengumuman" in err.getvalue()
    assert "1 of 1 enrollments selected" in out.getvalue()
    assert "Penerbitan kartu" in out.getvalue()
