"""The outbox in Django admin: masked recipients, exact key search, failed messages sent again."""

import pytest
from django.urls import reverse

from notifications.models import Message, Status
from notifications.selectors import message_template_names
from tests.notifications.helpers import EMAIL, PHONE, email_enqueue, sms_enqueue

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_message_changelist")


def test_the_list_shows_recipients_masked(admin_client):
    # given
    sms_enqueue()
    email_enqueue()

    # when
    html = admin_client.get(CHANGELIST).content.decode()

    # then
    assert "+62812••••5678" in html
    assert "s•••@example.com" in html
    assert PHONE not in html
    assert EMAIL not in html


def test_the_list_is_searched_by_the_exact_idempotency_key(admin_client):
    # given
    wanted = sms_enqueue(key="otp:12:1")
    sms_enqueue(key="otp:12:2")

    # when
    response = admin_client.get(CHANGELIST, {"q": "otp:12:1"})

    # then
    assert [m.pk for m in response.context["cl"].result_list] == [wanted.pk]


def test_a_message_cannot_be_added_or_deleted_in_admin(admin_client):
    # given
    message = sms_enqueue()

    # then
    assert admin_client.get(reverse("admin:notifications_message_add")).status_code == 403
    assert admin_client.get(reverse("admin:notifications_message_delete", args=[message.pk])).status_code == 403


def test_the_detail_page_shows_neither_the_recipient_nor_the_body(admin_client, django_user_model):
    # given a password reset link, the kind of body that would let a staff member take over the account
    user = django_user_model.objects.create_user(email="budi@example.com", password="rahasia-sekali-123")
    message = email_enqueue(recipient=user.email, user=user, context={"name": "Budi"})

    # when
    detail = admin_client.get(reverse("admin:notifications_message_change", args=[message.pk]))

    # then
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "b•••@example.com" in html
    assert f"#{user.pk}" in html
    assert "budi@example.com" not in html
    assert "/dashboard/" not in html


def test_the_requeue_action_sends_failed_messages_again(admin_client, django_capture_on_commit_callbacks, sms_outbox):
    # given
    failed = sms_enqueue()
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=8)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(CHANGELIST, {"action": "requeue", "_selected_action": [failed.pk]}, follow=True)

    # then
    assert "1 pesan dijadwalkan ulang." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert len(sms_outbox) == 1


def test_the_template_filter_lists_the_portals_templates_and_filters_by_one(admin_client):
    # given
    wanted = email_enqueue(key="a", template="tests/plain", context={"code": "1"})
    email_enqueue(key="b")

    # when
    response = admin_client.get(CHANGELIST, {"template": "tests/plain"})

    # then
    assert [m.pk for m in response.context["cl"].result_list] == [wanted.pk]
    changelist = response.context["cl"]
    choices = {choice["display"] for spec in changelist.filter_specs for choice in spec.choices(changelist)}
    assert set(message_template_names()) <= choices
    assert "tests/hello" not in choices
