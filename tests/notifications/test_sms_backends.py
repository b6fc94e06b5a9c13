"""The SMS backends write what they should, each with the idempotency key."""

import io
import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications import sms
from notifications.sms import ConsoleBackend, FileBackend, HttpBackend, MemoryBackend, get_sms_backend

BODY = "Kode OTP Kartu Prakerja: 123456.\nJangan berikan kode ini kepada siapa pun."


def test_the_console_backend_prints_one_line_per_sms(capsys):
    # when
    backend = ConsoleBackend()
    backend.send(recipient="+6281212345678", body=BODY, idempotency_key="otp:1:1")
    backend.send(recipient="+6281298765432", body="Halo", idempotency_key="otp:2:1")

    # then
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        (
            "SMS PRAKERJA → +6281212345678 [otp:1:1]: Kode OTP Kartu Prakerja: 123456. "
            "Jangan berikan kode ini kepada siapa pun."
        ),
        "SMS PRAKERJA → +6281298765432 [otp:2:1]: Halo",
    ]


def test_the_console_backend_can_write_to_a_given_stream():
    # given
    stream = io.StringIO()

    # when
    ConsoleBackend(stream=stream).send(recipient="+6281212345678", body="Halo", idempotency_key="k")

    # then
    assert stream.getvalue() == "SMS PRAKERJA → +6281212345678 [k]: Halo\n"


def test_the_file_backend_appends_a_json_line_per_sms_creating_its_folder(settings, tmp_path):
    # given a folder that does not exist yet
    settings.SMS_FILE_PATH = str(tmp_path / "var" / "sent-sms")

    # when
    FileBackend().send(recipient="+6281212345678", body=BODY, idempotency_key="otp:1:1")
    FileBackend().send(recipient="+6281298765432", body="Halo", idempotency_key="otp:2:1")

    # then
    lines = (tmp_path / "var" / "sent-sms" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["recipient"], r["body"], r["idempotency_key"], r["sender"]) for r in records] == [
        ("+6281212345678", BODY, "otp:1:1", "PRAKERJA"),
        ("+6281298765432", "Halo", "otp:2:1", "PRAKERJA"),
    ]
    assert all(r["sent_at"] for r in records)


def test_the_file_backend_keeps_its_one_time_codes_from_other_accounts_on_the_machine(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sent-sms")
    previous = os.umask(0o022)
    try:
        FileBackend().send(recipient="+6281212345678", body=BODY, idempotency_key="otp:1:1")
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "sent-sms" / "sms.jsonl").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "sent-sms").stat().st_mode) == 0o700


def test_the_memory_backend_keeps_each_sms_with_its_key(sms_outbox):
    # when
    MemoryBackend().send(recipient="+6281212345678", body="Halo", idempotency_key="k")

    # then
    assert sms.outbox is sms_outbox
    assert sms_outbox == [{"sender": "PRAKERJA", "recipient": "+6281212345678", "body": "Halo", "idempotency_key": "k"}]


def test_the_backend_is_chosen_by_the_setting(settings):
    # given
    settings.SMS_BACKEND = "notifications.sms.ConsoleBackend"

    # then
    assert isinstance(get_sms_backend(), ConsoleBackend)
    assert isinstance(get_sms_backend("notifications.sms.MemoryBackend"), MemoryBackend)


class _Gateway(BaseHTTPRequestHandler):
    status = 202
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.received.append(
            {
                "path": self.path,
                "idempotency_key": self.headers["Idempotency-Key"],
                "authorization": self.headers["Authorization"],
                "json": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    """A local HTTP SMS gateway on a free port."""
    _Gateway.received = []
    _Gateway.status = 202
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Gateway, f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_the_sms_with_the_key_as_a_header(settings, gateway):
    # given
    handler, url = gateway
    settings.SMS_HTTP_URL = url
    settings.SMS_HTTP_TOKEN = "gateway-token"

    # when
    HttpBackend().send(recipient="+6281212345678", body="Halo", idempotency_key="otp:1:1")

    # then
    assert handler.received == [
        {
            "path": "/v1/sms",
            "idempotency_key": "otp:1:1",
            "authorization": "Bearer gateway-token",
            "json": {"from": "PRAKERJA", "to": "+6281212345678", "text": "Halo"},
        }
    ]


def test_the_http_backend_raises_when_the_gateway_refuses(settings, gateway):
    # given
    handler, url = gateway
    handler.status = 503
    settings.SMS_HTTP_URL = url

    # then
    with pytest.raises(HTTPError):
        HttpBackend().send(recipient="+6281212345678", body="Halo", idempotency_key="k")


def test_the_http_backend_needs_a_url(settings):
    # given
    settings.SMS_HTTP_URL = ""

    # then
    with pytest.raises(ImproperlyConfigured):
        HttpBackend()
