import pytest

from tests.factories import UserFactory


@pytest.fixture
def owner(db):
    """The account whose email, password or login is at stake: pemilik@contoh.id, its email verified."""
    return UserFactory(verified=True, email="pemilik@contoh.id")
