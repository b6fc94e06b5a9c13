"""The dashboard and the applicant's pages cost a fixed, small number of queries wherever the applicant is in the
journey and however long their history (issue #18): counted, never timed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ApplicantFactory, lost_waves

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

MAX_QUERIES = 6

APPLICANTS = {
    "new": {},
    "mid_journey": {"phone_verified": True},
    "test_passed": {"test_passed": True},
    "waiting": {"joined": True},
    "selected": {"selected": True},
}


def queries_of(client, user, path: str = "/dashboard/") -> list[str]:
    client.force_login(user)
    client.get(path)  # the first request may fill shared caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("point", APPLICANTS)
def test_the_dashboard_costs_at_most_six_queries_at_every_point_of_the_journey(client, point):
    user = ApplicantFactory(**APPLICANTS[point])

    sql = queries_of(client, user)

    assert len(sql) <= MAX_QUERIES, "\n".join(sql)


def test_after_a_lost_wave_the_dashboard_costs_the_same_after_one_or_three(client):
    one, three = ApplicantFactory(test_passed=True), ApplicantFactory(test_passed=True)
    lost_waves(one, 1)
    lost_waves(three, 3, first_number=10)

    # The failed selections come from the waves joined, read once; only the latest complaint is one more query.
    assert len(queries_of(client, one)) == len(queries_of(client, three)) <= MAX_QUERIES


def test_the_steps_list_rendered_once_per_point_and_language_is_each_applicants_own(client, settings):
    """The list of steps is a cached fragment keyed by the language and the number of steps done (base settings'
    CACHES["fragments"]): an applicant elsewhere in the journey, or in another language, gets their own."""
    early, later = ApplicantFactory(), ApplicantFactory(phone_verified=True)

    def steps(user, language="id"):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get("/dashboard/").content.decode()
        return html.count('data-state="done"'), html.count('data-state="locked"'), "Terkunci" in html

    assert steps(early) == steps(early) == (1, 6, True)
    assert steps(later) == (5, 2, True)
    assert steps(early, "en") == (1, 6, False)
