"""Writing to the audit log: the one way an entry is made."""

from typing import Any

from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.http import HttpRequest

from audit.context import client_address
from audit.models import Action, Entry
from prakerja.ratelimits import client_ip

SUPERUSER = "superuser"


def audit_record(
    *,
    acting_user: PermissionsMixin | None,
    action: Action,
    target: models.Model | type[models.Model] | None = None,
    target_id: Any = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Entry:
    """Record that ``acting_user`` (None: the schedule or another automatic process) did ``action`` to ``target``.

    ``target`` is a model instance, or a model class with ``target_id`` (a record already deleted) or without
    one (a list page; ``details`` then names the ids shown). Only the model's label and the primary key are
    stored, never the record's content, and ``details`` must hold no personal data either (statuses, ids,
    counts, field names): the log outlives the applicants' data. The client address is ``request``'s, else the
    one of the request or task being handled (audit/context.py).

    Written in the caller's transaction: a change that is rolled back leaves no entry, and a view that cannot
    be recorded fails rather than being shown unrecorded.
    """
    target_type = target_key = ""
    if target is not None:
        target_type = target._meta.label_lower
        key = target_id if target_id is not None or isinstance(target, type) else target.pk
        target_key = "" if key is None else str(key)
    return Entry.objects.create(
        acting_user=acting_user,
        roles=user_roles(acting_user),
        action=action,
        target_type=target_type,
        target_id=target_key,
        client_address=client_ip(request) if request is not None else client_address(),
        details=details or {},
    )


def user_roles(user: PermissionsMixin | None) -> str:
    """The user's roles as they are now: their groups (accounts/roles.py) and whether they are a superuser. Also
    what the public reads about who voided a selection (waves.services.selection_void): a role, never a name."""
    if user is None:
        return ""
    names = sorted(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        names.append(SUPERUSER)
    return ", ".join(names)
