"""Every form's errors say what to do (issue #16): one error summary, "Ada masalah", with a link to each field
at fault, the fields marked aria-invalid, and a message of its own for each required field left empty."""

import importlib
import re
from html.parser import HTMLParser

import pytest
from django import forms

from accounts.models import User
from prakerja.forms import ErrorSummaryForm
from tests.factories import ApplicantFactory, ktp_data

pytestmark = pytest.mark.django_db

DJANGO_REQUIRED = forms.Field.default_error_messages["required"]


class _Page(HTMLParser):
    """The ids on a page, the targets of the summary's links, and which elements say aria-invalid."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.summary_links: list[str] = []
        self.invalid: set[str] = set()
        self._in_summary = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "data-error-summary" in attrs:
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self.summary_links.append(attrs["href"])
        if attrs.get("aria-invalid") == "true":
            self.invalid.add(attrs.get("id") or attrs.get("name"))

    def handle_endtag(self, tag):
        if self._in_summary and tag == "div":
            self._in_summary -= 1


@pytest.fixture
def identified_applicant(client):
    user = ApplicantFactory(identity_verified=True)
    client.force_login(user)
    return user


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _instance(cls):
    for attempt in (lambda: cls(), lambda: cls(user=User()), lambda: cls(User())):
        try:
            return attempt()
        except TypeError:
            continue
    raise AssertionError(f"cannot build {cls.__name__}")


def test_every_required_field_of_every_form_has_its_own_message():
    for module in ("accounts.forms", "verification.forms", "assessment.forms", "waves.forms"):
        importlib.import_module(module)
    checked = 0
    for cls in set(_subclasses(ErrorSummaryForm)):
        form = _instance(cls)
        for name, field in form.fields.items():
            if field.required and not field.widget.is_hidden:
                assert str(field.error_messages["required"]) != str(DJANGO_REQUIRED), f"{cls.__name__}.{name}"
                checked += 1
    assert checked > 30


def test_an_empty_data_diri_lists_each_problem_at_the_top_linked_to_its_field(client, identified_applicant):
    response = client.post("/dashboard/data-diri/", {"full_name": ""})

    html = response.content.decode()
    page = _Page(html)
    form = response.context["form"]
    assert "Ada masalah" in html
    assert html.index("Ada masalah") < html.index('id="id_full_name"')
    expected = {f"#{form.field_anchor(name)}" for name in form.errors}
    assert set(page.summary_links) == expected
    assert "#id_mother_name" in page.summary_links and "#id_regency" in page.summary_links
    assert "#id_sex_0" in page.summary_links  # a radio group leads to its first option
    for link in page.summary_links:
        assert link[1:] in page.ids, link
    assert {"id_full_name", "id_mother_name", "id_regency", "id_sex_0"} <= page.invalid
    assert "Masukkan nama ibu kandung Anda." in html
    assert "Bidang ini tidak boleh kosong" not in html and "This field is required" not in html
    assert 'src="/static/js/error-summary.js"' in html or "error-summary" in html


def test_the_regency_is_marked_required_like_the_others(client, identified_applicant):
    html = client.get("/dashboard/data-diri/").content.decode()

    for field in ("full_name", "province", "regency", "district"):
        assert re.search(rf'<label[^>]*for="id_{field}"[^>]*class="[^"]*requiredField', html), field


def test_a_registry_mismatch_is_in_the_summary_and_marks_the_kk_invalid(client, applicant, resident):
    response = client.post("/dashboard/verifikasi-ktp/", ktp_data(resident, kk="3276010102159999"))

    html = response.content.decode()
    page = _Page(html)
    assert "Ada masalah" in html
    assert page.summary_links == ["#id_kk"]
    assert "id_kk" in page.invalid and "id_nik" not in page.invalid
    # What is wrong first, then whom to call.
    assert html.index("Ada masalah") < html.index("Hubungi Dukcapil")


def test_a_form_without_errors_has_no_summary(client, identified_applicant):
    html = client.get("/dashboard/data-diri/").content.decode()

    assert "Ada masalah" not in html and "data-error-summary" not in html


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/daftar/", {"email": "", "password1": "", "password2": ""}, "email"),
        ("/masuk/", {"username": "", "password": ""}, "username"),
    ],
)
def test_public_forms_have_the_summary_too(client, db, url, data, field):
    html = client.post(url, data).content.decode()

    page = _Page(html)
    assert "Ada masalah" in html
    assert f"#id_{field}" in page.summary_links
    assert f"id_{field}" in page.invalid


def ids_unique(html: str) -> list[str]:
    ids = _Page(html).ids
    return sorted({i for i in ids if ids.count(i) > 1})
