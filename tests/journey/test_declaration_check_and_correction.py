"""The declaration cannot be a slip for good (issue #16): its answers are checked on a page of their own before they
are stored, an excluding answer is explained before it is final, and the declaration can be corrected until the
applicant joins a wave. Each correction is a new row; the old ones stay; the join and the selection read the
latest."""

import re

import pytest

from assessment.models import Declaration
from tests.factories import ApplicantFactory, WaveFactory, declaration_form
from waves.reasons import ResultReason
from waves.rules import rule_failures
from waves.selectors import agreement_current
from waves.services import enrollment_join

pytestmark = pytest.mark.django_db

STEP = "/dashboard/pernyataan/"
CORRECT = "/dashboard/pernyataan/ubah/"


def answers(**overrides) -> dict:
    return declaration_form(**overrides)


@pytest.fixture
def at_declaration(client):
    user = ApplicantFactory(phone_verified=True)
    client.force_login(user)
    return user


def test_oke_shows_every_answer_to_check_and_stores_nothing_yet(client, at_declaration):
    response = client.post(STEP, answers(employment="dirumahkan", other_aid=["bsu"], review="1"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Periksa pernyataan Anda" in html
    assert "Apakah saat ini Anda menganggur?" in html and "Ya, saya dirumahkan" in html
    assert "Apakah Anda prajurit TNI?" in html
    assert "Bantuan Subsidi Upah (BSU)" in html
    assert "data-exclusion-warning" not in html
    # every answer is carried to the confirmation, and "Ubah jawaban" goes back to the form
    assert re.search(r'<input type="hidden" name="employment" value="dirumahkan">', html)
    assert re.search(r'<input type="hidden" name="other_aid" value="bsu">', html)
    assert 'name="confirm"' in html and 'name="edit"' in html
    assert not Declaration.objects.exists()


def test_ubah_jawaban_brings_the_form_back_with_every_answer(client, at_declaration):
    response = client.post(STEP, answers(employment="usaha", edit="1"))

    html = response.content.decode()
    assert re.search(r'value="usaha"[^>]*checked', html)
    assert "Ada masalah" not in html
    assert not Declaration.objects.exists()


def test_an_excluding_answer_is_explained_before_it_is_final(client, at_declaration):
    response = client.post(STEP, answers(group_polri="ya", review="1"))

    html = response.content.decode()
    assert "Dengan jawaban ini Anda tidak memenuhi syarat peserta Kartu Prakerja" in html
    assert "Anggota Polri" in html or "Polri" in html
    assert "Jika pernyataan ini dikirim, pendaftaran Anda berhenti di langkah ini" in html
    assert not Declaration.objects.exists()


def test_the_employment_question_has_yes_and_no_shaped_answers_and_data_diri_no_longer_asks(client, at_declaration):
    html = client.get(STEP).content.decode()

    for label in (
        "Ya, saya terkena PHK",
        "Ya, saya dirumahkan",
        "Tidak, saya bekerja",
        "Tidak, saya punya usaha sendiri",
    ):
        assert label in html
    assert ">Bekerja<" not in html and ">Usaha sendiri<" not in html
    assert "Versi pernyataan" not in html


def test_an_excluded_applicant_corrects_a_slip_and_the_old_declaration_is_kept(client, at_declaration):
    client.post(STEP, answers(group_polri="ya", confirm="1"))
    excluded_page = client.get(STEP).content.decode()

    assert "Perbaiki pernyataan" in excluded_page and f'href="{CORRECT}"' in excluded_page
    form = client.get(CORRECT).content.decode()
    assert re.search(r'name="group_polri" value="ya"[^>]*checked', form)  # the correction starts from the answers

    response = client.post(CORRECT, answers(confirm="1"))

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    rows = list(Declaration.objects.filter(user=at_declaration).order_by("revision"))
    assert [(row.revision, row.excluded_groups, row.current_for_id) for row in rows] == [
        (1, ["polri"], None),
        (2, [], at_declaration.pk),
    ]
    assert 'data-step="declaration" data-state="done"' in client.get("/dashboard/").content.decode()


def test_a_correction_that_changes_nothing_is_no_new_revision(client, at_declaration):
    client.post(STEP, answers(confirm="1"))
    client.post(CORRECT, answers(confirm="1"))
    client.post(CORRECT, answers(confirm="1"))

    assert Declaration.objects.filter(user=at_declaration).count() == 1


def test_the_join_reads_the_latest_declaration_and_after_joining_it_cannot_change(client):
    user = ApplicantFactory(test_passed=True)
    client.force_login(user)
    wave = WaveFactory(open=True)

    dashboard = client.get("/dashboard/").content.decode()
    assert f'href="{CORRECT}"' in dashboard and "Ubah pernyataan" in dashboard
    client.post(CORRECT, answers(in_formal_education="ya", confirm="1"))
    assert [rule.code for rule in rule_failures(user_id=user.pk, wave=wave)] == [ResultReason.IN_EDUCATION]

    client.post(CORRECT, answers(employment="dirumahkan", confirm="1"))
    assert rule_failures(user_id=user.pk, wave=wave) == []
    assert Declaration.objects.filter(user=user).count() == 3

    enrollment_join(user=user, wave=wave, agreement=agreement_current())
    refused = client.get(CORRECT, follow=True)

    assert refused.redirect_chain[-1][0] == "/dashboard/"
    assert "Pernyataan tidak dapat diubah setelah Anda bergabung di gelombang." in refused.content.decode()
    assert "Ubah pernyataan" not in refused.content.decode()
    assert client.post(CORRECT, answers(confirm="1"))["Location"] == "/dashboard/"
    assert Declaration.objects.filter(user=user).count() == 3
