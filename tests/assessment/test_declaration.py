"""Step 6, "Pernyataan pendaftar": answers recorded with the exact text version, exclusions told at once."""

import re

import pytest

from accounts.models import User
from assessment.eligibility import (
    IN_EDUCATION,
    ExcludedGroup,
    exclusion_reason_message,
    exclusion_reasons_from,
)
from assessment.errors import AssessmentError, AssessmentErrorCode
from assessment.models import Declaration, DeclarationText
from assessment.selectors import assessment_progress, declaration_text_current
from assessment.services import declaration_submit, declaration_text_publish
from tests.factories import DeclarationFactory, UserFactory, declaration_answers, declaration_form

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessment.urls")]

URL = "/dashboard/pernyataan/"


def form_data(**overrides) -> dict:
    # "Kirim pernyataan" on the check page (tests/assessment/test_declaration_check.py for the page itself).
    return declaration_form(**{"confirm": "1", **overrides})


def test_a_fresh_portal_has_version_one_of_the_text_as_current():
    current = declaration_text_current()

    assert current.version == 1
    assert "Pernyataan" in current.title
    assert DeclarationText.objects.filter(is_current=True).count() == 1


def test_the_page_shows_the_texts_intro_and_clauses_each_group_as_its_own_question_and_a_check_button(
    client, applicant
):
    text = declaration_text_current()

    html = client.get(URL).content.decode()

    assert text.title in html
    assert text.intro[:60] in html
    assert "Dengan ini saya menyatakan bahwa" in html
    assert "Apakah saat ini Anda menganggur?" in html
    assert "Apakah saat ini Anda sedang menempuh pendidikan formal (sekolah/kuliah)?" in html
    for group in ExcludedGroup.values:
        assert f'name="group_{group}"' in html
    assert "Apakah Anda prajurit TNI?" in html
    assert "BLT Dana Desa" in html and "Bantuan Subsidi Upah (BSU)" in html
    assert re.search(r'<button[^>]*name="review"[^>]*>\s*Periksa pernyataan\s*</button>', html)
    assert "Versi pernyataan" not in html  # recorded with the answers, not shown


def test_an_eligible_declaration_is_recorded_with_its_text_version_and_goes_back_to_the_dashboard(client, applicant):
    # given the current text, version 1
    # when the applicant answers and presses "Oke"
    response = client.post(URL, form_data(other_aid=["bsu", "pkh"], employment="dirumahkan"))

    # then the answers are recorded against version 1, with no exclusion
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    declaration = Declaration.objects.get(user=applicant)
    assert declaration.text.version == 1
    assert declaration.employment == "dirumahkan"
    assert declaration.other_aid == ["bsu", "pkh"]
    assert declaration.excluded_groups == []
    assert declaration.exclusion_reasons == []
    progress = assessment_progress(user=applicant)
    assert progress.declaration_done and progress.exclusion_reasons == ()


def test_an_applicant_in_formal_education_is_told_at_once_which_rule_applies_and_keeps_the_account(client, applicant):
    response = client.post(URL, form_data(in_formal_education="ya"), follow=True)

    html = response.content.decode()
    assert (
        "Anda sedang menempuh pendidikan formal. Peserta Kartu Prakerja tidak sedang sekolah atau kuliah (Perpres 36/2020)."
        in html
    )
    assert assessment_progress(user=applicant).exclusion_reasons == (IN_EDUCATION,)
    assert User.objects.filter(pk=applicant.pk, is_active=True).exists()
    assert client.get("/dashboard/").status_code == 200  # still logged in, the account stays


@pytest.mark.parametrize("group", ExcludedGroup.values)
def test_each_excluded_group_is_told_at_once_by_name(client, applicant, group):
    response = client.post(URL, form_data(**{f"group_{group}": "ya"}), follow=True)

    html = response.content.decode()
    name = str(ExcludedGroup(group).label)
    assert f"Anda menyatakan termasuk kelompok “{name}”" in html
    assert "Permenko 11/2020" in html
    declaration = Declaration.objects.get(user=applicant)
    assert declaration.excluded_groups == [group]
    assert assessment_progress(user=applicant).exclusion_reasons == (f"excluded_group:{group}",)
    # and the page says it again whenever the applicant comes back
    assert name in client.get(URL).content.decode()


def test_several_exclusions_are_all_named_education_first():
    reasons = exclusion_reasons_from(in_formal_education=True, excluded_groups={"polri", "asn"})

    assert reasons == ("in_education", "excluded_group:asn", "excluded_group:polri")
    assert all(exclusion_reason_message(code) for code in reasons)


def test_the_truthfulness_tick_is_required_and_every_answer_is_kept(client, applicant):
    data = form_data(employment="usaha", in_formal_education="tidak", other_aid=["pkh"])
    del data["truthful"]

    response = client.post(URL, data)

    html = response.content.decode()
    assert "Centang pernyataan ini untuk melanjutkan." in html
    assert re.search(r'value="usaha"[^>]*checked', html)
    assert re.search(r'value="pkh"[^>]*checked', html)
    assert not Declaration.objects.exists()


def test_every_excluded_group_must_be_answered(client, applicant):
    data = form_data()
    del data["group_tni"]

    response = client.post(URL, data)

    [message] = response.context["form"].errors["group_tni"]
    assert message.startswith("Jawab “Apakah") and "TNI" in message and message.endswith("pilih Ya atau Tidak.")
    assert not Declaration.objects.exists()


def test_no_aid_cannot_be_ticked_together_with_an_aid(client, applicant):
    response = client.post(URL, form_data(other_aid=["tidak_menerima", "bsu"]))

    assert "other_aid" in response.context["form"].errors
    assert not Declaration.objects.exists()


def test_a_declaration_is_made_once(applicant):
    DeclarationFactory(user=applicant)

    with pytest.raises(AssessmentError) as refused:
        DeclarationFactory(user=applicant, in_formal_education=True)

    assert refused.value.code == AssessmentErrorCode.DECLARATION_DONE
    assert Declaration.objects.get(user=applicant).exclusion_reasons == []


def test_an_eligible_applicant_coming_back_to_the_page_goes_to_the_dashboard(client, applicant):
    DeclarationFactory(user=applicant)

    assert client.get(URL)["Location"] == "/dashboard/"


def test_a_new_text_version_becomes_current_and_later_declarations_record_it():
    # given an applicant who declared against version 1
    early = UserFactory(verified=True)
    DeclarationFactory(user=early)

    # when staff publish version 2
    v2 = declaration_text_publish(title="Pernyataan v2", intro="Pengantar baru.", clauses="Saya menyatakan…")

    # then version 2 is the only current one, and a later declaration records it; the earlier one keeps v1
    assert v2.version == 2 and declaration_text_current() == v2
    assert list(DeclarationText.objects.filter(is_current=True)) == [v2]
    late = UserFactory(verified=True)
    assert DeclarationFactory(user=late).text == v2
    assert Declaration.objects.get(user=early).text.version == 1


def test_answers_to_a_text_replaced_meanwhile_show_the_new_text_with_the_answers_kept(client, applicant):
    # given the page was opened on version 1
    data = form_data(employment="bekerja")
    # when version 2 is published before "Oke"
    declaration_text_publish(title="Pernyataan versi dua", intro="Pengantar dua.", clauses="Pernyataan dua.")
    response = client.post(URL, data)

    # then nothing is recorded yet, the new text is shown and the answers are still there
    html = response.content.decode()
    assert not Declaration.objects.exists()
    assert "Teks pernyataan baru saja diperbarui" in html
    assert "Pernyataan versi dua" in html
    assert re.search(r'value="bekerja"[^>]*checked', html)
    # and the next "Oke" records version 2
    client.post(URL, form_data(employment="bekerja"))
    assert Declaration.objects.get(user=applicant).text.version == 2


def test_an_outdated_text_is_refused_by_the_service(applicant):
    v1 = declaration_text_current()
    declaration_text_publish(title="v2", intro="v2", clauses="v2")

    with pytest.raises(AssessmentError) as refused:
        declaration_submit(user=applicant, text=v1, **declaration_answers())

    assert refused.value.code == AssessmentErrorCode.DECLARATION_TEXT_OUTDATED


def test_adding_a_version_in_the_admin_publishes_it_as_current(admin_client):
    response = admin_client.post(
        "/admin/assessment/declarationtext/add/",
        {"title": "Pernyataan 2027", "intro": "Pengantar.", "clauses": "Saya menyatakan data saya benar."},
    )

    assert response.status_code == 302
    current = declaration_text_current()
    assert (current.version, current.title) == (2, "Pernyataan 2027")
    assert DeclarationText.objects.get(version=1).is_current is False


def test_staff_see_declarations_read_only_with_their_version_and_reasons(admin_client, applicant):
    DeclarationFactory(user=applicant, excluded_groups=["asn"])

    listing = admin_client.get("/admin/assessment/declaration/").content.decode()
    detail = admin_client.get(f"/admin/assessment/declaration/{applicant.declaration.pk}/change/").content.decode()

    assert applicant.email in listing
    assert "Aparatur Sipil Negara (ASN)" in detail
    assert 'name="_save"' not in detail
