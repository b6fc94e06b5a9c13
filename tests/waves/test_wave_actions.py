"""An operator's far-reaching moves on a wave — open now, close now, run the selection, void its results — go
through a confirmation page that states the consequence (GET changes nothing), need their named permission, and
are refused in the wrong state with the reason in plain words; the page and the service say the same thing
(waves.actions). Once results exist, the quotas and times are locked and the wave cannot be deleted."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission

from accounts.roles import Role
from tests.clock import T0, WIB
from tests.factories import WaveFactory, enrolled_many, staff_user
from tests.helpers import login_verified
from waves.actions import WaveAction, available_actions
from waves.errors import WaveError, WaveErrorCode
from waves.models import ProvinceQuota, RunStatus, SelectionRun, Wave, WaveEvent, WaveStatus
from waves.selection import selection_run
from waves.services import selection_queue, wave_close_now

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def operator(client):
    user = staff_user(Role.OPERATOR)
    login_verified(client, user)
    return user


def url(wave: Wave, action: WaveAction) -> str:
    return f"/admin/waves/wave/{wave.pk}/{action.value}/"


def selected_wave() -> Wave:
    """Closed yesterday, its results not yet announced (in two days)."""
    wave = WaveFactory(
        opens_at=T0 - timedelta(days=8), province_quotas={"32": 2, "31": 1}, quota=3, pool_unused_quota=False
    )
    enrolled_many(wave, 4, provinces=("32",))
    selection_run(wave=wave, acting_user=None, seed=1)
    wave.refresh_from_db()
    return wave


# (action, the wave in a state that allows it, the wave's status after the POST)
ALLOWED = [
    (WaveAction.OPEN, lambda: WaveFactory(draft=True), WaveStatus.OPEN),
    (WaveAction.CLOSE, lambda: WaveFactory(open=True), WaveStatus.CLOSED),
    (WaveAction.VOID, selected_wave, WaveStatus.CLOSED),
]


@pytest.mark.parametrize(("action", "build", "after"), ALLOWED, ids=[a.value for a, _b, _c in ALLOWED])
def test_get_states_the_consequence_and_changes_nothing_post_does_it(client, operator, action, build, after):
    wave = build()
    events = WaveEvent.objects.count()

    page = client.get(url(wave, action))

    html = page.content.decode()
    assert page.status_code == 200
    assert wave.label in html and "Jawa Barat" in html and "Daerah Khusus Ibukota Jakarta" in html  # by name
    assert 'data-testid="consequence"' in html and 'value="Ya, ' in html
    assert Wave.objects.get(pk=wave.pk).status == wave.status and WaveEvent.objects.count() == events

    done = client.post(url(wave, action))

    assert done.status_code == 302 and done.url == f"/admin/waves/wave/{wave.pk}/change/"
    assert Wave.objects.get(pk=wave.pk).status_at(T0) == after


def test_the_selection_page_states_enrollments_quota_and_the_announcement(client, operator):
    wave = WaveFactory(closed=True, province_quotas={"32": 164000}, quota=164000)
    enrolled_many(wave, 3, provinces=("32",))

    html = client.get(url(wave, WaveAction.SELECT)).content.decode()

    assert "Seleksi 3 pendaftar untuk kuota 164.000 tempat" in html
    assert "pengumuman" in html and "diberi tahu" in html
    assert not SelectionRun.objects.exists()


def test_running_the_selection_from_its_page_queues_it(client, operator, django_capture_on_commit_callbacks):
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled_many(wave, 2, provinces=("32",))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(wave, WaveAction.SELECT), follow=True)

    assert "dijalankan" in response.content.decode()
    assert SelectionRun.objects.get().status == RunStatus.SUCCEEDED


@pytest.mark.parametrize("action", list(WaveAction), ids=[a.value for a in WaveAction])
def test_without_the_actions_permission_get_and_post_are_403(client, action):
    user = staff_user(None)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_wave", "change_wave"]))
    login_verified(client, user)
    wave = {WaveAction.OPEN: WaveFactory(draft=True), WaveAction.CLOSE: WaveFactory(open=True)}.get(
        action
    ) or WaveFactory(closed=True)

    assert client.get(url(wave, action)).status_code == 403
    assert client.post(url(wave, action)).status_code == 403
    assert Wave.objects.get(pk=wave.pk).status == wave.status


def test_selection_of_an_open_wave_is_refused_with_when_it_closes(client, operator):
    closes = datetime(2026, 12, 9, 23, 59, tzinfo=WIB)
    wave = WaveFactory(opens_at=T0 - timedelta(days=1), closes_at=closes, announce_at=closes + timedelta(days=3))
    expected = (
        "Gelombang masih dibuka sampai 9 Desember 2026 pukul 23.59 WIB; seleksi dapat dijalankan setelah ditutup."
    )

    page = client.get(url(wave, WaveAction.SELECT)).content.decode()
    refused = client.post(url(wave, WaveAction.SELECT))

    assert expected in page and 'value="Ya, ' not in page
    assert refused.status_code == 409 and expected in refused.content.decode()
    assert not SelectionRun.objects.exists()
    assert selection_queue(wave=wave, acting_user=None) is False


def test_the_wave_page_offers_only_what_its_state_allows_and_says_why_not(client, operator):
    wave = WaveFactory(open=True)

    html = client.get(f"/admin/waves/wave/{wave.pk}/change/").content.decode()

    assert 'data-testid="wave-action-tutup"' in html
    for refused in ("buka", "seleksi", "batalkan-seleksi"):
        assert f'data-testid="wave-action-{refused}"' not in html
    assert "seleksi dapat dijalankan setelah ditutup" in html


def test_the_service_refuses_with_the_same_sentence_as_the_page(operator):
    wave = WaveFactory(closed=True)
    offer = {o.action: o for o in available_actions(wave=wave, now=T0, user=operator)}[WaveAction.CLOSE]

    with pytest.raises(WaveError) as refused:
        wave_close_now(wave=wave, acting_user=operator)

    assert not offer.allowed and refused.value.code == WaveErrorCode.TRANSITION_NOT_ALLOWED
    assert refused.value.params["why"] == offer.why


def test_void_after_the_announcement_is_refused(client, operator):
    wave = selected_wave()
    Wave.objects.filter(pk=wave.pk).update(announce_at=T0 - timedelta(minutes=1))  # announced by time a minute ago

    refused = client.post(url(wave, WaveAction.VOID))

    assert refused.status_code == 409 and "tidak dapat dibatalkan" in refused.content.decode()
    assert SelectionRun.objects.get().status == RunStatus.SUCCEEDED


def test_the_old_bulk_actions_are_gone_from_the_list(client, operator):
    wave = WaveFactory(open=True)

    html = client.get("/admin/waves/wave/").content.decode()
    client.post("/admin/waves/wave/", {"action": "close_now", "_selected_action": [wave.pk]})

    assert 'value="close_now"' not in html and 'value="run_selection"' not in html
    assert Wave.objects.get(pk=wave.pk).status_at(T0) == WaveStatus.OPEN


# --- Locks once results exist ----------------------------------------------------------------------------------


def test_quotas_and_times_are_read_only_once_results_exist(client, operator):
    wave = selected_wave()

    html = client.get(f"/admin/waves/wave/{wave.pk}/change/").content.decode()

    assert 'name="quota"' not in html and 'name="closes_at_0"' not in html
    assert 'name="province_quotas-0-quota"' not in html
    assert "dikunci" in html and "field-quota_shown" in html  # shown as the list shows it


def test_quotas_are_editable_before_results(client, operator):
    wave = WaveFactory(closed=True)

    html = client.get(f"/admin/waves/wave/{wave.pk}/change/").content.decode()

    assert 'name="quota"' in html and 'name="province_quotas-0-quota"' in html


def test_the_model_refuses_to_change_quotas_or_times_once_results_exist():
    wave = selected_wave()

    wave.quota = 10
    with pytest.raises(WaveError) as refused:
        wave.save()
    assert refused.value.code == WaveErrorCode.WAVE_LOCKED and refused.value.params["fields"] == ["quota"]
    quota = ProvinceQuota.objects.filter(wave=wave).first()
    quota.quota = 5
    with pytest.raises(WaveError):
        quota.save()
    with pytest.raises(WaveError):
        quota.delete()
    assert Wave.objects.get(pk=wave.pk).quota == 3


def test_a_wave_with_results_cannot_be_deleted(client):
    superuser = staff_user(None, is_superuser=True)
    login_verified(client, superuser)
    wave = selected_wave()

    page = client.get(f"/admin/waves/wave/{wave.pk}/change/").content.decode()

    assert f"/admin/waves/wave/{wave.pk}/delete/" not in page
    assert client.post(f"/admin/waves/wave/{wave.pk}/delete/", {"post": "yes"}).status_code == 403
    with pytest.raises(WaveError):
        wave.delete()
    assert Wave.objects.filter(pk=wave.pk).exists()
