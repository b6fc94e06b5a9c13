"""The operator console's pages: who may open them, what they show, and that they cost the same few queries
whatever the number of applicants, provinces or runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from console.models import FunnelCount, FunnelSnapshot
from console.services import funnels_refresh
from tests.factories import (
    ApplicantFactory,
    SelectionRunFactory,
    UserFactory,
    WaveFactory,
    enrolled_many,
    reviewer,
    staff_user,
)
from tests.helpers import login_verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def wave():
    return WaveFactory()


def urls(wave):
    return [
        "/operator/",
        f"/operator/gelombang/{wave.number}/",
        f"/operator/gelombang/{wave.number}/corong.csv",
    ]


def test_anonymous_goes_to_the_login(client, wave):
    for url in [*urls(wave), f"/operator/gelombang/{wave.number}/hasil.csv"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/masuk/?next=/operator/")


@pytest.mark.parametrize(
    "who",
    [
        lambda: ApplicantFactory(test_passed=True),
        lambda: staff_user(None),
        reviewer,
    ],
    ids=["applicant", "staff without a group", "reviewer"],
)
def test_anyone_else_signed_in_is_refused(client, wave, who):
    login_verified(client, who())

    for url in [*urls(wave), f"/operator/gelombang/{wave.number}/hasil.csv"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/operator/gelombang/{wave.number}/hitung-ulang/").status_code == 403


def test_an_operator_passes_the_second_factor_first(client, wave):
    client.force_login(staff_user(Role.OPERATOR))

    response = client.get("/operator/")

    assert response.status_code == 302
    assert response.url.startswith("/akun/") or "next=%2Foperator%2F" in response.url


def test_operators_and_superusers_open_the_console(client, operator_client, wave):
    login_verified(client, UserFactory(verified=True, is_staff=True, is_superuser=True))
    for url in urls(wave):
        assert operator_client.get(url).status_code == 200, url
        assert client.get(url).status_code == 200, url


def test_the_funnel_reads_in_indonesian_numbers_with_a_table_for_screen_readers(operator_client, wave):
    snapshot = FunnelSnapshot.objects.create(wave=wave, as_of=timezone.now(), computed_at=timezone.now(), seconds=1)
    FunnelCount.objects.create(
        snapshot=snapshot, province_id="32", accounts=5_965_048, email_verified=4_428_669, ktp_verified=3_294_190
    )

    page = operator_client.get(f"/operator/gelombang/{wave.number}/").content.decode()

    assert "5.965.048" in page and "4.428.669" in page
    assert "(−25,8%)" in page  # 4,428,669 of 5,965,048: a quarter lost at the email
    assert '<table class="visually-hidden">' in page
    assert "<svg" in page and "Jawa Barat" in page
    assert 'http-equiv="refresh"' not in page


def test_a_running_selection_refreshes_the_page_until_it_ends(operator_client):
    run = SelectionRunFactory(running=True)

    page = operator_client.get("/operator/").content.decode()
    wave_page = operator_client.get(f"/operator/gelombang/{run.wave.number}/").content.decode()

    assert 'http-equiv="refresh"' in page and 'http-equiv="refresh"' in wave_page
    assert "Sedang berjalan" in page


def test_a_finished_run_shows_selected_and_quota_per_province_by_name_and_reasons_by_label(operator_client):
    wave = WaveFactory(closed=True)
    enrolled_many(wave, 4, provinces=("31",))
    SelectionRunFactory(wave=wave)

    page = operator_client.get("/operator/").content.decode()

    assert "Daerah Khusus Ibukota Jakarta" in page and "Jawa Barat" in page
    assert "Terpilih <strong>4</strong> dari kuota 150 (4 pendaftar)." in page
    assert "Semua pendaftar terpilih." in page


def test_the_refresh_button_counts_the_funnel_again(operator_client, wave):
    ApplicantFactory()

    response = operator_client.post(f"/operator/gelombang/{wave.number}/hitung-ulang/")

    assert response.status_code == 302
    assert FunnelSnapshot.objects.get(wave=wave).counts.get().accounts == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_queries_do_not_grow_with_applicants_provinces_or_runs(operator_client):
    small = WaveFactory(closed=True, province_quotas={"32": 1})
    enrolled_many(small, 2, provinces=("32",))
    SelectionRunFactory(wave=small)
    funnels_refresh()
    few = [_queries(operator_client, "/operator/"), _queries(operator_client, f"/operator/gelombang/{small.number}/")]

    big = WaveFactory(closed=True, province_quotas=dict.fromkeys(("11", "12", "31", "32", "33", "35", "51"), 3))
    enrolled_many(big, 40, provinces=("11", "12", "31", "32", "33", "35", "51"))
    SelectionRunFactory(wave=big)
    WaveFactory(province_quotas={"32": 5, "33": 5, "35": 5})  # open now, the console's wave
    ApplicantFactory.create_batch(3, phone_verified=True)
    ApplicantFactory(personal_data_done=True, domicile="31.71.01")
    funnels_refresh()
    many = [_queries(operator_client, "/operator/"), _queries(operator_client, f"/operator/gelombang/{big.number}/")]

    assert many == few, (many, few)
    assert min(few) > 5, few


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_consoles_numbers_read_as_djangos_own_formats(language):
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from console.templatetags.console_numbers import number, percent

    with translation.override(language):
        for value in (0, 7, 999, 1_000, 164_000, 5_965_048):
            assert number(value) == intcomma(value)
        for value in (0.0, 25.81, 100.0, 3.05):
            assert percent(value) == floatformat(value, "1")


def test_in_english_the_console_reads_in_english_with_english_numbers(operator_client, wave, settings):
    snapshot = FunnelSnapshot.objects.create(wave=wave, as_of=timezone.now(), computed_at=timezone.now(), seconds=1)
    FunnelCount.objects.create(snapshot=snapshot, province_id="32", accounts=5_965_048, email_verified=4_428_669)
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = operator_client.get(f"/operator/gelombang/{wave.number}/").content.decode()

    assert "Registration funnel" in page and "Count the funnel again" in page
    assert "5,965,048" in page and "(−25.8%)" in page


def test_a_waves_moves_lead_to_their_confirmation_pages_and_forbidden_ones_say_why(operator_client):
    open_wave = WaveFactory(open=True)

    html = operator_client.get(f"/operator/gelombang/{open_wave.number}/").content.decode()

    # Open now: closing is offered, through the admin's confirmation page; selecting is not, with the reason.
    assert f'href="/admin/waves/wave/{open_wave.pk}/tutup/"' in html
    assert f'href="/admin/waves/wave/{open_wave.pk}/seleksi/"' not in html
    assert "seleksi dapat dijalankan setelah ditutup" in html
    # The page itself changes nothing: the confirmation page does, on its own POST.
    open_wave.refresh_from_db()
    assert open_wave.status_at(timezone.now()) == "open"
