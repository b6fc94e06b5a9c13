"""Writes that span every app, which only the journey (at the top of the dependency graph) may compose.

Deleting an account (UU PDP 27/2022, DESIGN §8, docs/PRIVACY.md): each app erases what it holds through its own
service (``*_erase_for``), since a table belongs to its app; this module orders them, in one transaction, and
deletes the private files last.
"""

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.errors import AccountError, AccountErrorCode
from accounts.models import User
from accounts.services import account_erase
from assessment.services import assessment_erase_for
from journey.page_cache import page_forget
from notifications.services import messages_erase_for
from verification.services import verification_erase_for
from waves.selectors import card_issued_to
from waves.services import waves_erase_for


@sensitive_variables("password")
def account_delete(*, user: User, password: str, now: datetime | None = None) -> None:
    """Delete ``user``'s account: erase their personal data everywhere, keep the program's records without it.

    Raises AccountError PASSWORD_WRONG (nothing erased), ACCOUNT_CLOSED (already deleted: a second submit) or
    STAFF_ACCOUNT; WaveError SELECTION_RUNNING while the wave the applicant waits on is being selected.

    The order matters: the waves app reads the enrollment before anything else goes, and the account row is
    erased last because every other erasure finds the rows by it. The private files (KTP photo, signed letters)
    are deleted at the very end, inside the transaction (prakerja.erasure.FilesToErase). What is erased and what
    is kept, and why, is what "Hapus akun" shows beforehand (templates/journey/account_delete.html) and
    docs/PRIVACY.md lists.
    """
    now = now or timezone.now()
    if user.is_staff or user.is_superuser:
        raise AccountError(AccountErrorCode.STAFF_ACCOUNT)
    # Checked before any lock or write: the slow hash, and a wrong password must change nothing.
    if not user.check_password(password):
        raise AccountError(AccountErrorCode.PASSWORD_WRONG)
    with transaction.atomic():
        # One deletion at a time per account: a double submit waits here, then finds the account closed.
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active or not locked.has_usable_password():
            raise AccountError(AccountErrorCode.ACCOUNT_CLOSED)
        recipient = card_issued_to(user=locked)  # read before the waves app's erasure
        files = waves_erase_for(user=locked, now=now)
        assessment_erase_for(user=locked)
        files.extend(verification_erase_for(user=locked, recipient=recipient, now=now))
        messages_erase_for(user=locked, now=now)
        account_erase(user=locked, now=now)
        files.delete()
        # The dashboard kept for the account (encrypted) can no longer be served; it goes now, not at its timeout.
        transaction.on_commit(partial(page_forget, locked.pk))
    user.email, user.password, user.is_active = locked.email, locked.password, False
