"""The audit log itself: entries are only ever added — every way to change or delete one fails, in Python, in the
admin and in the database — and only superusers read it, listed and filtered in the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action, AppendOnlyError, Entry
from audit.services import audit_record
from tests.factories import UserFactory, staff_user
from tests.helpers import login_verified, require_service
from waves.models import Complaint, Wave

pytestmark = pytest.mark.django_db

LIST = "/admin/audit/entry/"


@pytest.fixture
def operator():
    return staff_user(Role.OPERATOR)


@pytest.fixture
def entry(operator):
    return audit_record(
        acting_user=operator, action=Action.WAVE_PUBLISH, target=Wave, target_id=7, details={"from": "draft"}
    )


def unchanged(entry: Entry) -> bool:
    stored = Entry.objects.get(pk=entry.pk)
    return (stored.action, stored.details, stored.acting_user_id) == (
        Action.WAVE_PUBLISH,
        {"from": "draft"},
        entry.acting_user_id,
    )


# --- What an entry holds ------------------------------------------------------------------------------------


def test_an_entry_names_the_staff_member_their_roles_the_act_the_record_and_the_address(rf, operator):
    request = rf.get("/", REMOTE_ADDR="36.80.1.2")

    entry = audit_record(
        acting_user=operator, action=Action.WAVE_PUBLISH, target=Wave, target_id=7, details={}, request=request
    )

    entry = Entry.objects.get(pk=entry.pk)
    assert entry.acting_user == operator and entry.roles == Role.OPERATOR
    assert (entry.action, entry.target_type, entry.target_id) == (Action.WAVE_PUBLISH, "waves.wave", "7")
    assert entry.client_address == "36.80.1.2" and entry.at is not None


def test_the_roles_are_those_at_the_time_a_superuser_is_named_as_such(operator):
    boss = UserFactory(is_staff=True, is_superuser=True)
    boss.groups.add(Group.objects.get(name=Role.REVIEWER))

    first = audit_record(acting_user=operator, action=Action.WAVE_MOVE)
    operator.groups.clear()
    later = audit_record(acting_user=operator, action=Action.WAVE_MOVE)

    assert Entry.objects.get(pk=first.pk).roles == Role.OPERATOR
    assert Entry.objects.get(pk=later.pk).roles == ""
    assert audit_record(acting_user=boss, action=Action.WAVE_MOVE).roles == f"{Role.REVIEWER}, superuser"


def test_without_a_request_or_an_acting_user_the_entry_says_so():
    entry = audit_record(acting_user=None, action=Action.WAVE_MOVE, target=Wave, target_id=1)

    assert (entry.acting_user, entry.roles, entry.client_address) == (None, "", None)


# --- Append-only, in Python -----------------------------------------------------------------------------------


def test_an_entry_read_back_cannot_be_saved_again(entry):
    stored = Entry.objects.get(pk=entry.pk)
    stored.action = Action.TEXT_PUBLISH

    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        stored.save(update_fields=["action"])
    with pytest.raises(AppendOnlyError):
        entry.save()  # the instance create() returned
    assert unchanged(entry)


def test_a_new_entry_given_an_existing_id_fails_instead_of_overwriting_it(entry):
    impostor = Entry(pk=entry.pk, action=Action.TEXT_PUBLISH, details={"forged": True})

    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()
    with pytest.raises(AppendOnlyError):
        Entry(pk=entry.pk, action=Action.TEXT_PUBLISH).save(force_update=True)
    assert unchanged(entry)


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.get(pk=entry.pk).delete()
    assert unchanged(entry)


def test_no_queryset_changes_or_deletes_entries(entry):
    entries = Entry.objects.filter(pk=entry.pk)

    with pytest.raises(AppendOnlyError):
        entries.update(action=Action.TEXT_PUBLISH)
    with pytest.raises(AppendOnlyError):
        entries.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.bulk_update([Entry.objects.get(pk=entry.pk)], ["action"])
    with pytest.raises(AppendOnlyError):
        Entry.objects.update_or_create(pk=entry.pk, defaults={"action": Action.TEXT_PUBLISH})
    assert unchanged(entry)


def test_a_staff_account_with_entries_cannot_be_deleted_only_deactivated(entry, operator):
    with pytest.raises(ProtectedError), transaction.atomic():
        operator.delete()

    operator.is_active = False
    operator.save()
    assert Entry.objects.get(pk=entry.pk).acting_user == operator


# --- Append-only, in the database -----------------------------------------------------------------------------


def test_the_database_refuses_an_update_of_an_entry(entry):
    """On PostgreSQL and on SQLite (the demo) alike: a trigger (audit/migrations/0002)."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_entry SET action = %s WHERE id = %s", ["text_publish", entry.pk])

    assert unchanged(entry)


@pytest.mark.services
def test_postgresql_refuses_to_update_or_delete_any_entry_whatever_the_sql(entry):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    statements = [
        ("UPDATE audit_entry SET acting_user_id = NULL WHERE id = %s", [entry.pk]),
        ("UPDATE audit_entry SET details = '{}'", []),
        ("DELETE FROM audit_entry WHERE id = %s", [entry.pk]),
        ("DELETE FROM audit_entry", []),
    ]

    for sql, params in statements:
        with (
            pytest.raises(DatabaseError, match="cannot be changed or deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)

    assert unchanged(entry)


# --- The admin ------------------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    login_verified(client, UserFactory(verified=True, is_staff=True, is_superuser=True))
    return client


def test_a_superuser_reads_the_log_time_user_role_action_record_and_address(superuser_client, entry, operator):
    html = superuser_client.get(LIST).content.decode()

    assert operator.email in html and Role.OPERATOR in html
    assert "Memublikasikan gelombang" in html and "waves.wave #7" in html
    assert str(entry.pk) in html


def test_the_admin_offers_no_way_to_add_change_or_delete(superuser_client, entry):
    page = superuser_client.get(f"{LIST}{entry.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and "/delete/" not in html
    assert superuser_client.get(f"{LIST}add/").status_code == 403
    assert superuser_client.post(f"{LIST}add/", {"action": "wave_move"}).status_code == 403
    assert superuser_client.post(f"{LIST}{entry.pk}/change/", {"action": "text_publish"}).status_code == 403
    assert superuser_client.get(f"{LIST}{entry.pk}/delete/").status_code == 403
    assert superuser_client.post(f"{LIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    deleting = superuser_client.post(LIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert deleting.status_code in (200, 302)
    assert 'value="delete_selected"' not in superuser_client.get(LIST).content.decode()
    assert unchanged(entry)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OPERATOR, None])
def test_no_one_but_a_superuser_reads_the_log_not_even_with_its_permission(client, entry, role):
    user = staff_user(role)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_entry"))
    login_verified(client, user)

    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{entry.pk}/change/").status_code == 403
    assert "/admin/audit/" not in client.get("/admin/").content.decode()


def test_the_log_has_only_a_view_permission():
    assert set(Permission.objects.filter(content_type__app_label="audit").values_list("codename", flat=True)) == {
        "view_entry"
    }


def test_the_list_filters_by_action_staff_member_role_and_day_and_finds_a_record_by_id(superuser_client, operator):
    reviewer = staff_user(Role.REVIEWER)
    publish = audit_record(acting_user=operator, action=Action.WAVE_PUBLISH, target=Wave, target_id=41)
    decide = audit_record(acting_user=reviewer, action=Action.COMPLAINT_DECIDE, target=Complaint, target_id=41)
    schedule = audit_record(acting_user=None, action=Action.WAVE_MOVE, target=Wave, target_id=42)

    def listed(**query) -> set[int]:
        response = superuser_client.get(LIST, query)
        assert response.status_code == 200, query
        return {entry.pk for entry in response.context["cl"].result_list}

    assert listed(action="complaint_decide") == {decide.pk}
    assert listed(petugas=str(operator.pk)) == {publish.pk}
    assert listed(petugas="otomatis") == {schedule.pk}
    assert listed(peran=Role.REVIEWER) == {decide.pk}
    today = timezone.localtime(publish.at)  # the admin's days are the portal's (WIB)
    assert listed(at__year=today.year, at__month=today.month, at__day=today.day) >= {publish.pk, decide.pk}
    assert listed(q="41") == {publish.pk, decide.pk}
    assert listed(q="waves.complaint #41") == {decide.pk}
    assert listed(q="waves.wave:42") == {schedule.pk}
    assert listed(q="43") == set()
