"""An email backend for benchmarks/cluster.py: each message delivered is one JSON line in BENCH_MAIL_FILE.

Benchmark tooling only. The rehearsal runs with DEBUG off, where the portal refuses Django's file and console
backends (prakerja/checks.py: they would lose mail in production); this one stands in for the SMTP server and
records what the rehearsal counts: the outbox's idempotency key of every delivery, from whichever worker. One
``write`` per line to a file opened for appending, so lines from several processes never interleave.
"""

import json
import os

from django.core.mail.backends.base import BaseEmailBackend

from notifications.services import IDEMPOTENCY_HEADER


class CountingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        lines = "".join(
            json.dumps({"key": message.extra_headers.get(IDEMPOTENCY_HEADER, ""), "pid": os.getpid()}) + "\n"
            for message in email_messages
        )
        # Benchmark tooling: the file is the rehearsal's, not a setting of the portal.
        descriptor = os.open(os.environ["BENCH_MAIL_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, lines.encode())
        finally:
            os.close(descriptor)
        return len(email_messages)
