"""The OTP page after "Kirim" (issue #16): only the code entry, where it went (masked), "Ganti nomor" back to the
number form, and "Kirim ulang", which the server refuses before the wait between codes has passed."""

import re

import pytest
from freezegun import freeze_time

from tests.clock import T0
from tests.factories import ApplicantFactory
from tests.helpers import duplicated_ids
from verification.models import OtpCode

pytestmark = pytest.mark.django_db

URL = "/dashboard/nomor-hp/"
NUMBER = "+6281234562614"


@pytest.fixture
def phone_applicant(client):
    user = ApplicantFactory(ktp_photo_done=True)
    client.force_login(user)
    return user


def test_after_kirim_the_page_is_about_the_code_only(client, phone_applicant):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": "081234562614"})
        html = client.get(URL).content.decode()

    assert "Kode dikirim ke <strong>+62812••••2614</strong>" in html
    assert 'name="number"' not in html  # no second number field above the code
    assert html.count('value="Kirim"') == 0
    assert 'name="code"' in html
    assert re.search(r'<a href="/dashboard/nomor-hp/\?ganti=1"[^>]*>\s*Ganti nomor\s*</a>', html)
    assert re.search(r'<button[^>]*name="action" value="resend"[^>]*>\s*Kirim ulang\s*</button>', html)
    assert 'data-resend-wait="60"' in html
    assert "Kode baru bisa diminta setelah 60 detik." in html


def test_no_two_elements_share_an_id_before_or_after_sending(client, phone_applicant):
    with freeze_time(T0):
        before = client.get(URL).content.decode()
        client.post(URL, {"action": "send", "number": NUMBER})
        after = client.get(URL).content.decode()
        changing = client.get(URL + "?ganti=1").content.decode()

    for html in (before, after, changing):
        duplicates = duplicated_ids(html)
        assert not duplicates, duplicates
    assert 'id="submit-id-send"' in changing and 'id="submit-id-verify"' in after


def test_ganti_nomor_brings_the_number_form_back_with_a_way_back_to_the_code(client, phone_applicant):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": NUMBER})
        html = client.get(URL + "?ganti=1").content.decode()

    assert 'name="number"' in html and 'name="code"' not in html
    assert "Kembali memasukkan kode yang dikirim ke +62812••••2614" in html


def test_kirim_ulang_before_the_wait_is_refused_with_the_seconds_left(client, phone_applicant):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": NUMBER})
    with freeze_time(T0.replace(second=T0.second + 20)):
        response = client.post(URL, {"action": "resend"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada masalah" in html and "Tunggu 41 detik sebelum meminta kode baru." in html
    assert 'data-resend-wait="40"' in html
    assert OtpCode.objects.filter(user=phone_applicant).count() == 1


def test_kirim_ulang_after_the_wait_sends_a_new_code_to_the_same_number(client, phone_applicant):
    with freeze_time(T0):
        client.post(URL, {"action": "send", "number": NUMBER})
    with freeze_time(T0.replace(minute=T0.minute + 1, second=1)):
        response = client.post(URL, {"action": "resend"})
        html = client.get(URL).content.decode()

    assert response.status_code == 302
    codes = OtpCode.objects.filter(user=phone_applicant).order_by("created_at")
    assert [code.number for code in codes] == [NUMBER, NUMBER]
    assert codes[0].voided_at is not None
    assert "Kode OTP baru dikirim lewat SMS ke +62812••••2614." in html
    assert 'data-resend-wait="60"' in html


def test_kirim_ulang_without_a_code_goes_back_to_the_number_form(client, phone_applicant):
    response = client.post(URL, {"action": "resend"})

    assert response.status_code == 302 and response["Location"] == URL
    assert not OtpCode.objects.exists()
