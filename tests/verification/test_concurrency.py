"""Two accounts submitting the same NIK at the same moment, on PostgreSQL: exactly one wins."""

import threading

import pytest
from django.db import connection

from tests.conftest import require_service
from tests.factories import UserFactory, registry_resident
from verification.errors import VerificationError, VerificationErrorCode
from verification.models import IdentityVerification
from verification.services import identity_verify

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_accounts_racing_for_one_nik_leave_exactly_one_owner():
    if connection.vendor != "postgresql":
        require_service("postgresql")
    resident = registry_resident()
    users = [UserFactory(verified=True), UserFactory(verified=True)]
    start = threading.Barrier(2, timeout=10)
    outcomes: list[object] = []

    class RegistryAnswersThenWaits:
        """The in-process registry, held until both requests have their answer, so both reach the insert."""

        def verify(self, **query):
            from verification.registry import registry_client

            answer = registry_client().verify(**query)
            start.wait()
            return answer

    def submit(user) -> None:
        try:
            identity_verify(
                user=user, nik=resident.nik, kk=resident.family_id, birth_date=resident.birth_date,
                client=RegistryAnswersThenWaits(),
            )
            outcomes.append("won")
        except VerificationError as error:
            outcomes.append(error.code)
        except Exception as error:  # reported by the assertion below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(map(str, outcomes)) == sorted(["won", str(VerificationErrorCode.NIK_TAKEN)]), outcomes
    assert IdentityVerification.objects.count() == 1
