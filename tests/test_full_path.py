"""A newcomer's whole registration through the Django test client, as far as the portal goes today:
sign up, verify the email, KTP, personal data, KTP photo, phone OTP, declaration, and the test."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.models import Attempt
from assessment.services import question_bank_load
from notifications.models import Message
from tests.factories import ResidentFactory
from tests.helpers import answer_key, last_message, link_in
from tests.uploads_catalogue import phone_photo


def current_step(client) -> str:
    return re.search(r'data-step="(\w+)" data-state="current"', client.get("/dashboard/").content.decode()).group(1)


@pytest.mark.django_db
def test_sign_up_verify_email_log_in_and_see_step_two(client):
    email, password = "dewi.lestari@contoh.id", "Kartu-Prakerja-2026"

    client.post("/daftar/", {"email": email, "password1": password, "password2": password, "terms": "on"})
    verify = client.get(link_in(last_message(recipient=email, template="accounts/email_verification")), follow=True)
    assert "berhasil diverifikasi" in verify.content.decode()

    client.post("/masuk/", {"username": email, "password": password})
    assert SESSION_KEY in client.session
    dashboard = client.get("/dashboard/").content.decode()

    assert "Langkah 2 dari 8" in dashboard
    assert "Verifikasi KTP" in dashboard


@pytest.mark.django_db
def test_from_sign_up_to_a_passed_test(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    question_bank_load()
    resident = ResidentFactory(full_name="Dewi Lestari", mother_name="Sri Wahyuni")
    email, password = "dewi.lestari@contoh.id", "Kartu-Prakerja-2026"

    client.post("/daftar/", {"email": email, "password1": password, "password2": password, "terms": "on"})
    client.get(link_in(last_message(recipient=email, template="accounts/email_verification")))
    client.post("/masuk/", {"username": email, "password": password})
    assert current_step(client) == "ktp"

    client.post(
        "/dashboard/verifikasi-ktp/", {"nik": resident.nik, "kk": resident.family_id, "birth_date": "1995-08-17"}
    )
    assert current_step(client) == "personal_data"

    client.post(
        "/dashboard/data-diri/",
        {
            "full_name": "DEWI LESTARI",
            "mother_name": "sri wahyuni",
            "address": "Jl. Merdeka No. 1",
            "province": "32",
            "regency": "32.76",
            "district": "32.76.01",
            "sex": "P",
            "education": "sma",
            "marital_status": "kawin",
            "dependents": "2",
            "training_topic": "kuliner",
            "truthful": "on",
        },
    )
    assert current_step(client) == "ktp_photo"

    client.post("/dashboard/foto-ktp/", {"photo": SimpleUploadedFile("ktp.jpg", phone_photo(), "image/jpeg")})
    assert current_step(client) == "phone"

    client.post("/dashboard/nomor-hp/", {"action": "send", "number": "0812 3456 7890"})
    sms = Message.objects.get(template="verification/otp")
    client.post("/dashboard/nomor-hp/", {"action": "verify", "code": re.search(r"\d{6}", sms.text).group(0)})
    assert current_step(client) == "declaration"

    declaration = client.get("/dashboard/pernyataan/").context["form"]
    answers = {
        "text_version": declaration.initial.get("text_version") or declaration["text_version"].value(),
        "employment": "phk",
        "in_formal_education": "tidak",
        "other_aid": ["tidak_menerima"],
        "truthful": "on",
    }
    answers |= {name: "tidak" for name in declaration.fields if name.startswith("group_")}
    checked = client.post("/dashboard/pernyataan/", {**answers, "review": "1"}).content.decode()
    assert "Periksa pernyataan Anda" in checked  # nothing stored before it is confirmed
    assert current_step(client) == "declaration"
    client.post("/dashboard/pernyataan/", {**answers, "confirm": "1"})
    assert current_step(client) == "test"

    client.post("/dashboard/tes/")
    attempt = Attempt.objects.get()
    key = answer_key(attempt)
    for position in range(1, 19):
        button = {"finish": "1"} if position == 18 else {"next": "1"}
        client.post(f"/dashboard/tes/soal/{position}/", {"choice": str(key[position]), **button})
    client.post("/dashboard/tes/periksa/", {"confirm": "1"})

    result = client.get("/dashboard/tes/hasil/").content.decode()
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 100
    assert "belum lolos" not in result.lower() and "100" in result
    assert current_step(client) == "wave"
    assert "Langkah 8 dari 8" in client.get("/dashboard/").content.decode()
