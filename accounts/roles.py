"""The portal's roles: groups with named permissions (DESIGN §8), the one table of who may do what.

Every staff page and private file checks one of these permissions, never ``is_staff`` alone: ``is_staff``
only opens the admin's door, and a staff account in no group sees nothing behind it. The table is applied
by migrations (``roles_sync``); docs/SECURITY.md shows it to people, and a test holds the two together.

- Pendaftar (applicant): no model permission at all. What an applicant may read is decided by ownership in
  each selector (their own KTP photo, their own letter), so an applicant's session can never open a staff
  page, whatever else goes wrong. Every account made at sign-up joins it.
- Peninjau pengaduan (reviewer): the "gagal 3 kali" complaints and the letters attached to them, and the
  decision; no KTP photo, no identity record, no wave.
- Operator gelombang (operator): waves and their province quotas, publishing, opening and closing them,
  running and voiding a selection, the runs and results, the operator console and its exports (results with the
  NIK and card number masked), and the legal texts' new versions. No KTP photo
  and no identity record: running a wave needs counts, not people.
- Superuser: Django's ``is_superuser`` flag, which holds every permission (the audit log included); not a
  group, because a group could only list the permissions that exist today.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    APPLICANT = "Pendaftar"
    REVIEWER = "Peninjau pengaduan"
    OPERATOR = "Operator gelombang"


ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.APPLICANT: (),
    Role.REVIEWER: (
        "waves.view_complaint",
        "waves.review_complaint",
    ),
    Role.OPERATOR: (
        "waves.view_wave",
        "waves.add_wave",
        "waves.change_wave",
        "waves.open_wave",
        "waves.close_wave",
        "waves.run_selection",
        "waves.view_provincequota",
        "waves.add_provincequota",
        "waves.change_provincequota",
        "waves.delete_provincequota",
        "waves.view_waveevent",
        "waves.view_selectionrun",
        "waves.void_selectionrun",
        "waves.view_enrollment",
        "waves.view_result",
        "waves.view_agreementtext",
        "waves.add_agreementtext",
        "waves.view_statementtext",
        "waves.add_statementtext",
        "assessment.view_declarationtext",
        "assessment.add_declarationtext",
        "accounts.view_privacypolicytext",
        "accounts.add_privacypolicytext",
        "accounts.view_termstext",
        "accounts.add_termstext",
        # The operator console (/operator/): the funnel, the runs, the outbox's health; the results' CSV.
        "console.view_console",
        "console.export_results",
        # The province picker on a wave's quotas searches the provinces (the admin's autocomplete needs it).
        "regions.view_province",
    ),
}


def roles_sync(apps, schema_editor=None) -> None:
    """Make each role's group hold exactly the permissions in the table (a data migration's forward step).

    Permissions are normally created after all migrations have run; the groups need them now, so they are
    created first for every app the table names.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    app_labels = {name.split(".", 1)[0] for names in ROLE_PERMISSIONS.values() for name in names}
    for label in sorted(app_labels):
        # The real app config gets past create_permissions' "has models" check; the models it reads are the
        # migration state's.
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        # Run from an early migration, the table may name a permission a later migration creates; that
        # migration syncs again. tests/accounts/test_roles.py checks the groups after every migration.
        permissions = [
            permission
            for label, codename in (name.split(".", 1) for name in names)
            if (permission := Permission.objects.filter(content_type__app_label=label, codename=codename).first())
        ]
        group.permissions.set(permissions)
