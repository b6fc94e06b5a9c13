"""Reads other apps make of the outbox."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from notifications.models import Channel
from notifications.selectors import message_last_created_at, message_template_names
from notifications.services import message_enqueue
from tests.clock import T0

pytestmark = pytest.mark.django_db


def test_the_last_message_of_a_template_to_a_user_is_found(django_user_model):
    # given
    user = django_user_model.objects.create_user(email="budi@example.com", password="rahasia-sekali-123")
    other = django_user_model.objects.create_user(email="ani@example.com", password="rahasia-sekali-123")
    assert message_last_created_at(user=user, template="tests/hello") is None
    for minutes, who, key in ((0, user, "a"), (5, user, "b"), (9, other, "c")):
        with freeze_time(T0 + timedelta(minutes=minutes)):
            message_enqueue(
                channel=Channel.EMAIL,
                recipient=who.email,
                template="tests/hello",
                context={"name": "x"},
                idempotency_key=key,
                user=who,
            )

    # then
    assert message_last_created_at(user=user, template="tests/hello") == T0 + timedelta(minutes=5)
    assert message_last_created_at(user=user, template="tests/plain") is None


def test_the_template_names_are_those_on_disk_without_subjects_or_test_templates(settings, tmp_path):
    # given
    folder = tmp_path / "notifications"
    (folder / "waves").mkdir(parents=True)
    (folder / "tests").mkdir()
    for name in ("waves/result.txt", "waves/result_subject.txt", "waves/result.html", "otp.txt", "tests/hello.txt"):
        (folder / name).write_text("x")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    # then
    assert message_template_names() == ["otp", "waves/result"]
