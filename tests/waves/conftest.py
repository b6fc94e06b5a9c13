import pytest

from tests.factories import ApplicantFactory, WaveFactory, lost_waves


@pytest.fixture
def wave(db):
    """Gelombang 1, published, opening at T0 for a week (Jawa Barat 100 places, DKI Jakarta 50)."""
    return WaveFactory()


@pytest.fixture
def thrice_failed(client, private_media):
    """An applicant not selected in three announced waves (may file "gagal 3 kali"), logged in on ``client``."""
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 3)
    client.force_login(user)
    return user
