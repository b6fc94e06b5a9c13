"""Every record shown in the admin reads as words, not "WaveEvent object (4)": its kind, its number, its status,
names instead of codes, and never an applicant's personal data."""

import pytest
from django.apps import apps
from django.db import models

from tests.clock import T0
from tests.factories import ComplaintFactory, WaveFactory, enrolled
from waves.models import Card, Enrollment, ProvinceQuota, Result, SelectionRun, WaveEvent
from waves.selection import selection_run
from waves.services import wave_close_now

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PORTAL_APPS = {"accounts", "verification", "assessment", "waves", "notifications", "audit", "regions", "dukcapil"}


def test_every_model_of_the_portal_has_its_own_str():
    plain = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in PORTAL_APPS and model.__str__ is models.Model.__str__
    ]

    assert not plain, f"give these a __str__: {plain}"


def test_the_waves_records_read_as_words(private_media):
    from tests.factories import staff_user

    wave = WaveFactory(open=True, province_quotas={"32": 164000}, quota=164000, pool_unused_quota=False)
    enrollment = enrolled(wave)
    wave_close_now(wave=wave, acting_user=staff_user(None))
    run = selection_run(wave=wave, acting_user=None, seed=1)
    complaint = ComplaintFactory()

    assert str(ProvinceQuota.objects.get(wave=wave)) == "Jawa Barat: 164.000"
    assert str(WaveEvent.objects.get(wave=wave, to_status="closed")) == (
        f"Dibuka → Ditutup, {T0.day} Desember 2026 pukul {T0.strftime('%H.%M')} WIB"
    )
    assert str(Enrollment.objects.get(pk=enrollment.pk)) == f"Pendaftaran #{enrollment.pk} di gelombang {wave.number}"
    assert str(SelectionRun.objects.get(pk=run.pk)) == f"Proses seleksi #{run.pk} (Berhasil)"
    assert str(complaint) == f"Pengaduan #{complaint.pk} (Menunggu peninjauan)"
    result = Result.objects.get(run=run)
    assert str(result) == f"{run.pk}/{enrollment.pk}: terpilih"
    card = Card.objects.get()
    assert "••••••••" in str(card)
    for record in (enrollment, run, complaint, result, card):
        assert "object (" not in str(record)
    name = enrollment.user.personal_data.full_name
    assert all(name not in str(record) for record in (enrollment, run, complaint, result))
