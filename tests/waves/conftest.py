import pytest

from tests.factories import WaveFactory


@pytest.fixture
def wave(db):
    """Gelombang 1, published, opening at T0 for a week (Jawa Barat 100 places, DKI Jakarta 50)."""
    return WaveFactory()
