"""Guesses at a one-time code, counted so that parallel requests cannot get more comparisons than the limit.

The SMS code of the phone step (verification.OtpCode) and the emailed login code (accounts.LoginCode) are rows
with the same columns: ``wrong_guesses``, ``used_at``, ``voided_at``, ``expires_at``. Both take a guess here
before comparing.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F, QuerySet


def code_guess_reserve(code: QuerySet, *, max_guesses: int, now: datetime) -> int | None:
    """Count one guess on the code ``code`` selects (one row) before it is compared; return how many guesses it
    has had, this one included, or None when it cannot be guessed (used, void, expired, or out of guesses).

    This exists to handle races: a script sending many codes at once must not get more comparisons than
    ``max_guesses``. One conditional UPDATE takes a guess only while the code is usable and has guesses left,
    so however many requests arrive together, at most ``max_guesses`` of them reach the comparison. The count is
    read inside the same transaction, while the UPDATE's row lock keeps other guesses out. A right code gives
    its guess back when it is marked used (``F("wrong_guesses") - 1``).
    """
    usable = code.filter(
        used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now, wrong_guesses__lt=max_guesses
    )
    with transaction.atomic():
        if usable.update(wrong_guesses=F("wrong_guesses") + 1):
            return code.values_list("wrong_guesses", flat=True).get()
    return None
