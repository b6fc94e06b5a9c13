"""The layout every page shares (templates/base.html): its title, the header's help contacts and menu, the
footer, the favicon, and the way back from each step page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import ApplicantFactory, Step, WaveFactory

pytestmark = pytest.mark.django_db


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.DOTALL)[1].strip()


@pytest.mark.parametrize(("url", "title"), [("/", "Beranda"), ("/daftar/", "Buat akun"), ("/masuk/", "Masuk")])
def test_a_page_title_names_the_page_then_the_portal(client, url, title):
    assert title_of(client.get(url).content.decode()) == f"{title} – Kartu Prakerja"


def test_the_dashboards_title_is_not_glued_to_the_portals_name(client, applicant):
    assert title_of(client.get("/dashboard/").content.decode()) == "Dasbor – Kartu Prakerja"


def test_the_header_and_footer_show_the_help_contacts_from_the_settings(client, settings):
    settings.PORTAL_HELP_CONTACTS = {"call_center": "1500-999", "email": "tolong@contoh.id"}

    html = client.get("/").content.decode()

    assert html.count('href="tel:1500-999"') == 2  # header and footer
    assert html.count('href="mailto:tolong@contoh.id"') == 2


def test_an_empty_call_center_is_left_out(client, settings):
    settings.PORTAL_HELP_CONTACTS = {"call_center": "", "email": "tolong@contoh.id"}

    assert 'href="tel:' not in client.get("/").content.decode()


def test_the_footer_links_the_privacy_policy_and_the_terms(client):
    footer = client.get("/").content.decode().split("<footer", 1)[1]

    assert f'href="{reverse("accounts:privacy_policy")}">Kebijakan Privasi<' in footer
    assert f'href="{reverse("accounts:terms")}">Syarat dan Ketentuan<' in footer


def test_the_menu_opens_without_javascript_and_holds_dashboard_and_logout(client, applicant):
    html = client.get("/dashboard/").content.decode()
    menu = re.search(r'<details class="pk-menu">(.*?)</details>', html, re.DOTALL)[1]

    assert "<summary" in menu
    assert f'href="{reverse("journey:dashboard")}"' in menu
    assert f'action="{reverse("accounts:logout")}"' in menu and ">Keluar</button>" in menu
    assert "data-bs-toggle" not in html


def test_the_favicon_redirects_to_a_static_icon_that_exists(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response.url.endswith("img/favicon.ico")
    assert finders.find("img/favicon.ico") and finders.find("img/favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


STEP_PAGES = [
    (Step.EMAIL_VERIFIED, "journey:ktp_verify"),
    (Step.IDENTITY_VERIFIED, "journey:personal_data"),
    (Step.PERSONAL_DATA, "journey:ktp_photo"),
    (Step.KTP_PHOTO, "journey:phone_verify"),
    (Step.PHONE_VERIFIED, "journey:declaration"),
    (Step.DECLARED, "journey:assessment_start"),
]


@pytest.mark.parametrize(("step", "name"), STEP_PAGES)
def test_every_step_page_has_a_link_back_to_the_dashboard(client, step, name):
    client.force_login(ApplicantFactory(step=step))

    html = client.get(reverse(name)).content.decode()

    assert back_link() in html


def test_the_wave_pages_have_the_link_back_too(client):
    wave = WaveFactory(open=True)
    client.force_login(ApplicantFactory(test_passed=True))

    for url in (reverse("journey:wave_list"), reverse("journey:wave_confirm", args=[wave.number])):
        assert back_link() in client.get(url).content.decode(), url


def back_link() -> str:
    return f'<a class="pk-back" href="{reverse("journey:dashboard")}" data-testid="back-link">Kembali ke Dasbor</a>'


def test_the_region_buttons_bring_the_page_back_at_the_domicile_fieldset(client):
    client.force_login(ApplicantFactory(step=Step.IDENTITY_VERIFIED))

    html = client.post(reverse("journey:personal_data"), {"province": "32", "refresh": "province"}).content.decode()

    assert '<fieldset id="domisili"' in html
    assert len(re.findall(r'name="refresh" value="\w+" formaction="#domisili"', html)) == 2
    assert f'<form method="post" action="{reverse("journey:personal_data")}"' in html  # the final submit: no fragment
    assert 'value="32.76"' in html  # Jawa Barat's regencies, Kota Depok among them
