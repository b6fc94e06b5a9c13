import pytest

from accounts.roles import Role
from tests.factories import staff_user
from tests.helpers import login_verified


@pytest.fixture
def operator_client(client):
    """``client``, logged in as an operator past the staff second factor."""
    login_verified(client, staff_user(Role.OPERATOR))
    return client
