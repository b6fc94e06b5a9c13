import re

import pytest

from tests.factories import WaveFactory, enrolled
from waves.models import RunStatus, SelectionRun, Wave, WaveStatus

pytestmark = pytest.mark.django_db


def test_jalankan_seleksi_runs_the_selection_of_a_closed_wave_from_admin(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/waves/wave/{wave.pk}/seleksi/", follow=True)

    assert "Seleksi Gelombang 1 dijalankan" in response.content.decode()
    run = SelectionRun.objects.get()
    assert run.operator == admin_user and run.status == RunStatus.SUCCEEDED
    assert Wave.objects.get().status == WaveStatus.SELECTED
    page = admin_client.get(f"/admin/waves/selectionrun/{run.pk}/change/").content.decode()
    assert "Jawa Barat" in page  # its counts per province, by name


def test_jalankan_seleksi_refuses_a_wave_that_is_still_open(admin_client):
    wave = WaveFactory(open=True)

    response = admin_client.post(f"/admin/waves/wave/{wave.pk}/seleksi/")

    assert response.status_code == 409 and "masih dibuka sampai" in response.content.decode()
    assert not SelectionRun.objects.exists()


def test_the_wave_list_shows_quotas_that_do_not_add_up(admin_client):
    wave = WaveFactory(closed=True, province_quotas={"32": 1})
    Wave.objects.filter(pk=wave.pk).update(quota=5)

    html = admin_client.get("/admin/waves/wave/").content.decode()

    assert "⚠" in html


def test_each_province_quota_input_is_named_by_its_column_and_province(admin_client):
    """The quota inline's inputs stand under column headings with no <label>: screen readers (and axe-core,
    tests/browser/test_journey.py) need a name for each."""
    wave = WaveFactory()

    html = admin_client.get(f"/admin/waves/wave/{wave.pk}/change/").content.decode()

    assert 'aria-label="Kuota: Jawa Barat"' in html and 'aria-label="Kuota: Daerah Khusus Ibukota Jakarta"' in html
    assert 'aria-label="Hapus: Jawa Barat"' in html
    provinces = re.findall(r'<select name="province_quotas-(\d)-province" aria-label="([^"]*)"', html)
    assert provinces == [("0", "Provinsi: Jawa Barat"), ("1", "Provinsi: Daerah Khusus Ibukota Jakarta")]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_jalankan_seleksi_works_outside_a_test_transaction_on_postgresql(admin_client):
    """The admin's list view runs its actions in autocommit: a service that locks rows must open its own
    transaction (the other tests here run inside one and would not notice)."""
    from django.db import connection

    from tests.helpers import require_service

    if connection.vendor != "postgresql":
        require_service("postgresql")
    wave = WaveFactory(closed=True, province_quotas={"32": 1}, pool_unused_quota=False)
    enrolled(wave)

    response = admin_client.post(f"/admin/waves/wave/{wave.pk}/seleksi/", follow=True)

    assert "Seleksi Gelombang 1 dijalankan" in response.content.decode()
    assert SelectionRun.objects.get().status == RunStatus.SUCCEEDED
