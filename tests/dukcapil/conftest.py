import pytest

from dukcapil import services
from tests.factories import ResidentFactory

API_KEY = "test-dukcapil-key"  # prakerja/settings_test.py: DUKCAPIL_API_KEY, the mock's default key


@pytest.fixture(autouse=True)
def _no_simulated_trouble(settings, monkeypatch):
    """No latency and no failures unless a test asks for them; never a real sleep."""
    settings.DUKCAPIL_MOCK_LATENCY_MS = 0
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 0.0
    settings.DUKCAPIL_MOCK_API_KEYS = [API_KEY]

    def no_real_sleep(seconds: float) -> None:
        raise AssertionError(f"a test slept {seconds} s; patch dukcapil.services.sleep")

    monkeypatch.setattr(services, "sleep", no_real_sleep)


@pytest.fixture
def resident(db):
    return ResidentFactory()
