"""Who may open what: every role against every private file and every admin page (docs/SECURITY.md).

The expected answers come from the roles table (accounts/roles.py) and the rules written here, never from the
admin classes under test: a private file is its owner's, or needs its named permission; "exists but not
yours" and "does not exist" give the same 404; an admin page needs the model's permission, whatever
``is_staff`` says.
"""

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, Role
from tests.factories import ApplicantFactory, ComplaintFactory, UserFactory, staff_user
from tests.helpers import login_verified
from waves.models import Complaint

pytestmark = pytest.mark.django_db

MISSING = 987_654


@dataclass(frozen=True)
class Viewer:
    name: str
    staff: bool
    permissions: frozenset[str]
    superuser: bool = False

    def may(self, permission: str) -> bool:
        return self.superuser or permission in self.permissions


VIEWERS = [
    Viewer("owner", staff=False, permissions=frozenset()),
    Viewer("other applicant", staff=False, permissions=frozenset()),
    Viewer("staff, no group", staff=True, permissions=frozenset()),
    Viewer("reviewer", staff=True, permissions=frozenset(ROLE_PERMISSIONS[Role.REVIEWER])),
    Viewer("operator", staff=True, permissions=frozenset(ROLE_PERMISSIONS[Role.OPERATOR])),
    Viewer("superuser", staff=True, permissions=frozenset(), superuser=True),
]
ROLE_OF = {"reviewer": Role.REVIEWER, "operator": Role.OPERATOR}


@pytest.fixture
def files_owner(private_media):
    """An applicant with a stored KTP photo and a pending "gagal 3 kali" letter, both real files."""
    user = ApplicantFactory(test_passed=True, ktp_photo__stored=True)
    ComplaintFactory(user=user)
    return user


def login_as(client, viewer: Viewer, files_owner) -> None:
    """Sign ``viewer`` in as they would be: staff past the second factor (on in the tests, as in production)."""
    if viewer.name == "owner":
        client.force_login(files_owner)
    elif viewer.superuser:
        login_verified(client, UserFactory(verified=True, is_staff=True, is_superuser=True))
    elif viewer.staff:
        login_verified(client, staff_user(ROLE_OF.get(viewer.name)))
    else:
        client.force_login(UserFactory(verified=True))


def private_files(files_owner) -> list[tuple[str, str, str | None]]:
    """(label, url, the permission that opens it for someone other than its owner; None: only the owner)."""
    photo, complaint = files_owner.ktp_photo, Complaint.objects.get(user=files_owner)
    return [
        ("KTP photo", reverse("verification:ktp_photo_file", args=[photo.pk, "image"]), "verification.view_ktpphoto"),
        (
            "KTP thumbnail",
            reverse("verification:ktp_photo_file", args=[photo.pk, "thumbnail"]),
            "verification.view_ktpphoto",
        ),
        ("signed letter", reverse("waves:complaint_file", args=[complaint.pk]), "waves.view_complaint"),
        ("missing KTP photo", reverse("verification:ktp_photo_file", args=[MISSING, "image"]), None),
        ("missing letter", reverse("waves:complaint_file", args=[MISSING]), None),
    ]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.name)
def test_each_private_file_opens_for_its_owner_and_its_permission_and_is_a_404_to_everyone_else(
    client, files_owner, viewer
):
    login_as(client, viewer, files_owner)

    for label, url, permission in private_files(files_owner):
        exists = not label.startswith("missing")
        allowed = exists and (viewer.name == "owner" or (permission is not None and viewer.may(permission)))
        response = client.get(url)

        assert response.status_code == (200 if allowed else 404), (label, viewer.name, response.status_code)
        if allowed:
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["Content-Security-Policy"] == "sandbox"
            assert "no-store" in response["Cache-Control"]


def test_private_files_send_anonymous_visitors_to_the_login_page(client, files_owner):
    for label, url, _permission in private_files(files_owner):
        response = client.get(url)

        assert response.status_code == 302 and response["Location"].startswith("/masuk/"), label


OWN_DATA_PAGES = ("/dashboard/data-saya/", "/dashboard/data-saya/unduh/", "/dashboard/hapus-akun/")


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.name)
def test_the_own_data_pages_show_each_applicant_their_own_and_do_not_exist_for_staff(client, files_owner, viewer):
    """ "Data saya", its download and "Hapus akun" take no id: an applicant reaches only their own; staff hold no
    applicant data and are closed by an administrator, so the pages are a 404 to them."""
    login_as(client, viewer, files_owner)
    nik, name = files_owner.identity.nik, files_owner.personal_data.full_name

    for url in OWN_DATA_PAGES:
        response = client.get(url)

        if viewer.staff:
            assert response.status_code == 404, (url, viewer.name)
            continue
        assert response.status_code == 200, (url, viewer.name)
        body = response.content.decode()
        if viewer.name == "owner" and url.endswith("/unduh/"):
            assert nik in body and name in body
        elif viewer.name != "owner":
            assert nik not in body and name not in body, url


def test_the_own_data_pages_send_anonymous_visitors_to_the_login_page(client, files_owner):
    for url in OWN_DATA_PAGES:
        response = client.get(url)

        assert response.status_code == 302 and response["Location"].startswith("/masuk/"), url


def admin_pages(files_owner) -> list[tuple[str, str, str, str | None]]:
    """(label, url, the permission it needs, the action it is) for every registered model's list, add page
    and the change page of one of its rows."""
    pages = []
    for model in admin.site._registry:
        label, name = model._meta.app_label, model._meta.model_name
        pages.append((f"{label}.{name} list", reverse(f"admin:{label}_{name}_changelist"), f"{label}.{name}", "view"))
        pages.append((f"{label}.{name} add", reverse(f"admin:{label}_{name}_add"), f"{label}.{name}", "add"))
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            url = reverse(f"admin:{label}_{name}_change", args=[row.pk])
            pages.append((f"{label}.{name} change", url, f"{label}.{name}", "view"))
    return pages


# Admins that nobody may add to, whatever their permissions: records made by the portal's own services.
NOT_ADDED_IN_ADMIN = {
    "verification.identityverification",
    "verification.personaldata",
    "verification.ktpphoto",
    "verification.phonenumber",
    "verification.otpcode",
    "waves.enrollment",
    "waves.selectionrun",
    "waves.result",
    "waves.card",
    "waves.complaint",
    "waves.waveevent",
    "notifications.message",
    "assessment.declaration",
    "assessment.attempt",
    "assessment.attemptitem",
    "assessment.option",
    "dukcapil.resident",
    "dukcapil.family",
    "regions.province",
    "regions.regency",
    "regions.district",
    # django-axes' records of login attempts
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    # the audit log: written by the portal as staff act, never by hand
    "audit.entry",
}
# The mock registry's data are the registry's, not the portal's: only a superuser looks at them. The audit log
# records what reviewers and operators did: only a superuser reads it.
SUPERUSER_ONLY = {"dukcapil.resident", "dukcapil.family", "audit.entry"}


def expected_admin_status(viewer: Viewer, model: str, action: str) -> int:
    label, name = model.split(".")
    if viewer.superuser:
        return 403 if action == "add" and model in NOT_ADDED_IN_ADMIN else 200
    if model in SUPERUSER_ONLY:
        return 403
    if action == "add":
        allowed = model not in NOT_ADDED_IN_ADMIN and viewer.may(f"{label}.add_{name}")
    else:
        allowed = viewer.may(f"{label}.view_{name}") or viewer.may(f"{label}.change_{name}")
    return 200 if allowed else 403


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v.staff], ids=lambda viewer: viewer.name)
def test_every_admin_page_answers_by_the_models_permission_not_by_is_staff(client, files_owner, viewer):
    login_as(client, viewer, files_owner)
    wrong = []

    for label, url, model, action in admin_pages(files_owner):
        status = client.get(url).status_code
        expected = expected_admin_status(viewer, model, action)
        if status != expected:
            wrong.append((label, status, expected))

    assert not wrong, f"{viewer.name}: (page, got, expected) {wrong}"


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if not v.staff], ids=lambda viewer: viewer.name)
def test_applicants_never_get_past_the_admins_door(client, files_owner, viewer):
    login_as(client, viewer, files_owner)

    for label, url, _model, _action in admin_pages(files_owner):
        response = client.get(url)

        assert response.status_code == 302 and "/login/" in response["Location"], label


def test_files_do_not_open_to_a_permission_holder_who_has_not_passed_the_second_factor(client, files_owner):
    client.force_login(UserFactory(verified=True, is_staff=True, is_superuser=True))  # password only

    for label, url, _permission in private_files(files_owner):
        assert client.get(url).status_code == 404, label


def test_a_staff_account_in_no_group_sees_an_empty_admin(client, files_owner):
    login_verified(client, staff_user(None))

    html = client.get("/admin/").content.decode()

    assert "/admin/waves/" not in html and "/admin/verification/" not in html


def test_the_reviewer_reviews_a_letter_without_any_link_to_a_ktp_photo(client, files_owner):
    login_verified(client, staff_user(Role.REVIEWER))
    complaint = Complaint.objects.get(user=files_owner)

    html = client.get(reverse("admin:waves_complaint_change", args=[complaint.pk])).content.decode()

    assert reverse("waves:complaint_file", args=[complaint.pk]) in html
    assert "/verifikasi/foto-ktp/" not in html
    assert files_owner.identity.nik not in html and files_owner.identity.nik_masked in html


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        # Opening, closing, selecting and voiding are buttons to confirmation pages (tests/waves/test_wave_actions.py).
        (Role.OPERATOR, {"publish"}),
        (Role.REVIEWER, None),  # no access to waves at all
    ],
)
def test_wave_actions_are_offered_only_to_those_allowed_to_take_them(client, role, actions):
    from django.utils import timezone

    from tests.factories import WaveFactory
    from waves.actions import available_actions
    from waves.admin import WaveAdmin
    from waves.models import Wave

    user = staff_user(role)
    request = type("Request", (), {"user": user, "GET": {}})()

    offered = set(WaveAdmin(Wave, admin.site).get_actions(request)) - {"delete_selected"}

    if actions is None:
        assert client.get("/admin/waves/wave/").status_code in (302, 403)
        login_verified(client, user)
        assert client.get("/admin/waves/wave/").status_code == 403
    else:
        assert offered == actions
        wave = WaveFactory(open=True)
        assert all(offer.permitted for offer in available_actions(wave=wave, now=timezone.now(), user=user))


def test_a_staff_member_who_may_only_look_at_waves_is_offered_no_wave_action():
    from django.contrib.auth.models import Permission

    from waves.admin import SelectionRunAdmin, WaveAdmin
    from waves.models import SelectionRun, Wave

    user = staff_user(None)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_wave", "view_selectionrun"], content_type__app_label="waves")
    )
    request = type("Request", (), {"user": type(user).objects.get(pk=user.pk), "GET": {}})()

    assert set(WaveAdmin(Wave, admin.site).get_actions(request)) == set()
    assert set(SelectionRunAdmin(SelectionRun, admin.site).get_actions(request)) == set()
