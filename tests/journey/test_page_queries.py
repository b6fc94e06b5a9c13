"""Every page an applicant can open costs at most six queries, however long the history behind it (issue #18).

The pages are the hostile-input catalogue's (tests/security/routes.py: a page added there is counted here too),
each as the persona that reaches it, plus the pages open at every step (the dashboard, "Riwayat", the test's
result, "gagal 3 kali", the account pages, "Data saya") walked at every point of the journey, a selected
applicant's included. Each is counted on its second request (the first may fill the shared caches) with one
item of history, then again after four more: lost waves once the test is passed, email-change requests (each
with its messages) before. Counted, never timed, with sessions as in production (``budget``).
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ApplicantFactory, lost_waves
from tests.security import personas
from tests.security.routes import ROUTES, path_of, url_entries

pytestmark = [pytest.mark.django_db]

MAX_QUERIES = 6


def selected(client) -> personas.World:
    """Selected in an announced wave: the card is shown."""
    user = ApplicantFactory(selected=True)
    client.force_login(user)
    return personas.World(user=user)


def not_selected(client) -> personas.World:
    """Not selected in one announced wave: back at step 8, for the next."""
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 1, first_number=50)
    client.force_login(user)
    return personas.World(user=user)


# Every point of the journey an applicant can be at, in order.
APPLICANTS = (
    personas.unverified,
    personas.signed_in,
    personas.identified,
    personas.described,
    personas.photographed,
    personas.phone_verified,
    personas.declared,
    personas.testing,
    personas.passed,
    personas.enrolled,
    selected,
    not_selected,
    personas.thrice_failed,
    personas.complained,
)
# Past the test and free to have joined waves before (the enrolled persona waits for its wave: a lost wave
# would be a second pending enrollment).
AFTER_THE_TEST = {personas.passed, selected, not_selected, personas.thrice_failed, personas.complained}
# Open at every step after login (or sending the applicant to one that is).
EVERYWHERE = (
    "/dashboard/",
    "/dashboard/riwayat/",
    "/dashboard/tes/hasil/",
    "/dashboard/gagal-3-kali/",
    "/akun/kata-sandi/",
    "/akun/email/",
    "/dashboard/data-saya/",
    "/dashboard/data-saya/unduh/",
    "/dashboard/hapus-akun/",
)


class History:
    """Adds to an applicant's history, ``count`` items at a time, without moving them along the journey."""

    def __init__(self, persona, world: personas.World) -> None:
        self.user = world.user
        self.lost_waves = persona in AFTER_THE_TEST
        self.added = 0

    def add(self, count: int) -> None:
        from accounts.services import email_change_request

        if self.lost_waves:
            lost_waves(self.user, count, first_number=100 + self.added)
        else:
            for i in range(count):
                email_change_request(user=self.user, new_email=f"baru.{self.added + i}@contoh.id")
        self.added += count


def budget() -> int:
    """Six as in production, where sessions are cached_db (Redis); with database sessions (no Redis: a laptop's
    run) every page reads its session row too."""
    session = 1 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db" else 0
    return MAX_QUERIES + session


def queries_of(client, path: str) -> list[str]:
    client.get(path)  # the first request may fill the shared caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    return [query["sql"] for query in queries.captured_queries]


def counted_with_history(client, persona, world, paths: list[str]) -> dict[str, tuple[int, int, list[str]]]:
    """Per path: its queries with one item of history, with five, and the SQL of the latter."""
    history = History(persona, world)
    history.add(1)
    one = {path: len(queries_of(client, path)) for path in paths}
    history.add(4)
    return {path: (one[path], len(sql := queries_of(client, path)), sql) for path in paths}


def _routes():
    chosen = []
    for key, route in ROUTES.items():
        if route.persona in APPLICANTS and not route.api and route.status == 200:
            chosen.append(pytest.param(route.persona, key, id=f"{key}@{route.persona.__name__}"))
    return chosen


@pytest.mark.usefixtures("quiet")
@pytest.mark.parametrize(("persona", "key"), _routes())
def test_each_step_page_costs_at_most_six_queries_whatever_the_history(persona, key):
    entries = {entry.key: entry for entry in url_entries()}
    client = Client()
    world = persona(client)
    path = path_of(entries[key], ROUTES[key].params(world))

    [(one, five, sql)] = counted_with_history(client, persona, world, [path]).values()

    assert one == five, f"{path}: {one} queries with one item of history, {five} with five"
    assert five <= budget(), "\n".join(sql)


@pytest.mark.usefixtures("quiet")
@pytest.mark.parametrize("persona", APPLICANTS, ids=lambda persona: persona.__name__)
def test_the_pages_open_at_every_step_cost_at_most_six_queries_whatever_the_history(persona):
    client = Client()
    world = persona(client)

    counted = counted_with_history(client, persona, world, list(EVERYWHERE))

    grew = {path: (one, five) for path, (one, five, _sql) in counted.items() if one != five}
    over = {path: "\n".join(sql) for path, (_one, five, sql) in counted.items() if five > budget()}
    assert not grew, grew
    assert not over, "\n\n".join(f"{path}:\n{sql}" for path, sql in over.items())
