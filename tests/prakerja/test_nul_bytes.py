"""A NUL byte in a URL, a query, a header or a form field is refused with a plain 400 before any view runs.

Nobody types a NUL: it comes only from crafted requests, and PostgreSQL cannot take one in a query (psycopg
refuses the parameter, which was a 500 wherever such a value reached the database). These are the cases
the security review (#11) and the hostile-input catalogue (tests/security/) found.
"""

import pytest

from tests.factories import ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/wilayah/%00/", "/wilayah/32%00/", "/wilayah/32.76%00/"])
def test_a_nul_byte_in_a_url_path_is_a_400(client, path):
    response = client.get(path)

    assert response.status_code == 400
    assert b"Traceback" not in response.content


@pytest.mark.parametrize(
    "url",
    [
        # The admin's filters on a region (a text primary key) were 500s on PostgreSQL; its search form
        # already refused a NUL on its own.
        "/admin/regions/regency/?province__code__exact=%00",
        "/admin/verification/personaldata/?district__regency__province__code__exact=32%00",
        "/admin/verification/personaldata/?q=%00",
        "/admin/verification/personaldata/?o=%00&p=1%00",
        "/admin/verification/personaldata/?%00=1",
    ],
)
def test_a_nul_byte_in_a_query_string_is_a_400(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(url)

    assert response.status_code == 400


def test_a_nul_byte_in_a_posted_field_is_a_400_and_nothing_runs(client):
    from verification.services import identity_verify

    user, resident = UserFactory(verified=True), ResidentFactory()
    identity_verify(user=user, nik=resident.nik, kk=resident.family_id, birth_date=resident.birth_date)
    client.force_login(user)

    # Data diri narrows its lists by the posted province before validating anything.
    response = client.post("/dashboard/data-diri/", {"province": "32\x00", "regency": "32.76", "full_name": "a"})

    assert response.status_code == 400


def test_a_request_without_nul_bytes_is_untouched(client):
    response = client.get("/wilayah/32/?a=b")

    assert response.status_code == 200
    assert {"code": "32.76", "name": "Kota Depok"} in response.json()["children"]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("HTTP_COOKIE", "sessionid=abcdefgh\x00ijklmnop"),  # a session key is looked up in django_session
        ("HTTP_USER_AGENT", "Mozilla/5.0\x00"),  # django-axes stores it with a failed login
    ],
)
def test_a_nul_byte_in_a_header_is_a_400(client, header, value):
    # gunicorn refuses control characters in header values, but not every server in front of Django does.
    response = client.post("/masuk/", {"username": "siapa@contoh.id", "password": "salah"}, **{header: value})

    assert response.status_code == 400
