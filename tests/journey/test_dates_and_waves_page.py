"""Dates that make sense (issue #16): a deadline already gone is said as such with what to do next; after a wave the
progress reads as step 8 again, not a step back; the waves page names each wave once, says when an open wave
closes, lists the waves still to open with the places of the applicant's province; and an English page says that
a legal text is binding in Indonesian."""

from datetime import timedelta

import pytest
from django.conf import settings
from freezegun import freeze_time

from tests.clock import T0, WIB
from tests.factories import ApplicantFactory, WaveFactory
from waves.models import Card

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_before_the_first_training_deadline_the_dashboard_gives_the_date(client):
    user = ApplicantFactory(selected=True)
    client.force_login(user)

    html = client.get("/dashboard/").content.decode()

    assert "Batas membeli pelatihan pertama" in html
    assert "telah lewat" not in html


def test_after_the_first_training_deadline_the_dashboard_says_it_passed_and_what_to_do(client):
    user = ApplicantFactory(selected=True)
    client.force_login(user)
    deadline = Card.objects.get(user=user).first_training_deadline

    with freeze_time(deadline + timedelta(days=1)):
        client.force_login(user)  # a new session: the one above ended with its idle time
        html = client.get("/dashboard/").content.decode()

    day = deadline.astimezone(WIB)
    assert f"Batas pembelian pelatihan pertama telah lewat ({day.day} " in html
    assert "Hubungi pusat bantuan Kartu Prakerja" in html
    assert settings.PORTAL_HELP_CONTACTS["email"] in html
    assert "Batas membeli pelatihan pertama" not in html


def test_after_a_lost_wave_the_progress_is_step_8_of_8_for_the_next_wave(client):
    user = ApplicantFactory(not_selected=True)
    client.force_login(user)

    html = client.get("/dashboard/").content.decode()

    assert "Langkah 8 dari 8: gabung gelombang berikutnya" in html
    assert "7 dari 8 selesai" not in html
    assert "Gabung gelombang berikutnya" in html
    assert '<progress class="portal-progress mb-3" value="8" max="8"' in html


def test_the_waves_page_names_each_wave_once_and_lists_upcoming_ones_with_the_provinces_quota(client):
    user = ApplicantFactory(test_passed=True)  # domicile in Jawa Barat
    client.force_login(user)
    WaveFactory(number=4, open=True, province_quotas={"32": 120, "31": 50})
    WaveFactory(number=5, published=True, province_quotas={"32": 300})
    WaveFactory(number=6, published=True, published_at=None, province_quotas={"32": 300})  # still a draft
    WaveFactory(number=7, published=True, province_quotas={"31": 300})  # not for Jawa Barat

    html = client.get("/dashboard/gelombang/").content.decode()

    assert "Gelombang 4 · Gelombang 4" not in html and html.count("Gelombang 4") == 1
    assert "Ditutup pada" in html
    assert "Kuota provinsi Anda" in html and ">120<" in html
    upcoming = html.split('data-testid="upcoming-waves"')[1]
    assert "Gelombang 5" in upcoming
    opens = (T0 + timedelta(days=14)).strftime("%-d")
    assert f"Dibuka pada {opens} Desember 2026" in upcoming
    assert "Kuota provinsi Anda: 300." in upcoming
    assert "Gelombang 6" not in html and "Gelombang 7" not in html


def test_a_wave_with_a_name_of_its_own_shows_both_once(client):
    user = ApplicantFactory(test_passed=True)
    client.force_login(user)
    WaveFactory(number=9, name="Gelombang Khusus Pascabencana", open=True)

    html = client.get("/dashboard/gelombang/").content.decode()

    assert "Gelombang 9 (Gelombang Khusus Pascabencana)" in html


def test_an_english_declaration_page_says_the_official_text_is_indonesian(client):
    user = ApplicantFactory(phone_verified=True)
    client.force_login(user)

    indonesian = client.get("/dashboard/pernyataan/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/dashboard/pernyataan/").content.decode()

    assert "data-official-text-note" not in indonesian
    assert "The official text is available in Bahasa Indonesia only" in english
    assert 'lang="id"' in english


def test_an_english_persetujuan_page_says_the_official_text_is_indonesian(client):
    user = ApplicantFactory(test_passed=True)
    client.force_login(user)
    wave = WaveFactory(open=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(f"/dashboard/gelombang/{wave.number}/persetujuan/").content.decode()

    assert "The official text is available in Bahasa Indonesia only" in html
