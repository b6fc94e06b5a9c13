"""Retention in the accounts app (issue #15, item 6; docs/PRIVACY.md): accounts whose email was never verified,
and login codes, are deleted after their periods by beat. Time is frozen or passed in; batches are counted in
statements, never timed."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from accounts.models import EmailChange, LoginCode, User
from accounts.roles import Role
from accounts.services import (
    email_verification_send,
    login_codes_purge,
    sessions_expired_purge,
    unverified_accounts_purge,
    user_signup,
)
from accounts.tasks import login_codes_purge_task, sessions_purge_task, unverified_accounts_purge_task
from notifications.models import Message
from tests.clock import T0

pytestmark = pytest.mark.django_db


DAY = timedelta(days=1)
PASSWORD = "Kartu-Prakerja-2026"


@pytest.fixture(autouse=True)
def periods(settings):
    settings.UNVERIFIED_ACCOUNT_RETENTION = 7 * DAY
    settings.CODE_RETENTION = 7 * DAY


def signed_up(email: str, *, at: datetime = T0) -> User:
    with freeze_time(at):
        return user_signup(email=email, password=PASSWORD)


def deletes_of(queries, model: type[models.Model]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(f'DELETE FROM "{model._meta.db_table}"')]


# --- Accounts whose email was never verified ---------------------------------------------------------------


def test_an_account_never_verified_goes_seven_days_after_sign_up_with_what_was_its_own():
    user = signed_up("siti@contoh.id")
    LoginCode.objects.create(user=user, code_hash="x", created_at=T0, expires_at=T0 + timedelta(minutes=10))
    EmailChange.objects.create(user=user, old_email=user.email, new_email="lain@contoh.id", created_at=T0)
    verification = Message.objects.get(user=user)

    assert unverified_accounts_purge(now=T0 + 7 * DAY - timedelta(seconds=1)) == 0
    assert unverified_accounts_purge(now=T0 + 7 * DAY + timedelta(seconds=1)) == 1

    assert not User.objects.filter(pk=user.pk).exists()
    assert not LoginCode.objects.exists() and not EmailChange.objects.exists()
    assert not Group.objects.get(name=Role.APPLICANT).user_set.exists()
    # The message's row stays for delivery accounting, no longer tied to anyone.
    verification.refresh_from_db()
    assert verification.user_id is None


def test_verified_staff_and_recent_accounts_stay():
    verified = signed_up("terverifikasi@contoh.id")
    User.objects.filter(pk=verified.pk).update(email_verified_at=T0 + DAY)
    staff = signed_up("staf@contoh.id")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    superuser = User.objects.create_user("super@contoh.id", PASSWORD, is_superuser=True, date_joined=T0)
    recent = signed_up("baru@contoh.id", at=T0 + 5 * DAY)

    assert unverified_accounts_purge(now=T0 + 8 * DAY) == 0

    assert set(User.objects.values_list("pk", flat=True)) == {verified.pk, staff.pk, superuser.pk, recent.pk}


def test_a_new_verification_link_keeps_the_account_while_the_link_can_still_be_used():
    user = signed_up("siti@contoh.id")
    with freeze_time(T0 + 6 * DAY):
        email_verification_send(user=user)

    assert unverified_accounts_purge(now=T0 + 8 * DAY) == 0
    assert unverified_accounts_purge(now=T0 + 13 * DAY - timedelta(seconds=1)) == 0
    assert unverified_accounts_purge(now=T0 + 13 * DAY + timedelta(seconds=1)) == 1


def test_accounts_go_in_bounded_batches_each_costing_the_same_queries():
    for number in range(5):
        signed_up(f"pendaftar{number}@contoh.id", at=T0 + number * timedelta(minutes=1))

    with CaptureQueriesContext(connection) as run:
        deleted = unverified_accounts_purge(now=T0 + 8 * DAY, batch_size=2)

    assert deleted == 5 and not User.objects.exists()
    # Batches of 2, 2 and 1: one DELETE of accounts each.
    assert len(deletes_of(run.captured_queries, User)) == 3


def test_a_batch_costs_the_same_queries_whatever_its_size():
    def queries_to_purge(count: int, offset: int) -> int:
        for number in range(count):
            signed_up(f"p{offset}-{number}@contoh.id")
        with CaptureQueriesContext(connection) as run:
            assert unverified_accounts_purge(now=T0 + 8 * DAY, batch_size=100) == count
        return len(run.captured_queries)

    assert queries_to_purge(1, 0) == queries_to_purge(6, 1)


def test_beat_runs_the_purge_of_unverified_accounts():
    signed_up("siti@contoh.id")

    with freeze_time(T0 + 8 * DAY):
        assert unverified_accounts_purge_task.apply().get() == 1


# Relations to an account that would keep an unverified one from being deleted (PROTECT) or leave a row
# pointing at nothing (DO_NOTHING), with why an account whose email was never verified cannot have one.
CANNOT_HOLD = {
    ("waves", "complaint", "reviewer"): "only staff review complaints, and staff accounts are never purged",
    ("waves", "result", "user"): "a result needs an enrollment, which needs every step after the email",
    ("audit", "entry", "acting_user"): "only staff act in the audit log, and staff accounts are never purged",
}


def test_nothing_else_holds_on_to_an_account_retention_deletes():
    risky = []
    # Hidden ones too (related_name="+"): they hold on to an account all the same.
    relations = [
        field for field in User._meta.get_fields(include_hidden=True) if field.auto_created and not field.concrete
    ]
    assert len(relations) > 10
    for relation in relations:
        if relation.many_to_many:
            continue  # Django deletes the membership rows with the account
        on_delete = relation.on_delete
        if on_delete in (models.CASCADE, models.SET_NULL):
            continue
        key = (relation.related_model._meta.app_label, relation.related_model._meta.model_name, relation.field.name)
        if key not in CANNOT_HOLD:
            risky.append((*key, on_delete.__name__))

    assert not risky, f"say why an unverified account cannot hold these, or let it go: {risky}"


# --- Login codes --------------------------------------------------------------------------------------------


def login_code(user: User, *, expired: datetime, used: bool = False) -> LoginCode:
    return LoginCode.objects.create(
        user=user,
        code_hash="x",
        created_at=expired - timedelta(minutes=10),
        expires_at=expired,
        used_at=expired - timedelta(minutes=5) if used else None,
    )


def test_login_codes_go_seven_days_after_they_expired_used_or_not():
    user = User.objects.create_user("siti@contoh.id", PASSWORD, email_verified_at=T0)
    login_code(user, expired=T0)
    login_code(user, expired=T0, used=True)
    lately = login_code(user, expired=T0 + 2 * DAY)
    live = login_code(user, expired=T0 + 8 * DAY + timedelta(minutes=5))

    assert login_codes_purge(now=T0 + 8 * DAY) == 2

    assert set(LoginCode.objects.values_list("pk", flat=True)) == {lately.pk, live.pk}


def test_login_codes_go_in_bounded_batches():
    user = User.objects.create_user("siti@contoh.id", PASSWORD, email_verified_at=T0)
    for _ in range(5):
        login_code(user, expired=T0)

    with CaptureQueriesContext(connection) as run:
        deleted = login_codes_purge(now=T0 + 8 * DAY, batch_size=2)

    assert deleted == 5 and not LoginCode.objects.exists()
    assert len(deletes_of(run.captured_queries, LoginCode)) == 3


def test_beat_runs_the_purge_of_login_codes(settings):
    user = User.objects.create_user("siti@contoh.id", PASSWORD, email_verified_at=T0)
    login_code(user, expired=T0)

    with freeze_time(T0 + 8 * DAY):
        assert login_codes_purge_task.apply().get() == 1
    assert settings.CELERY_BEAT_SCHEDULE["accounts-purge-login-codes"]["task"] == login_codes_purge_task.name
    assert settings.CELERY_BEAT_SCHEDULE["accounts-purge-unverified"]["task"] == unverified_accounts_purge_task.name


# --- Sessions (what ``manage.py clearsessions`` does) -------------------------------------------------------


def stored_session(*, expires: datetime) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    with freeze_time(expires - timedelta(weeks=2)):
        session = SessionStore()
        session["_auth_user_id"] = "1"
        session.set_expiry(expires - (expires - timedelta(weeks=2)))
        session.create()
    return session.session_key


def test_expired_sessions_go_in_bounded_batches_and_live_ones_stay(settings):
    from django.contrib.sessions.models import Session

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    expired = [stored_session(expires=T0 - DAY) for _ in range(5)]
    live = stored_session(expires=T0 + DAY)

    with CaptureQueriesContext(connection) as run:
        deleted = sessions_expired_purge(now=T0, batch_size=2)

    assert deleted == 5 and list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert not Session.objects.filter(session_key__in=expired).exists()
    assert len(deletes_of(run.captured_queries, Session)) == 3


def test_beat_runs_the_purge_of_expired_sessions(settings):
    from django.contrib.sessions.models import Session

    stored_session(expires=T0 - DAY)

    with freeze_time(T0):
        assert sessions_purge_task.apply().get() == 1
    assert not Session.objects.exists()
    assert settings.CELERY_BEAT_SCHEDULE["accounts-purge-sessions"]["task"] == sessions_purge_task.name
