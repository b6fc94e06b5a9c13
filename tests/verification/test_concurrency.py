"""Two accounts submitting the same NIK at the same moment, on PostgreSQL: exactly one wins."""

import threading

import pytest
from django.db import connection

from tests.factories import ResidentFactory, UserFactory
from tests.helpers import require_service
from verification.errors import VerificationError, VerificationErrorCode
from verification.models import IdentityVerification
from verification.services import identity_verify

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_accounts_racing_for_one_nik_leave_exactly_one_owner():
    if connection.vendor != "postgresql":
        require_service("postgresql")
    resident = ResidentFactory()
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
                user=user,
                nik=resident.nik,
                kk=resident.family_id,
                birth_date=resident.birth_date,
                client=RegistryAnswersThenWaits(),
            )
            outcomes.append("won")
        except VerificationError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
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


PARALLEL_GUESSES = 25


def test_parallel_wrong_otp_guesses_are_counted_atomically_and_never_exceed_the_limit(settings, monkeypatch):
    """A script sending many wrong codes at once must not get more comparisons than OTP_MAX_GUESSES: each
    guess reserves its attempt on the code in one conditional UPDATE before the code is compared."""
    if connection.vendor != "postgresql":
        require_service("postgresql")
    from functools import partial

    from django.utils import timezone

    from tests.races import at_once
    from verification import otp as otp_module
    from verification.models import OtpCode

    user = UserFactory(verified=True)
    now = timezone.now()
    otp_module.otp_send(user=user, number="+6281234567890", now=now)
    compared = []
    compare = otp_module.constant_time_compare

    def counted_compare(expected, given):
        compared.append(True)  # list.append is atomic under the GIL
        return compare(expected, given)

    monkeypatch.setattr(otp_module, "constant_time_compare", counted_compare)
    # No six-digit code is "abcdef": every guess is wrong.
    guess = partial(otp_module.otp_verify, user=user, code="abcdef", now=now)

    outcomes = at_once(*(guess for _ in range(PARALLEL_GUESSES)), errors=(VerificationError,))

    assert len(outcomes) == PARALLEL_GUESSES
    assert all(isinstance(outcome, str) for outcome in outcomes), outcomes
    assert len(compared) == settings.OTP_MAX_GUESSES
    assert outcomes.count(VerificationErrorCode.OTP_WRONG) == settings.OTP_MAX_GUESSES - 1
    assert outcomes.count(VerificationErrorCode.OTP_VOIDED) == PARALLEL_GUESSES - (settings.OTP_MAX_GUESSES - 1)
    code = OtpCode.objects.get()
    assert code.wrong_guesses == settings.OTP_MAX_GUESSES
    assert code.voided_at is not None
