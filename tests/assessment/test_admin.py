"""Staff see applicants' tests read-only, with each chosen answer and whether it was right."""

import pytest

from assessment.services import attempt_answer, attempt_submit
from tests.clock import MINUTE, T0
from tests.helpers import answer_key

pytestmark = pytest.mark.django_db


def test_staff_see_an_attempts_items_with_the_chosen_option_and_whether_it_was_right(admin_client, started_attempt):
    key = answer_key(started_attempt)
    attempt_answer(user=started_attempt.user, position=1, choice=key[1], now=T0 + MINUTE)
    attempt_submit(user=started_attempt.user, now=T0 + 2 * MINUTE)
    chosen = started_attempt.items.select_related("chosen_option").get(position=1).chosen_option

    listing = admin_client.get("/admin/assessment/attempt/").content.decode()
    detail = admin_client.get(f"/admin/assessment/attempt/{started_attempt.pk}/change/").content.decode()

    assert started_attempt.user.email in listing
    assert chosen.text in detail
    assert "✔" in detail
    assert 'name="_save"' not in detail


def test_applicants_cannot_open_the_admin(client, started_attempt):
    client.force_login(started_attempt.user)

    response = client.get(f"/admin/assessment/attempt/{started_attempt.pk}/change/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
