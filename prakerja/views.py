"""Project-level pages: the health check, the session keep-alive and the favicon. (The landing page is the journey's: the
project imports no app.)"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """ "Tetap masuk": a request that counts as activity (prakerja.middleware.SessionPolicyMiddleware), so a
    person filling in a long form is not signed out; 401 once the session has ended."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page says: a permanent redirect to the static icon, so
    it is cached like every static file (and its hashed name changes when the icon does)."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")


def _check_broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from prakerja.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker, each "ok" or "error"; 503 when any is down. For monitoring, not a load
    balancer's check: a shared dependency down would take every node out at once, for an outage the pages
    survive (docs/DEPLOY.md)."""
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception:  # a health check reports every failure, whatever its kind
            logger.exception("health check %s failed", name)
            results[name] = "error"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503)
