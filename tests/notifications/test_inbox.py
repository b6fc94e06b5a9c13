"""The demo inbox at /kotak-masuk/: every SMS and email, only where the demo allows it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.masking import mask_email, mask_phone
from notifications.models import Channel, Message, Status
from tests.notifications.helpers import PHONE, email_enqueue, sms_enqueue

pytestmark = pytest.mark.django_db

URL = "/kotak-masuk/"


def test_the_inbox_lives_at_its_fixed_address():
    assert reverse("notifications:inbox") == URL


def test_the_inbox_is_not_found_when_the_demo_inbox_is_disabled(client, settings):
    # given
    settings.DEMO_INBOX_ENABLED = False
    sms_enqueue()

    # when
    response = client.get(URL)

    # then
    assert response.status_code == 404


def test_the_inbox_lists_messages_newest_first_with_clickable_links(client, settings):
    # given
    settings.DEMO_INBOX_ENABLED = True
    older = email_enqueue(key="a")
    newer = sms_enqueue(key="b")

    # when
    response = client.get(URL)

    # then
    assert response.status_code == 200
    assert [m.pk for m in response.context["page"]] == [newer.pk, older.pk]
    html = response.content.decode()
    assert "Kotak masuk (demo)" in html
    assert "hanya ada di demo" in html
    assert html.index(mask_phone(PHONE)) < html.index(mask_email(older.recipient))  # masked
    assert "Salam untuk Siti" in html
    assert '<a href="http://testserver/dashboard/" rel="nofollow">http://testserver/dashboard/</a>' in html
    assert "no-store" in response.headers["Cache-Control"]


def test_the_inbox_shows_times_in_jakarta_time(client, settings):
    # given a message created and sent at 02:00 UTC
    settings.DEMO_INBOX_ENABLED = True
    message = sms_enqueue()
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    Message.objects.filter(pk=message.pk).update(created_at=at, sent_at=at, status=Status.SENT)

    # when
    html = client.get(URL).content.decode()

    # then
    assert "2 Mar 2026 09:00 WIB" in html


def test_the_inbox_filters_by_recipient_as_people_type_their_number(client, settings):
    # given
    settings.DEMO_INBOX_ENABLED = True
    mine = sms_enqueue(key="mine")
    sms_enqueue(key="theirs", recipient="+6281298765432")
    email = email_enqueue(key="mail", recipient="Siti@Example.com")

    # then
    for typed in (PHONE, "081212345678", "6281212345678"):
        assert [m.pk for m in client.get(URL, {"to": typed}).context["page"]] == [mine.pk]
    assert [m.pk for m in client.get(URL, {"to": "siti@example.com"}).context["page"]] == [email.pk]


def test_the_inbox_shows_fifty_messages_a_page(client, settings):
    # given 51 messages, written the way bulk announcements will write them
    settings.DEMO_INBOX_ENABLED = True
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            channel=Channel.SMS,
            recipient=PHONE,
            template="tests/hello",
            body=f"Pesan {n}",
            idempotency_key=f"bulk:{n}",
            not_before=now + timedelta(hours=1),
            next_attempt_at=now + timedelta(hours=1),
        )
        for n in range(51)
    )

    # when
    first = client.get(URL, {"to": PHONE})
    second = client.get(URL, {"to": PHONE, "page": 2})

    # then
    assert len(first.context["page"]) == 50
    assert [m.body for m in second.context["page"]] == ["Pesan 0"]
    assert "to=%2B6281212345678&amp;page=2" in first.content.decode()
