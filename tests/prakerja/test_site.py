import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_landing_page_is_in_indonesian_and_lists_the_steps(client):
    html = client.get("/").content.decode()

    assert '<html lang="id">' in html
    assert "Daftar Kartu Prakerja" in html
    assert "Verifikasi nomor HP" in html


@pytest.mark.django_db
def test_english_is_available_through_the_language_switcher(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = client.get("/daftar/").content.decode()

    assert '<html lang="en">' in html
    assert "Create an account" in html
    assert "I agree to the Terms and Conditions and the Privacy Policy" in html


@pytest.mark.django_db
def test_pages_load_bootstrap_from_our_own_static_files_never_a_cdn(client):
    html = client.get("/daftar/").content.decode()

    assert "/static/vendor/bootstrap/bootstrap.portal.min.css" in html
    # Every stylesheet and script comes from our own static files. (Not a search for "cdn" in the whole page:
    # the form's random CSRF token contains those three letters about once in 500 pages.)
    assets = re.findall(r'<(?:link[^>]*\bhref|script[^>]*\bsrc)="([^"]+)"', html)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    assert not re.search(r"//[^\s\"']*cdn", html, re.IGNORECASE)
    assert (ROOT / "static/vendor/bootstrap/bootstrap.portal.min.css").stat().st_size > 10_000


@pytest.mark.django_db
def test_health_reports_database_cache_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_reports_a_failing_cache_with_503(client, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["cache"] == "error"


def test_the_english_catalogue_translates_the_indonesian_source_strings():
    from django.utils.translation import trans_real

    catalog = trans_real.translation("en")

    assert catalog.gettext("Buat akun") == "Create an account"
    assert catalog.gettext("Gelombang Tidak Ditemukan") == "No Wave Found"


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "PRAKERJA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "DJANGO_DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import prakerja.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_test_suite_hashes_passwords_cheaply():
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_time_zone_is_jakarta():
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.USE_TZ


@pytest.mark.django_db
def test_the_admin_login_sends_staff_to_the_portals_one_login_page(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response.url == "/masuk/?next=/admin/"


@pytest.mark.django_db
def test_a_browser_set_to_english_still_gets_indonesian_until_the_person_switches(client):
    html = client.get("/daftar/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="id">' in html
    assert "Buat akun" in html


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_indonesian(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    assert '<html lang="id">' in client.get("/").content.decode()
