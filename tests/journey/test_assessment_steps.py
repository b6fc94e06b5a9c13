"""The journey around steps 6 and 7: an excluded applicant stops at 6 with the reason; a failed test keeps 7."""

import pytest

from tests.factories import ApplicantFactory, DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_step_six(client, db):
    """An applicant who has verified their phone number: the declaration is next."""
    user = ApplicantFactory(phone_verified=True)
    client.force_login(user)
    return user


def test_an_excluded_declaration_keeps_step_six_current_and_names_the_rule(client, at_step_six):
    DeclarationFactory(user=at_step_six, in_formal_education=True)

    html = client.get("/dashboard/").content.decode()

    assert 'data-step="declaration" data-state="current"' in html
    assert "pendidikan formal" in html
    assert "Akun Anda tetap tersimpan." in html
    assert client.get("/dashboard/tes/", follow=True).redirect_chain[-1][0] == "/dashboard/"


def test_an_eligible_declaration_opens_the_test(client, at_step_six):
    DeclarationFactory(user=at_step_six)

    html = client.get("/dashboard/").content.decode()

    assert 'data-step="test" data-state="current"' in html
    assert "Mulai Tes Sekarang" in html


def test_a_failed_test_says_so_and_offers_no_new_attempt(client, at_step_six, question_bank):
    from assessment.services import attempt_start, attempt_submit

    DeclarationFactory(user=at_step_six)
    attempt_start(user=at_step_six)
    attempt_submit(user=at_step_six)  # nothing answered: 0 points

    html = client.get("/dashboard/").content.decode()
    start = client.get("/dashboard/tes/").content.decode()

    assert "belum lolos" in html
    assert 'data-step="test" data-state="current"' in html
    assert "belum lolos" in start
    assert 'value="Mulai Tes Sekarang"' not in start and ">Mulai Tes Sekarang<" not in start
