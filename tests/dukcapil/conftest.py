import pytest

from dukcapil import services


@pytest.fixture(autouse=True)
def _no_simulated_trouble(settings, monkeypatch):
    """No latency and no failures unless a test asks for them; never a real sleep."""
    settings.DUKCAPIL_MOCK_LATENCY_MS = 0
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 0.0
    settings.DUKCAPIL_MOCK_API_KEYS = [settings.DUKCAPIL_API_KEY]  # the portal's key (prakerja/settings_test.py)

    def no_real_sleep(seconds: float) -> None:
        raise AssertionError(f"a test slept {seconds} s; patch dukcapil.services.sleep")

    monkeypatch.setattr(services, "sleep", no_real_sleep)
