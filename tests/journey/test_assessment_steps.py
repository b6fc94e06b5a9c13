"""The journey around steps 6 and 7: an excluded applicant stops at 6 with the reason; a failed test keeps 7."""

import pytest

from tests.assessment.conftest import declare, question_bank  # noqa: F401  (a fixture)
from verification.selectors import IdentitySummary, VerificationProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_step_six(client, verified_user, monkeypatch):
    from journey import selectors

    monkeypatch.setattr(
        selectors,
        "verification_progress",
        lambda user: VerificationProgress(
            identity=True,
            personal_data=True,
            ktp_photo=True,
            phone=True,
            summary=IdentitySummary(nik_encrypted=None, full_name="Siti Aminah", phone="+6281234567890"),
        ),
    )
    client.force_login(verified_user)
    return verified_user


def test_an_excluded_declaration_keeps_step_six_current_and_names_the_rule(client, at_step_six):
    declare(at_step_six, in_formal_education=True)

    html = client.get("/dashboard/").content.decode()

    assert 'data-step="declaration" data-state="current"' in html
    assert "pendidikan formal" in html
    assert "Akun Anda tetap tersimpan." in html
    assert client.get("/dashboard/tes/", follow=True).redirect_chain[-1][0] == "/dashboard/"


def test_an_eligible_declaration_opens_the_test(client, at_step_six):
    declare(at_step_six)

    html = client.get("/dashboard/").content.decode()

    assert 'data-step="test" data-state="current"' in html
    assert "Mulai Tes Sekarang" in html


def test_a_failed_test_says_so_and_offers_no_new_attempt(client, at_step_six, question_bank):
    from assessment.services import attempt_start, attempt_submit

    declare(at_step_six)
    attempt_start(user=at_step_six)
    attempt_submit(user=at_step_six)  # nothing answered: 0 points

    html = client.get("/dashboard/").content.decode()
    start = client.get("/dashboard/tes/").content.decode()

    assert "belum lolos" in html
    assert 'data-step="test" data-state="current"' in html
    assert "belum lolos" in start
    assert 'value="Mulai Tes Sekarang"' not in start and ">Mulai Tes Sekarang<" not in start
