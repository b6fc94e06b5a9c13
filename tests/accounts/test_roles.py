"""The role groups hold exactly the permissions of accounts/roles.py, after the migrations and in the docs."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db

SECURITY_MD = Path(__file__).resolve().parents[2] / "docs/SECURITY.md"


def held(group: Group) -> set[str]:
    return {
        f"{label}.{codename}"
        for label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_roles_group_holds_exactly_its_permissions_after_the_migrations(role):
    assert held(Group.objects.get(name=role)) == set(ROLE_PERMISSIONS[role])


def test_every_permission_the_table_names_exists():
    names = {name for names in ROLE_PERMISSIONS.values() for name in names}
    existing = {
        f"{label}.{codename}"
        for label, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }

    assert names <= existing, names - existing


def test_no_role_may_see_ktp_photos_identities_or_the_registry():
    for role, names in ROLE_PERMISSIONS.items():
        touching = [
            name
            for name in names
            if name.split(".")[1].split("_", 1)[1]
            in {"ktpphoto", "identityverification", "personaldata", "phonenumber", "resident", "family"}
        ]
        assert not touching, (role, touching)


def test_an_account_made_at_sign_up_is_an_applicant(client):
    client.post(
        "/daftar/",
        {
            "email": "baru@contoh.id",
            "password1": "Kartu-Prakerja-2026",
            "password2": "Kartu-Prakerja-2026",
            "terms": "on",
        },
    )

    user = User.objects.get(email="baru@contoh.id")
    assert list(user.groups.values_list("name", flat=True)) == [Role.APPLICANT]
    assert not user.is_staff and not user.get_all_permissions()


def test_docs_security_shows_the_same_table():
    text = SECURITY_MD.read_text()

    for role, names in ROLE_PERMISSIONS.items():
        row = re.search(rf"^\| {re.escape(role.value)} \|(.*)$", text, re.MULTILINE)
        assert row, f"docs/SECURITY.md has no row for {role.value}"
        assert set(re.findall(r"`([a-z_]+\.[a-z_]+)`", row[1])) == set(names), role.value
