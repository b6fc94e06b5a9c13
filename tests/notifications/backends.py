"""Stand-ins for a gateway that is down; used by the notification tests through settings.SMS_BACKEND."""

from django.core.mail.backends.base import BaseEmailBackend

from notifications.sms import BaseBackend

calls: list[str] = []


class DownSmsBackend(BaseBackend):
    def send(self, *, recipient: str, body: str, idempotency_key: str) -> None:
        calls.append(idempotency_key)
        # Real gateways echo the number back; the outbox must not keep it.
        raise ConnectionError(f"gateway unavailable for {recipient}")


class DownEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")
