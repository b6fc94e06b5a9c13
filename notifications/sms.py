"""SMS backends, chosen like Django's email backends: settings.SMS_BACKEND names the class.

Every backend is given the message's idempotency key with every attempt. A gateway that honours it delivers
a message once even when a worker sends, dies before recording it, and the outbox sends it again.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.request
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

# What MemoryBackend sent, like django.core.mail.outbox; tests clear it.
outbox: list[dict] = []


class BaseBackend:
    """One instance serves one delivery batch: ``open()``, any number of ``send()``, ``close()``."""

    def __init__(self, **kwargs) -> None:
        self.sender = kwargs.get("sender") or settings.SMS_SENDER_ID

    def open(self) -> None:
        """Acquire what the sends of a batch can share (a connection); nothing by default."""

    def close(self) -> None:
        """Release what ``open()`` acquired."""

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> None:
        """Send one SMS or raise; any exception counts as a failed attempt and is retried later."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """One line per SMS on stdout, for a developer watching ``runserver`` or the worker."""

    def __init__(self, *, stream: TextIO | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stream = stream
        self._lock = threading.Lock()

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> None:
        text = " ".join(body.split())
        # Looked up at each send, so output redirected after start-up (pytest's capsys) is honoured.
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(f"SMS {self.sender} → {recipient} [{idempotency_key}]: {text}\n")
            stream.flush()


class FileBackend(BaseBackend):
    """Appends one JSON object per line to ``sms.jsonl`` in settings.SMS_FILE_PATH (created if missing)."""

    file_name = "sms.jsonl"

    def __init__(self, *, file_path: str | Path | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.directory = Path(file_path or settings.SMS_FILE_PATH)

    @property
    def path(self) -> Path:
        return self.directory / self.file_name

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> None:
        record = {
            "sent_at": timezone.now().isoformat(),
            "sender": self.sender,
            "recipient": recipient,
            "body": body,
            "idempotency_key": idempotency_key,
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # One write() of a short line in append mode: lines of several worker processes never interleave.
        # 0600: the file holds one-time codes in clear (a demo's, since production refuses this backend).
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as file:
            file.write(line)


class MemoryBackend(BaseBackend):
    """Keeps each SMS in ``notifications.sms.outbox`` (tests)."""

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> None:
        outbox.append({"sender": self.sender, "recipient": recipient, "body": body, "idempotency_key": idempotency_key})


class HttpBackend(BaseBackend):
    """A generic HTTP SMS gateway: POST ``{"from", "to", "text"}`` as JSON to settings.SMS_HTTP_URL.

    The idempotency key travels as the ``Idempotency-Key`` header (the IETF httpapi draft's name), so a
    gateway that honours it never delivers the same message twice. Any non-2xx answer raises.
    """

    def __init__(
        self, *, url: str | None = None, token: str | None = None, timeout: float | None = None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.url = url or settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout or settings.SMS_HTTP_TIMEOUT
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("notifications.sms.HttpBackend needs SMS_HTTP_URL (http:// or https://).")

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> None:
        payload = json.dumps({"from": self.sender, "to": recipient, "text": body}).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")  # noqa: S310
        # urlopen raises HTTPError for any answer outside 2xx/3xx, and the scheme is checked above.
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            response.read()


def get_sms_backend(backend: str | None = None, **kwargs) -> BaseBackend:
    """An instance of ``backend`` (a dotted path), settings.SMS_BACKEND by default."""
    return import_string(backend or settings.SMS_BACKEND)(**kwargs)
