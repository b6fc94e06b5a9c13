"""The portal's client for the civil registry (Dukcapil). The only portal code that reaches `dukcapil`.

One interface, two transports:
- ``HttpTransport``: JSON over HTTP to ``settings.DUKCAPIL_URL`` with the API key, a timeout per attempt,
  and bounded retries with exponential backoff on timeouts, connection errors and 5xx answers;
- ``InProcessTransport``: calls the mock's service function directly (the embedded default), with the
  same JSON round trip, so everything above the transport behaves the same on both.
Either raises ``RegistryUnavailable`` when the registry cannot answer; the caller keeps the applicant's
input and asks them to try again later.

The registry answers per field only "SESUAI" / "TIDAK SESUAI" (or "TIDAK DITEMUKAN" for the NIK), plus
whether the occupation on the KTP is in an excluded group. It never returns a record's data.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

MATCH = "SESUAI"
MISMATCH = "TIDAK SESUAI"
NOT_FOUND = "TIDAK DITEMUKAN"


class RegistryUnavailable(Exception):
    """The registry did not answer in time, or answered with an error, after the allowed retries."""


@dataclass(frozen=True)
class RegistryAnswer:
    nik_found: bool
    # Field name ("kk", "tanggal_lahir", "nama_lengkap", "nama_ibu") -> whether it matched.
    matches: dict[str, bool]
    excluded_occupation: bool | None

    def matched(self, field: str) -> bool:
        return self.matches.get(field, False)


class Transport(Protocol):
    def verify(self, payload: dict[str, str]) -> dict: ...


class HttpTransport:
    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        timeout: float,
        retries: int,
        backoff: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not url.startswith(("https://", "http://")):
            # urlopen would also open file:// and ftp:// addresses; the registry is only ever reached over HTTP.
            raise ImproperlyConfigured("DUKCAPIL_URL must be an http:// or https:// address.")
        self.endpoint = urljoin(url if url.endswith("/") else url + "/", "verifikasi")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def verify(self, payload: dict[str, str]) -> dict:
        body = json.dumps(payload).encode()
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
                self.endpoint,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "Authorization": f"Bearer {self.api_key}",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - as above
                    return json.load(response)
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    # A 4xx is our mistake (key, request shape), not the registry's weather: retrying
                    # cannot help, and the applicant can do nothing about it either.
                    logger.error("registry refused the request: HTTP %s", error.code)
                    raise RegistryUnavailable(f"HTTP {error.code}") from None
                logger.warning("registry answered HTTP %s (attempt %s)", error.code, attempt + 1)
            except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
                logger.warning("registry unreachable (attempt %s): %s", attempt + 1, type(error).__name__)
            except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
                logger.warning("registry answered with invalid JSON (attempt %s)", attempt + 1)
        raise RegistryUnavailable("no answer after retries")


class InProcessTransport:
    """The embedded default: the mock registry's service, called in this process."""

    def verify(self, payload: dict[str, str]) -> dict:
        from dukcapil.errors import RegistryFailure, RegistryRequestInvalid
        from dukcapil.services import registry_verify

        fields = {name: value for name, value in payload.items() if name != "nik"}
        try:
            answer = registry_verify(nik=payload["nik"], fields=fields)
        except RegistryFailure:
            logger.warning("registry (in-process) failed")
            raise RegistryUnavailable("in-process registry failure") from None
        except RegistryRequestInvalid:
            # The in-process twin of an HTTP 400: our request was malformed, and retrying cannot help.
            logger.error("registry (in-process) refused the request as malformed")
            raise RegistryUnavailable("request refused") from None
        # The same round trip as over HTTP, so both transports hand the same types upward.
        return json.loads(json.dumps(answer))


class RegistryClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def verify(
        self,
        *,
        nik: str,
        kk: str | None = None,
        birth_date: date | None = None,
        full_name: str | None = None,
        mother_name: str | None = None,
    ) -> RegistryAnswer:
        fields = {
            "kk": kk,
            "tanggal_lahir": birth_date.isoformat() if birth_date else None,
            "nama_lengkap": full_name,
            "nama_ibu": mother_name,
        }
        payload = {"nik": nik, **{name: value for name, value in fields.items() if value is not None}}
        raw = self.transport.verify(payload)
        try:
            if raw["nik"] == NOT_FOUND:
                return RegistryAnswer(nik_found=False, matches={}, excluded_occupation=None)
            matches = {name: raw[name] == MATCH for name in payload if name != "nik"}
            return RegistryAnswer(
                nik_found=raw["nik"] == MATCH,
                matches=matches,
                excluded_occupation=bool(raw["pekerjaan_dikecualikan"]),
            )
        except (KeyError, TypeError):
            logger.error("registry answer had an unexpected shape")
            raise RegistryUnavailable("unexpected answer") from None


def registry_client() -> RegistryClient:
    """The configured client: HTTP when DUKCAPIL_URL is set, otherwise the in-process mock (if enabled)."""
    if settings.DUKCAPIL_URL:
        return RegistryClient(
            HttpTransport(
                url=settings.DUKCAPIL_URL,
                api_key=settings.DUKCAPIL_API_KEY,
                timeout=settings.DUKCAPIL_TIMEOUT,
                retries=settings.DUKCAPIL_RETRIES,
                backoff=settings.DUKCAPIL_RETRY_BACKOFF,
            )
        )
    if not settings.DUKCAPIL_MOCK_ENABLED:
        # prakerja/checks.py refuses to start like this; a process that skipped the checks fails here, loudly.
        raise ImproperlyConfigured("No civil registry: set DUKCAPIL_URL, or DUKCAPIL_MOCK_ENABLED=1 for the mock.")
    return RegistryClient(InProcessTransport())
