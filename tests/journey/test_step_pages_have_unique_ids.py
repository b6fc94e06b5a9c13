"""No two elements of a step page share an id (issue #16: two "submit-id-submit" on the OTP page), with and without
errors on the page: labels, error links and scripts find elements by id."""

import pytest
from freezegun import freeze_time

from assessment.services import attempt_start
from tests.clock import MINUTE, T0
from tests.factories import ApplicantFactory, Step, WaveFactory
from tests.helpers import duplicated_ids

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("step", "url", "post"),
    [
        (Step.EMAIL_VERIFIED, "/dashboard/verifikasi-ktp/", {"nik": "12"}),
        (Step.IDENTITY_VERIFIED, "/dashboard/data-diri/", {"full_name": ""}),
        (Step.PERSONAL_DATA, "/dashboard/foto-ktp/", {"photo": ""}),
        (Step.KTP_PHOTO, "/dashboard/nomor-hp/", {"action": "send", "number": "12"}),
        (Step.PHONE_VERIFIED, "/dashboard/pernyataan/", {"employment": "phk"}),
        (Step.DECLARED, "/dashboard/tes/", None),
        (Step.TEST_TAKEN, "/dashboard/gelombang/", None),
        (Step.TEST_TAKEN, "/dashboard/", None),
    ],
)
def test_a_step_page_has_unique_ids_with_and_without_errors(client, step, url, post):
    WaveFactory(open=True)
    user = ApplicantFactory(step=step)
    client.force_login(user)

    pages = [client.get(url).content.decode()]
    if post is not None:
        pages.append(client.post(url, post).content.decode())

    for html in pages:
        assert duplicated_ids(html) == []


def test_the_test_pages_have_unique_ids(client, question_bank):
    user = ApplicantFactory(step=Step.DECLARED)
    client.force_login(user)
    attempt_start(user=user, now=T0)

    with freeze_time(T0 + MINUTE):
        client.force_login(user)
        pages = [
            client.get("/dashboard/tes/soal/1/").content.decode(),
            client.post("/dashboard/tes/soal/1/", {"next": "1"}).content.decode(),
            client.get("/dashboard/tes/periksa/").content.decode(),
        ]

    for html in pages:
        assert duplicated_ids(html) == []
