import pytest

from tests.factories import IdentityVerificationFactory, PersonalDataFactory, personal_data


@pytest.fixture
def identified_applicant(applicant, resident):
    """An applicant past step 2: their NIK matched the registry."""
    IdentityVerificationFactory(user=applicant, resident=resident)
    return applicant


@pytest.fixture
def described_applicant(identified_applicant, private_media):
    """An applicant past step 3, with private uploads going to a temporary folder."""
    from regions.models import District

    form = personal_data()
    fields = {field: value for field, value in form.items() if field not in {"province", "regency", "truthful"}}
    fields |= {"district": District.objects.get(pk=form["district"]), "dependents": int(form["dependents"])}
    PersonalDataFactory(user=identified_applicant, **fields)
    return identified_applicant
