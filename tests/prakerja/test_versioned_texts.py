"""The legal texts (declaration, Persetujuan, "gagal 3 kali" statement) are versioned alike: staff add a version
in the admin and it becomes the current one; a published version can be neither edited nor deleted."""

import pytest

from assessment.models import DeclarationText
from waves.models import AgreementText, StatementText

pytestmark = pytest.mark.django_db

TEXTS = [
    (
        DeclarationText,
        "/admin/assessment/declarationtext/",
        {"title": "Pernyataan 2027", "intro": "Pengantar.", "clauses": "Saya menyatakan."},
    ),
    (
        AgreementText,
        "/admin/waves/agreementtext/",
        {"title": "Persetujuan 2027", "clauses": "Saya setuju.\nSaya paham."},
    ),
    (
        StatementText,
        "/admin/waves/statementtext/",
        {"title": "Surat 2027", "opening": "Saya:", "body": "Menyatakan.\nDemikian."},
    ),
]


@pytest.mark.parametrize(("model", "url", "fields"), TEXTS, ids=lambda v: getattr(v, "__name__", None))
def test_adding_a_version_publishes_it_as_the_current_one(admin_client, model, url, fields):
    response = admin_client.post(f"{url}add/", {**fields, "title": f"  {fields['title']}  "})

    assert response.status_code == 302
    current = model.objects.get(is_current=True)
    assert (current.version, current.title) == (2, fields["title"])
    assert model.objects.get(version=1).is_current is False


@pytest.mark.parametrize(("model", "url", "fields"), TEXTS, ids=lambda v: getattr(v, "__name__", None))
def test_a_published_version_cannot_be_edited_or_deleted(admin_client, model, url, fields):
    v1 = model.objects.get(version=1)

    page = admin_client.get(f"{url}{v1.pk}/change/").content.decode()
    edit = admin_client.post(f"{url}{v1.pk}/change/", {**fields, "title": "diubah diam-diam"})
    delete = admin_client.post(f"{url}{v1.pk}/delete/", {"post": "yes"})

    assert 'name="_save"' not in page
    assert edit.status_code == 403 and delete.status_code == 403
    assert model.objects.get(version=1).title == v1.title


@pytest.mark.django_db(transaction=True)
def test_two_versions_published_at_the_same_moment_get_two_numbers_and_one_stays_current():
    from django.db import connection

    from prakerja.versioning import text_version_publish
    from tests.helpers import require_service
    from tests.races import at_once

    if connection.vendor != "postgresql":
        require_service("postgresql")
    before = AgreementText.objects.order_by("-version").first().version

    outcomes = at_once(
        lambda: text_version_publish(AgreementText, title="A", clauses="Pernyataan A"),
        lambda: text_version_publish(AgreementText, title="B", clauses="Pernyataan B"),
        errors=(),
    )

    assert outcomes == ["ok", "ok"]
    assert sorted(AgreementText.objects.filter(version__gt=before).values_list("version", flat=True)) == [
        before + 1,
        before + 2,
    ]
    assert AgreementText.objects.filter(is_current=True).count() == 1
