"""What a selection issues: cards with checked numbers, and the announcement's messages held until its time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from notifications.models import Message, SharedBody
from notifications.services import outbox_sweep
from prakerja.timeutil import wib_date, wib_day_end
from tests.factories import WaveFactory, enrolled, enrolled_many
from waves.cards import card_number
from waves.models import Card, Result
from waves.selection import selection_run

pytestmark = pytest.mark.django_db


def luhn_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
        total += digit
    return total % 10 == 0


@pytest.fixture
def selected_wave(db):
    wave = WaveFactory(closed=True, number=12, province_quotas={"32": 3}, pool_unused_quota=False)
    for _ in range(5):
        enrolled(wave)  # each with a verified phone number, for the selected ones' SMS
    run = selection_run(wave=wave, acting_user=None, seed=8)
    return wave, run


def test_every_selected_applicant_gets_one_card_with_a_checked_unique_number(selected_wave):
    wave, run = selected_wave

    cards = list(Card.objects.select_related("result"))

    assert len(cards) == 3 == Result.objects.filter(run=run, selected=True).count()
    assert len({card.number for card in cards}) == 3
    for card in cards:
        assert len(card.number) == 16 and card.number.isdigit() and luhn_valid(card.number)
        assert card.number == card_number(wave.number, card.result_id)
        assert card.balance == 1_000_000
        assert card.first_training_deadline == wib_day_end(wib_date(wave.announce_at) + timedelta(days=30))


def test_a_mistyped_digit_fails_the_check():
    number = card_number(12, 345)
    wrong = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]

    assert luhn_valid(number) and not luhn_valid(wrong)


def test_selected_applicants_get_an_sms_and_an_email_the_others_an_email_all_held_until_the_announcement(selected_wave):
    wave, run = selected_wave
    selected = set(Result.objects.filter(run=run, selected=True).values_list("user_id", flat=True))

    messages = list(Message.objects.filter(template__startswith="waves/"))

    assert {(m.user_id, m.channel) for m in messages if m.template == "waves/result_selected"} == {
        (user, channel) for user in selected for channel in ("email", "sms")
    }
    assert len([m for m in messages if m.template == "waves/result_not_selected"]) == 2
    assert all(m.not_before == wave.announce_at for m in messages)
    assert all("Gelombang 12" in m.text for m in messages)


def test_the_sweep_sends_nothing_before_the_announcement_and_everything_after(selected_wave, sms_outbox, mailoutbox):
    wave, _run = selected_wave

    with freeze_time(wave.announce_at - timedelta(seconds=1)):
        outbox_sweep()
    assert sms_outbox == [] and mailoutbox == []

    with freeze_time(wave.announce_at + timedelta(seconds=1)):
        outbox_sweep()
    assert len(sms_outbox) == 3 and len(mailoutbox) == 5


def test_a_rerun_issues_no_second_card_and_sends_nothing_twice(selected_wave):
    wave, _run = selected_wave

    selection_run(wave=wave, acting_user=None, seed=99)

    assert Card.objects.count() == 3
    assert Message.objects.filter(template__startswith="waves/").count() == 8


def announcement_statements(wave) -> list[str]:
    """Select ``wave``; returns the SQL of the statements of its announcement phase."""
    marks: list[tuple[str | None, int]] = []
    with CaptureQueriesContext(connection) as queries:
        selection_run(
            wave=wave,
            acting_user=None,
            seed=5,
            on_progress=lambda progress: marks.append((progress.current, len(queries))),
        )
    # Progress comes at the start of the run, then at the start and the end of each phase.
    at = [name for name, _count in marks].index("announcement_messages")
    start, end = marks[at][1], marks[at + 1][1]
    return [query["sql"] for query in queries.captured_queries[start:end]]


def test_the_announcement_is_one_insert_reading_the_results_once_whatever_the_number_of_applicants(db):
    statements = {}
    for number, applicants in ((21, 4), (22, 40)):
        wave = WaveFactory(closed=True, number=number, province_quotas={"32": applicants // 4}, pool_unused_quota=False)
        enrolled_many(wave, applicants, provinces=("32",))  # no phone numbers: the SMS reaches no one
        statements[applicants] = announcement_statements(wave)

    assert len(statements[4]) == len(statements[40])
    # An INSERT into the outbox on SQLite; on PostgreSQL a CREATE TABLE … AS of the batch's partition.
    table = Message._meta.db_table
    inserts = [sql for sql in statements[40] if f"INSERT INTO {table} " in sql or f"CREATE TABLE {table}_" in sql]
    assert (
        len(inserts) == 1
        and inserts[0].count(f"FROM {Result._meta.db_table}") + inserts[0].count(f'FROM "{Result._meta.db_table}"') == 1
    )
    # Every applicant told once, by email; the SMS body, which reached no one, is gone.
    assert Message.objects.filter(template__startswith="waves/").count() == 44
    assert SharedBody.objects.count() == 4
