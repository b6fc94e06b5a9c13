import pytest

from tests.factories import registry_resident


@pytest.fixture
def resident(db):
    """Siti Aminah, born 17 August 1995 in Kota Depok, as the registry knows her."""
    return registry_resident()


@pytest.fixture
def applicant(client, verified_user):
    client.force_login(verified_user)
    return verified_user


def ktp_data(resident, **overrides) -> dict:
    data = {"nik": resident.nik, "kk": resident.family_id, "birth_date": resident.birth_date.isoformat()}
    data.update(overrides)
    return data


@pytest.fixture
def identified_applicant(applicant, resident):
    """An applicant past step 2: their NIK matched the registry."""
    from verification.services import identity_verify

    identity_verify(user=applicant, nik=resident.nik, kk=resident.family_id, birth_date=resident.birth_date)
    return applicant


def personal_data(**overrides) -> dict:
    data = {
        "full_name": "Siti Aminah",
        "mother_name": "Nurhayati",
        "address": "Jl. Merdeka No. 1, RT 001/RW 002, Pancoran Mas",
        "province": "32",
        "regency": "32.76",
        "district": "32.76.01",
        "sex": "P",
        "education": "sma",
        "marital_status": "belum_kawin",
        "dependents": "1",
        "employment_status": "phk",
        "training_topic": "pemasaran_digital",
        "truthful": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def described_applicant(identified_applicant, settings, tmp_path):
    """An applicant past step 3, with private uploads going to a temporary folder."""
    from regions.models import District
    from verification.services import PersonalDataInput, personal_data_save

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    data = personal_data()
    personal_data_save(
        user=identified_applicant,
        data=PersonalDataInput(
            **{k: v for k, v in data.items() if k not in {"province", "regency", "truthful", "district"}}
            | {"district": District.objects.get(pk=data["district"]), "dependents": int(data["dependents"])}
        ),
    )
    return identified_applicant
