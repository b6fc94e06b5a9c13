import pytest
from django.urls import reverse

from journey.steps import STEPS, Progress, StepState, journey_from

pytestmark = pytest.mark.django_db


def states(journey) -> list[str]:
    return [status.state.value for status in journey.statuses]


def test_the_journey_has_the_eight_steps_of_the_design_in_order():
    assert [str(step.title) for step in STEPS] == [
        "Buat akun",
        "Verifikasi KTP",
        "Data diri",
        "Foto KTP",
        "Verifikasi nomor HP",
        "Pernyataan pendaftar",
        "Tes Motivasi & Kemampuan Dasar",
        "Gabung gelombang",
    ]


def test_an_unverified_applicant_is_on_step_one_and_everything_else_is_locked():
    journey = journey_from(Progress(email_verified=False))

    assert states(journey) == ["current"] + ["locked"] * 7
    assert journey.current.number == 1


def test_a_verified_email_finishes_step_one_and_makes_step_two_current():
    journey = journey_from(Progress(email_verified=True))

    assert states(journey)[:3] == ["done", "current", "locked"]
    assert journey.current.step.key == "ktp"
    assert journey.done_count == 1


def test_the_dashboard_needs_a_login(client):
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_unverified_applicant_sees_only_the_email_step_with_resend(client, user):
    client.force_login(user)

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert "Langkah 1 dari 8" in html
    assert user.email in html
    assert reverse("accounts:email_verification_resend") in html
    assert html.count('data-state="locked"') == 7
    assert 'data-step="account" data-state="current"' in html


def test_a_verified_applicant_sees_step_two_as_the_next_action(client, verified_user):
    client.force_login(verified_user)

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert "Langkah 2 dari 8" in html
    assert 'data-step="account" data-state="done"' in html
    assert 'data-step="ktp" data-state="current"' in html
    assert "Kirim ulang" not in html


def test_the_dashboard_costs_a_handful_of_queries(client, verified_user, django_assert_max_num_queries):
    client.force_login(verified_user)

    with django_assert_max_num_queries(5):
        client.get("/dashboard/")


@pytest.mark.urls("tests.journey.urls")
def test_a_later_step_cannot_be_reached_by_typing_its_url(client, user):
    client.force_login(user)

    response = client.get("/test-step/ktp/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("journey:dashboard")
    assert "Selesaikan dulu langkah 1" in response.content.decode()


@pytest.mark.urls("tests.journey.urls")
def test_the_current_step_opens(client, verified_user):
    client.force_login(verified_user)

    response = client.get("/test-step/ktp/")

    assert response.content == b"ktp step 2"


@pytest.mark.urls("tests.journey.urls")
def test_a_finished_step_is_not_redone(client, verified_user):
    client.force_login(verified_user)

    response = client.get("/test-step/account/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("journey:dashboard")
    assert "sudah selesai" in response.content.decode()


@pytest.mark.urls("tests.journey.urls")
def test_a_step_two_ahead_is_locked_too(client, verified_user):
    client.force_login(verified_user)

    response = client.get("/test-step/phone/", follow=True)

    assert "Selesaikan dulu langkah 2" in response.content.decode()


@pytest.mark.urls("tests.journey.urls")
def test_guarded_steps_need_a_login(client):
    response = client.get("/test-step/ktp/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_step_state_values_are_stable_for_templates_and_tests():
    assert {state.value for state in StepState} == {"done", "current", "locked"}
