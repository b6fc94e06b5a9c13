"""The dashboard as rendered for one state of the applicant's rows, kept in the cache (issue #18,
docs/PERFORMANCE.md "Applicant dashboard").

An applicant reloads the dashboard far more often than anything on it changes: waiting for a wave's result,
millions do it for days. So the rendered page is kept, one entry per applicant and language, with the version
it was rendered from; a reload serves it only if the version is still the same. The version names everything
the page was made from:

- the release: the templates, translations and static files' manifest, and the settings the page shows, so a
  deploy never serves a page rendered by the code before it;
- a fingerprint of the rows the page reads, taken by one statement before anything else is read: each row's
  physical version, PostgreSQL's ``ctid`` (where the row version lies) and ``xmin`` (the transaction that wrote
  it). Any INSERT, UPDATE or DELETE of those rows, through a model's ``save()``, a bulk ``update()``, a
  selection's ``INSERT … SELECT`` or a reviewer in the admin, changes them: no writer has to remember to
  invalidate anything, and one added later cannot forget to. The rows are the applicant's own (account,
  identity steps, declarations, test attempts and, until one is submitted, its answers and their questions,
  enrollments, results, cards, complaints) and the shared rows they point to that the page shows (their waves,
  their results' runs); ``tests/journey/test_page_cache.py`` checks that every table the dashboard reads is in
  this list;
- whether each moment the page compares with the clock has passed: a wave's opening, closing and announcement,
  a running test's deadline, a card's first-training deadline. The version changes the moment one passes.

Since the fingerprint is read before the page's own reads, a page kept under it is never older than the rows
it names (a page rendered from a newer state under an older fingerprint is never asked for again). A reload
whose version differs renders the page and overwrites the entry, so nothing piles up. The page is compressed
(11 KB to about 3) and encrypted with the personal-data keys, as the database's columns are (it shows the applicant's name and phone number);
deleting the account drops it at once (``page_forget``), and an unused entry expires after
``PAGE_TIMEOUT_SECONDS``.

What differs per answer is not kept: the CSRF token is a placeholder in the cached page, replaced with this
request's token on every answer; a page with a flash message to show, or with a query string, is rendered and
not kept. The fingerprint needs ``ctid`` and ``xmin``, so this is PostgreSQL's: elsewhere (the demo's SQLite) the
page is rendered on every request, as before. When the cache cannot be reached the page is rendered.
"""

import contextlib
import functools
import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path

import django
from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from prakerja.crypto import pii_decrypt_bytes, pii_encrypt_bytes
from prakerja.prepared import prepared_cursor
from prakerja.shared_cache import UNREACHABLE

PAGE_TIMEOUT_SECONDS = 900  # bounds what an unused page holds in Redis; a change is seen at once regardless
PAGES = ("dashboard",)  # the pages kept this way (``applicant_page``'s ``name``)
# The digest statement's name, in a comment at its head: tests tell it from the page's own statements by it.
FINGERPRINT_STATEMENT = "journey_page_fingerprint"
CSRF_PLACEHOLDER = "csrf-" + salted_hmac("journey.page_cache", "csrf placeholder").hexdigest()[:24]


def _tables() -> dict[str, str]:
    from accounts.models import User
    from assessment.models import Attempt, AttemptItem, Declaration, Option, Question
    from verification.models import IdentityVerification, KtpPhoto, PersonalData, PhoneNumber
    from waves.models import Card, Complaint, Enrollment, Result, SelectionRun, Wave

    models = {
        "user": User,
        "identity": IdentityVerification,
        "personal_data": PersonalData,
        "ktp_photo": KtpPhoto,
        "phone": PhoneNumber,
        "declaration": Declaration,
        "attempt": Attempt,
        "attempt_item": AttemptItem,
        "question": Question,
        "option": Option,
        "enrollment": Enrollment,
        "wave": Wave,
        "result": Result,
        "run": SelectionRun,
        "card": Card,
        "complaint": Complaint,
        "complaint_wave": Complaint.waves.through,
    }
    return {name: model._meta.db_table for name, model in models.items()}


def fingerprint_tables() -> set[str]:
    """The tables whose rows the fingerprint covers (the test holds the dashboard's reads to them)."""
    return set(_tables().values())


@functools.cache
def _fingerprint_sql() -> str:
    t = {name: connection.ops.quote_name(table) for name, table in _tables().items()}

    def versions(name: str, where: str, *moments: str) -> str:
        """Each row's version, and whether each of its ``moments`` has passed (false for an empty one)."""
        passed = "".join(f", (({moment} <= %(now)s::timestamptz) IS TRUE)" for moment in moments)
        return f"SELECT concat_ws(':', '{name}', ctid, xmin{passed}) FROM {t[name]} WHERE {where}"

    mine = "user_id = %(user)s::bigint"
    enrollments = f"SELECT id FROM {t['enrollment']} WHERE {mine}"
    # A test past its deadline but not submitted is scored from its answers and the questions' keys; once
    # submitted, its own row says.
    running = f"SELECT id FROM {t['attempt']} WHERE {mine} AND submitted_at IS NULL"
    asked = f"SELECT question_id FROM {t['attempt_item']} WHERE attempt_id IN ({running})"
    waves = f"SELECT wave_id FROM {t['enrollment']} WHERE {mine} UNION SELECT wave_id FROM {t['card']} WHERE {mine}"
    runs = f"SELECT run_id FROM {t['result']} WHERE enrollment_id IN ({enrollments})"
    complaints = f"SELECT id FROM {t['complaint']} WHERE {mine}"
    rows = [
        versions("user", "id = %(user)s::bigint"),
        *(
            versions(name, mine)
            for name in ("identity", "personal_data", "ktp_photo", "phone", "declaration", "enrollment", "complaint")
        ),
        versions("attempt", mine, "deadline"),
        versions("attempt_item", f"attempt_id IN ({running})"),
        versions("question", f"id IN ({asked})"),
        versions("option", f"question_id IN ({asked})"),
        versions("wave", f"id IN ({waves})", "opens_at", "closes_at", "announce_at"),
        versions("result", f"enrollment_id IN ({enrollments})"),
        versions("run", f"id IN ({runs})"),
        versions("card", mine, "first_training_deadline"),
        versions("complaint_wave", f"complaint_id IN ({complaints})"),
    ]
    return (
        f"/* {FINGERPRINT_STATEMENT} */ SELECT md5(string_agg(version, ' ' ORDER BY version))"
        f" FROM ({' UNION ALL '.join(rows)}) AS rows(version)"
    )


def rows_fingerprint(user_id: int) -> str:
    """One statement: a digest of the versions of every row the dashboard of ``user_id`` is read from, and of
    which of its moments have passed."""
    # Prepared: planning its seventeen branches costs several times what running them does (0.6 ms against
    # 0.05 ms), so each connection plans it once (prakerja/prepared.py).
    with prepared_cursor() as cursor:
        cursor.execute(_fingerprint_sql(), {"user": user_id, "now": timezone.now()})
        return cursor.fetchone()[0]


@functools.cache
def _release() -> str:
    """What else a rendered page depends on, the same in every process of one deploy: read once per process."""
    digest = hashlib.sha256(django.get_version().encode())
    roots = [*engines["django"].template_dirs, *settings.LOCALE_PATHS]
    for root in map(Path, roots):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".txt", ".mo"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    with contextlib.suppress(AttributeError, ValueError):  # no manifest (DEBUG's storage): static names are plain
        digest.update(staticfiles_storage.manifest_hash.encode())
    shown = (settings.PORTAL_NAME, settings.PORTAL_HELP_CONTACTS, settings.DEMO_INBOX_ENABLED)
    digest.update(repr((shown, settings.SESSION_IDLE_TIMEOUT, settings.STATIC_URL)).encode())
    return digest.hexdigest()[:16]


def _cacheable(request: HttpRequest) -> bool:
    return (
        connection.vendor == "postgresql"
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not len(messages.get_messages(request))  # counted, not iterated: they stay to be shown
    )


def applicant_page(
    request: HttpRequest, name: str, render_page: Callable[[HttpRequest, dict], HttpResponse]
) -> HttpResponse:
    """The page ``name`` of the signed-in applicant, from the cache when their rows have not changed since it was
    rendered; ``render_page(request, extra_context)`` renders it (``extra_context`` holds the CSRF placeholder)."""
    if not _cacheable(request):
        return render_page(request, {})
    key = _key(name, request.user.pk, get_language())
    version = f"{_release()}:{rows_fingerprint(request.user.pk)}"
    try:
        kept = cache.get(key)
    except UNREACHABLE:
        return render_page(request, {})
    html, status = _opened(kept, version), 200
    if html is None:
        response = render_page(request, {"csrf_token": CSRF_PLACEHOLDER})
        html, status = response.content.decode(response.charset), response.status_code
        if status == 200:
            with contextlib.suppress(*UNREACHABLE):  # the next request renders it again
                cache.set(key, (version, pii_encrypt_bytes(zlib.compress(html.encode()))), PAGE_TIMEOUT_SECONDS)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)), status=status)


def page_forget(user_id: int) -> None:
    """Drop every page kept for ``user_id`` (an account deleted: what it showed goes now, not at its timeout)."""
    with contextlib.suppress(*UNREACHABLE):  # then it expires within PAGE_TIMEOUT_SECONDS, unreadable meanwhile
        cache.delete_many([_key(name, user_id, code) for name in PAGES for code, _name in settings.LANGUAGES])


def _key(name: str, user_id: int, language: str) -> str:
    # One entry per applicant, page and language, overwritten when their rows change: nothing piles up.
    return f"page:{name}:{user_id}:{language}"


def _opened(kept: tuple[str, bytes] | None, version: str) -> str | None:
    """The kept page if it was rendered from ``version``; None if not, or if its key has been retired."""
    if kept is None or kept[0] != version:
        return None
    try:
        return zlib.decompress(pii_decrypt_bytes(kept[1])).decode()
    except ValueError:  # rendered under a PII key since retired (pii_rotate_keys): render it again
        return None
