"""Two sign-ups with the same email at the same moment, on PostgreSQL: exactly one account exists after."""

import threading

import pytest
from django.db import connection

from accounts.models import User
from accounts.services import user_signup
from notifications.models import Message
from tests.helpers import require_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_sign_ups_with_one_email_make_one_account_and_no_error():
    if connection.vendor != "postgresql":
        require_service("postgresql")
    start = threading.Barrier(2, timeout=10)
    results: list[object] = []

    def sign_up(email: str) -> None:
        try:
            start.wait()
            results.append(user_signup(email=email, password="Kartu-Prakerja-2026"))
        except Exception as error:  # noqa: BLE001 - the assertion below reports it
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(email,)) for email in ("kembar@contoh.id", "KEMBAR@contoh.id")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(isinstance(r, User) for r in results) == 1
    assert results.count(None) == 1
    assert User.objects.filter(email="kembar@contoh.id").count() == 1
    # The winner got its verification link; the loser's attempt told the owner instead.
    templates = sorted(Message.objects.values_list("template", flat=True))
    assert templates == ["accounts/email_verification", "accounts/signup_existing"]


def test_parallel_wrong_login_codes_get_no_more_comparisons_than_the_limit(settings):
    from accounts.errors import AccountError, AccountErrorCode
    from accounts.services import login_code_send, login_code_use
    from tests.factories import UserFactory
    from tests.races import at_once

    if connection.vendor != "postgresql":
        require_service("postgresql")
    user = UserFactory(verified=True)
    code = login_code_send(user=user)

    outcomes = at_once(
        *(lambda: login_code_use(code_id=code.pk, user_id=user.pk, code="000000") for _ in range(12)),
        errors=(AccountError,),
    )

    assert outcomes == [AccountErrorCode.LOGIN_CODE_WRONG] * 12
    code.refresh_from_db()
    assert code.wrong_guesses == settings.LOGIN_CODE_MAX_GUESSES and code.voided_at is not None
