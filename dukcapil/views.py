"""The mock registry's JSON API (mounted at /dukcapil/api/v1/).

Requests carry NIKs, KK numbers, names and birth dates: nothing here logs a request body or a field of a
record, only the outcome (HTTP status and a code).
"""

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from dukcapil.errors import RegistryErrorCode, RegistryFailure, RegistryRequestInvalid
from dukcapil.services import NOT_FOUND, registry_verify

logger = logging.getLogger(__name__)


def _json(data: dict, *, status: int = 200, outcome: str) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response.outcome = outcome  # what the log line says instead of the body
    return response


def _error(status: int, code: RegistryErrorCode) -> JsonResponse:
    return _json({"error": code.value}, status=status, outcome=code.value)


def _presented_key(request: HttpRequest) -> str:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-API-Key", "").strip()


def _key_accepted(presented: str) -> bool:
    # Digests of equal length, compared in constant time against every key, so neither the position of a
    # wrong character nor which key matched shows in the response time.
    presented_digest = hashlib.sha256(presented.encode()).digest()
    accepted = False
    for key in settings.DUKCAPIL_MOCK_API_KEYS:
        if key and hmac.compare_digest(presented_digest, hashlib.sha256(key.encode()).digest()):
            accepted = True
    return accepted and bool(presented)


def api_endpoint(*, method: str) -> Callable:
    """A JSON endpoint: the one HTTP method, a valid key, no CSRF (callers are services, not browsers)."""

    def decorator(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest) -> JsonResponse:
            if request.method != method:
                response = _error(405, RegistryErrorCode.METHOD_NOT_ALLOWED)
                response["Allow"] = method
            elif not _key_accepted(_presented_key(request)):
                response = _error(401, RegistryErrorCode.UNAUTHORIZED)
                response["WWW-Authenticate"] = 'Bearer realm="dukcapil"'
            else:
                response = view(request)
            # Answers about a person's identity are never cached by anything in between.
            response["Cache-Control"] = "no-store"
            logger.info("%s %s %s", view.__name__, response.status_code, response.outcome)
            return response

        return wrapped

    return decorator


@api_endpoint(method="POST")
def verify(request: HttpRequest) -> JsonResponse:
    """POST {"nik", "kk"?, "tanggal_lahir"?, "nama_lengkap"?, "nama_ibu"?} -> a per-field SESUAI/TIDAK SESUAI."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: arrays or objects nested deeper than the parser goes, a malformed body like any other.
        return _error(400, RegistryErrorCode.MALFORMED_JSON)
    if not isinstance(body, dict):
        return _error(400, RegistryErrorCode.MALFORMED_JSON)
    nik = body.pop("nik", None)
    try:
        answer = registry_verify(nik=nik, fields=body)
    except RegistryRequestInvalid as error:
        return _error(400, error.code)
    except RegistryFailure as error:
        return _error(503, error.code)
    return _json(answer, outcome="not_found" if answer["nik"] == NOT_FOUND else "found")


@api_endpoint(method="GET")
def health(request: HttpRequest) -> JsonResponse:
    return _json({"status": "ok"}, outcome="ok")
