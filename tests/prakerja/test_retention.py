"""How every retention purge runs and is configured (docs/PRIVACY.md): short transactions of bounded batches
until a batch comes back short; periods read from the environment, never zero."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from prakerja import settings as portal_settings
from prakerja.retention import purge_in_batches


@pytest.mark.django_db(transaction=True)
def test_batches_run_until_one_comes_back_short_each_in_its_own_transaction():
    assert not connection.in_atomic_block
    due = list(range(7))
    sizes, in_transaction = [], []

    def purge_batch(size: int) -> int:
        sizes.append(size)
        in_transaction.append(connection.in_atomic_block)
        done = due[:size]
        del due[:size]
        return len(done)

    assert purge_in_batches("test rows", purge_batch, batch_size=3) == 7
    assert sizes == [3, 3, 3] and all(in_transaction)


@pytest.mark.django_db
def test_an_exact_multiple_costs_one_empty_batch_more():
    due = [1, 2, 3, 4]

    def purge_batch(size: int) -> int:
        done = due[:size]
        del due[:size]
        return len(done)

    calls = []
    assert purge_in_batches("test rows", lambda size: calls.append(size) or purge_batch(size), batch_size=2) == 4
    assert len(calls) == 3


@pytest.mark.django_db
def test_the_batch_size_comes_from_the_settings(settings):
    settings.RETENTION_BATCH_SIZE = 5
    sizes = []

    purge_in_batches("test rows", lambda size: sizes.append(size) or 0)

    assert sizes == [5]


@pytest.mark.parametrize(
    ("variable", "value", "days"),
    [("RETENTION_CODE_DAYS", "3", 3), ("RETENTION_MESSAGE_BODY_DAYS", "90", 90)],
)
def test_a_period_is_read_in_days_from_the_environment(monkeypatch, variable, value, days):
    monkeypatch.setenv(variable, value)

    assert portal_settings._retention_days(variable, 7).days == days


def test_a_period_of_zero_days_refuses_to_start(monkeypatch):
    monkeypatch.setenv("RETENTION_CODE_DAYS", "0")

    with pytest.raises(ImproperlyConfigured, match="RETENTION_CODE_DAYS must be at least 1"):
        portal_settings._retention_days("RETENTION_CODE_DAYS", 7)


def test_the_defaults_are_the_documented_ones(settings):
    assert settings.UNVERIFIED_ACCOUNT_RETENTION.days == 7
    assert settings.CODE_RETENTION.days == 7
    assert settings.MESSAGE_BODY_RETENTION.days == 30
    assert settings.RETENTION_BATCH_SIZE == 1000
