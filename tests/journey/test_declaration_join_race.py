"""A correction of the declaration and a join of a wave, at the same moment, on PostgreSQL (issue #16).

The declaration can be corrected only until the applicant joins a wave, because the join is checked against the
declaration in force. Each side is caught half way (the correction after its guard found no enrollment, the join
after its rules passed) while the other one runs: that other one must wait for it, not slip in between. It is
run with a lock timeout of a few milliseconds, so "it had to wait" shows as a lock timeout instead of a hang.
Before the fix both went through: an applicant in a wave whose declaration in force excludes them."""

import threading
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from assessment import services as assessment_services
from assessment.models import Declaration
from tests.factories import ApplicantFactory, WaveFactory, declaration_form
from tests.helpers import require_service
from waves import services as waves_services
from waves.errors import WaveError
from waves.models import Enrollment
from waves.selectors import agreement_current

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CORRECT = "/dashboard/pernyataan/ubah/"


@pytest.fixture
def applicant():
    if connection.vendor != "postgresql":
        require_service("postgresql")
    user = ApplicantFactory(test_passed=True)
    return user, WaveFactory(open=True)


def meanwhile(call) -> object:
    """Run ``call`` in a thread of its own (its own connection), unable to wait for a lock; return what it
    returned, or the exception it raised."""
    outcome: list[object] = []

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5ms'")
            outcome.append(call())
        except Exception as error:  # noqa: BLE001 - the outcome the test asserts on
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome[0]


def signed_in(user) -> Client:
    """The applicant's other phone."""
    client = Client()
    client.force_login(user)
    return client


def test_a_join_waits_for_a_correction_under_way(applicant):
    user, wave = applicant
    client = signed_in(user)
    agreement = agreement_current()
    joins: list[object] = []
    real_submit = assessment_services.declaration_submit

    def submit_while_a_join_runs(**kwargs):
        # The correction's guard has found no enrollment; the applicant joins from another phone now.
        joins.append(meanwhile(lambda: waves_services.enrollment_join(user=user, wave=wave, agreement=agreement)))
        return real_submit(**kwargs)

    with mock.patch.object(assessment_services, "declaration_submit", submit_while_a_join_runs):
        response = client.post(CORRECT, declaration_form(group_polri="ya", confirm="1"))

    assert response.status_code == 302
    assert isinstance(joins[0], OperationalError), joins  # it had to wait for the correction
    assert Declaration.objects.get(current_for=user).excluded_groups == ["polri"]
    assert not Enrollment.objects.filter(user=user).exists()
    # Once the correction is stored, the join sees it and refuses.
    with pytest.raises(WaveError):
        waves_services.enrollment_join(user=user, wave=wave, agreement=agreement)


def test_a_correction_waits_for_a_join_under_way(applicant):
    user, wave = applicant
    client = signed_in(user)
    corrections: list[object] = []
    real_rules = waves_services.rule_failures

    def rules_while_a_correction_runs(**kwargs):
        failures = real_rules(**kwargs)
        # The join's rules passed on the declaration in force; the applicant corrects it from another phone now.
        corrections.append(meanwhile(lambda: client.post(CORRECT, declaration_form(group_polri="ya", confirm="1"))))
        return failures

    with mock.patch.object(waves_services, "rule_failures", rules_while_a_correction_runs):
        waves_services.enrollment_join(user=user, wave=wave, agreement=agreement_current())

    assert isinstance(corrections[0], OperationalError), corrections  # it had to wait for the join
    assert Enrollment.objects.filter(user=user).exists()
    assert Declaration.objects.get(current_for=user).excluded_groups == []
    # Once the join is stored, the correction is refused.
    refused = client.post(CORRECT, declaration_form(group_polri="ya", confirm="1"), follow=True)
    assert "Pernyataan tidak dapat diubah setelah Anda bergabung di gelombang." in refused.content.decode()
    assert Declaration.objects.get(current_for=user).excluded_groups == []
