"""message_enqueue: renders now, writes one row in the caller's transaction, delivers after commit."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from notifications.models import Channel, Message, Status
from notifications.services import message_enqueue
from tests.notifications.helpers import EMAIL, PHONE, email_enqueue, sms_enqueue

pytestmark = pytest.mark.django_db


def test_enqueue_renders_the_email_templates_and_writes_one_pending_row():
    # when
    message = email_enqueue(key="welcome:1")

    # then
    row = Message.objects.get()
    assert row == message
    assert row.channel == Channel.EMAIL
    assert row.recipient == EMAIL
    assert row.template == "tests/hello"
    assert row.subject == "Salam untuk Siti"
    assert row.body == "Halo Siti (id),\nbuka http://testserver/dashboard/ untuk melanjutkan."
    assert '<a href="http://testserver/dashboard/">dasbor</a>' in row.html_body
    assert row.status == Status.PENDING
    assert row.attempts == 0
    assert row.idempotency_key == "welcome:1"


def test_enqueue_renders_in_the_active_language():
    # given the applicant browses in English
    with translation.override("en"):
        # when
        message = sms_enqueue()

    # then
    assert "(en)" in message.body


def test_text_bodies_are_not_html_escaped_but_the_html_alternative_is():
    # when
    message = email_enqueue(context={"name": "O'Brien & <Putri>"})

    # then
    assert message.body.startswith("Halo O'Brien & <Putri> (id)")
    assert message.subject == "Salam untuk O'Brien & <Putri>"
    assert "O&#x27;Brien &amp; &lt;Putri&gt;" in message.html_body


def test_an_email_without_an_html_template_has_only_a_text_body():
    # when
    message = email_enqueue(template="tests/plain", context={"code": "123456"})

    # then
    assert message.body == "Kode Anda 123456."
    assert message.html_body == ""


def test_an_sms_has_no_subject_and_no_html_body():
    # when
    message = sms_enqueue()

    # then
    assert message.recipient == PHONE
    assert message.subject == ""
    assert message.html_body == ""


def test_the_same_idempotency_key_twice_writes_one_row_and_queues_one_delivery(
    django_capture_on_commit_callbacks,
):
    # given
    with django_capture_on_commit_callbacks() as callbacks:
        first = sms_enqueue(key="otp:42:1")

        # when
        second = sms_enqueue(key="otp:42:1")

    # then
    assert second.pk == first.pk
    assert Message.objects.count() == 1
    assert len(callbacks) == 1


def test_a_duplicate_key_leaves_the_callers_transaction_usable():
    # given the caller's own transaction (PostgreSQL aborts a transaction on an unhandled IntegrityError)
    with transaction.atomic():
        sms_enqueue(key="dup")

        # when
        sms_enqueue(key="dup")

        # then the transaction still works
        sms_enqueue(key="other")
    assert Message.objects.count() == 2


def test_nothing_is_queued_before_the_transaction_commits(django_capture_on_commit_callbacks, sms_outbox):
    # given
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            message = sms_enqueue()

            # then, still inside the transaction, nothing was sent
            assert sms_outbox == []
        assert sms_outbox == []

    # when the commit callbacks run
    assert len(callbacks) == 1
    callbacks[0]()

    # then
    assert [sms["idempotency_key"] for sms in sms_outbox] == [message.idempotency_key]


def test_a_rolled_back_transaction_writes_nothing_and_sends_nothing(django_capture_on_commit_callbacks, sms_outbox):
    # when
    def change_that_fails():
        with transaction.atomic():
            sms_enqueue()
            raise RuntimeError("the change that caused the message failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()

    # then
    assert Message.objects.count() == 0
    assert callbacks == []
    assert sms_outbox == []


def test_a_message_for_later_is_not_queued_and_waits_for_not_before(django_capture_on_commit_callbacks, sms_outbox):
    # given
    announce_at = timezone.now() + timedelta(hours=2)

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = sms_enqueue(not_before=announce_at)

    # then
    assert callbacks == []
    assert sms_outbox == []
    assert message.not_before == announce_at
    assert message.next_attempt_at == announce_at


def test_a_message_whose_not_before_has_passed_is_delivered_at_once(django_capture_on_commit_callbacks, sms_outbox):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_enqueue(not_before=timezone.now() - timedelta(minutes=1))

    # then
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(sms_outbox) == 1


def test_a_message_keeps_its_user_and_survives_the_users_deletion(django_user_model):
    # given
    user = django_user_model.objects.create_user(email="budi@example.com", password="rahasia-sekali-123")
    message = message_enqueue(
        channel=Channel.EMAIL,
        recipient=user.email,
        template="tests/hello",
        context={"name": "Budi"},
        idempotency_key="user:1",
        user=user,
    )
    assert message.user == user

    # when
    user.delete()

    # then
    message.refresh_from_db()
    assert message.user is None


def test_a_broker_outage_at_commit_does_not_fail_the_caller_and_the_sweep_sends_later(
    monkeypatch, django_capture_on_commit_callbacks, sms_outbox
):
    # given the broker is unreachable
    from notifications import tasks
    from notifications.services import outbox_sweep

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.message_deliver_task, "apply_async", broker_down)

    # when the caller's transaction commits, then it does not fail
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_enqueue()
    assert sms_outbox == []

    # then the sweep delivers the message
    assert outbox_sweep().sent == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
