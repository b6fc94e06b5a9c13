"""Settings that work on a laptop and fail silently in production, refused at start (DESIGN §8).

With DEBUG off, each of these is a system check *error* with its fix: ``manage.py`` commands refuse to run,
and ``prakerja.wsgi`` and the Celery worker and beat refuse to start (``refuse_to_start``), since gunicorn and
Celery run no checks of their own.

- one-time codes written to a file or the console, and marked sent (no SMS backend configured);
- verification and password-reset links written to the console or a file (no email backend configured);
- rate limits and lockouts counted per process (no shared cache: each gunicorn worker keeps its own);
- identities checked against the mock registry, or its API open to the internet, without anyone asking;
- KTP photos in a folder other accounts on the machine can read.
"""

from __future__ import annotations

import stat

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TAG = "prakerja_deployment"

DEV_SMS_BACKENDS = {
    "notifications.sms.ConsoleBackend",
    "notifications.sms.FileBackend",
    "notifications.sms.MemoryBackend",
}
DEV_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(TAG)
def deployment_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    errors: list[checks.CheckMessage] = []
    if not settings.SMS_BACKEND or settings.SMS_BACKEND in DEV_SMS_BACKENDS:
        errors.append(
            checks.Error(
                f"SMS_BACKEND is {settings.SMS_BACKEND or 'not set'}: one-time codes would not reach any phone, yet be "
                "marked sent.",
                hint="Set SMS_BACKEND=notifications.sms.HttpBackend with SMS_HTTP_URL and SMS_HTTP_TOKEN of your "
                "gateway (docs/CONFIGURATION.md).",
                id="prakerja.E001",
            )
        )
    elif settings.SMS_BACKEND == "notifications.sms.HttpBackend" and not settings.SMS_HTTP_URL:
        errors.append(
            checks.Error(
                "SMS_BACKEND is the HTTP gateway but SMS_HTTP_URL is not set.",
                hint="Set SMS_HTTP_URL (and SMS_HTTP_TOKEN) to your SMS gateway's endpoint.",
                id="prakerja.E002",
            )
        )
    if settings.EMAIL_BACKEND in DEV_EMAIL_BACKENDS:
        errors.append(
            checks.Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: verification and password-reset links would never "
                "reach anyone.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST (or another real "
                "backend).",
                id="prakerja.E003",
            )
        )
    cache = settings.CACHES["default"]["BACKEND"]
    if cache in PER_PROCESS_CACHES:
        errors.append(
            checks.Error(
                f"The cache is {cache.rsplit('.', 1)[-1]}, kept in each process: rate limits, login lockouts and "
                "selection progress would be counted per gunicorn worker (4 workers allow 4 times the limit).",
                hint="Set REDIS_URL, e.g. redis://127.0.0.1:6379/0.",
                id="prakerja.E004",
            )
        )
    if not settings.DUKCAPIL_URL and not settings.DUKCAPIL_MOCK_ENABLED:
        errors.append(
            checks.Error(
                "No civil registry: DUKCAPIL_URL is not set, and the mock registry is off.",
                hint="Set DUKCAPIL_URL to the registry's API, or DUKCAPIL_MOCK_ENABLED=1 to run this deployment "
                "against the mock registry (a simulation, never with real people's data).",
                id="prakerja.E005",
            )
        )
    root = settings.PRIVATE_MEDIA_ROOT
    if root.exists() and stat.S_IMODE(root.stat().st_mode) & 0o077:
        errors.append(
            checks.Error(
                f"PRIVATE_MEDIA_ROOT ({root}) can be read by other accounts on this machine: KTP photos are kept there.",
                hint=f"chmod 700 {root}",
                id="prakerja.E006",
            )
        )
    return errors


def refuse_to_start() -> None:
    """Raise ImproperlyConfigured, listing every problem and its fix, when a deployment check fails.

    For the processes that run no system checks themselves: the WSGI application, Celery's worker and beat.
    """
    silenced = set(settings.SILENCED_SYSTEM_CHECKS)
    problems = [
        message for message in checks.run_checks(tags=[TAG]) if message.is_serious() and message.id not in silenced
    ]
    if problems:
        raise ImproperlyConfigured(
            "The portal refuses to start:\n"
            + "\n".join(f"- {message.msg} ({message.id}) Fix: {message.hint}" for message in problems)
        )
