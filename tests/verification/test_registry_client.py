"""The registry client's HTTP transport against a scripted fake registry on 127.0.0.1 (no sleeping: the
backoff's sleep is injected; a timeout waits on a socket for a fraction of a second)."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from verification.registry import HttpTransport, RegistryClient, RegistryUnavailable

ANSWER = {"nik": "SESUAI", "kk": "SESUAI", "tanggal_lahir": "TIDAK SESUAI", "pekerjaan_dikecualikan": False}


class FakeRegistry:
    """Answers each POST with the next scripted step: an (status, body) pair, or "hang"."""

    def __init__(self) -> None:
        self.script: list = []
        self.requests: list[dict] = []
        self.release = threading.Event()
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                registry.requests.append({"headers": dict(self.headers), "body": json.loads(self.rfile.read(length))})
                step = registry.script.pop(0) if registry.script else (200, ANSWER)
                if step == "hang":
                    registry.release.wait(5)
                    return
                status, body = step
                payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dukcapil/api/v1/"


@pytest.fixture
def fake_registry() -> Iterator[FakeRegistry]:
    registry = FakeRegistry()
    thread = threading.Thread(target=registry.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield registry
    registry.release.set()
    registry.server.shutdown()
    registry.server.server_close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client_for(
    registry: FakeRegistry, sleeps: list[float], *, retries: int = 2, timeout: float = 2.0
) -> RegistryClient:
    return RegistryClient(
        HttpTransport(
            url=registry.url,
            api_key="kunci-rahasia",
            timeout=timeout,
            retries=retries,
            backoff=0.2,
            sleep=sleeps.append,
        )
    )


def test_a_check_posts_the_fields_with_the_key_and_reads_each_answer(fake_registry, sleeps):
    from datetime import date

    answer = client_for(fake_registry, sleeps).verify(
        nik="3276011708950001", kk="3276010102150003", birth_date=date(1995, 8, 17)
    )

    request = fake_registry.requests[0]
    assert request["headers"]["Authorization"] == "Bearer kunci-rahasia"
    assert request["body"] == {"nik": "3276011708950001", "kk": "3276010102150003", "tanggal_lahir": "1995-08-17"}
    assert answer.nik_found and answer.matched("kk") and not answer.matched("tanggal_lahir")
    assert answer.excluded_occupation is False


def test_a_nik_the_registry_does_not_know(fake_registry, sleeps):
    fake_registry.script = [(200, {"nik": "TIDAK DITEMUKAN"})]

    answer = client_for(fake_registry, sleeps).verify(nik="3276011708950001", kk="3276010102150003")

    assert not answer.nik_found
    assert not answer.matched("kk")


def test_5xx_answers_are_retried_with_growing_backoff_then_succeed(fake_registry, sleeps):
    fake_registry.script = [(503, {"error": "unavailable"}), (502, "bad gateway"), (200, ANSWER)]

    answer = client_for(fake_registry, sleeps).verify(nik="3276011708950001", kk="x")

    assert answer.nik_found
    assert len(fake_registry.requests) == 3
    assert sleeps == [0.2, 0.4]


def test_retries_are_bounded_and_end_in_registry_unavailable(fake_registry, sleeps):
    fake_registry.script = [(503, {})] * 5

    with pytest.raises(RegistryUnavailable):
        client_for(fake_registry, sleeps, retries=2).verify(nik="3276011708950001")

    assert len(fake_registry.requests) == 3


def test_a_registry_that_does_not_answer_in_time_is_retried_then_unavailable(fake_registry, sleeps):
    fake_registry.script = ["hang", "hang"]

    with pytest.raises(RegistryUnavailable):
        client_for(fake_registry, sleeps, retries=1, timeout=0.2).verify(nik="3276011708950001")

    assert len(fake_registry.requests) == 2


def test_a_refused_key_is_not_retried(fake_registry, sleeps):
    fake_registry.script = [(401, {"error": "unauthorized"})]

    with pytest.raises(RegistryUnavailable):
        client_for(fake_registry, sleeps).verify(nik="3276011708950001")

    assert len(fake_registry.requests) == 1
    assert sleeps == []


def test_garbage_and_surprising_shapes_are_unavailable_not_a_crash(fake_registry, sleeps):
    fake_registry.script = [(200, "<html>"), (200, "[]"), (200, {"unexpected": True})]

    with pytest.raises(RegistryUnavailable):
        client_for(fake_registry, sleeps, retries=1).verify(nik="3276011708950001")
    with pytest.raises(RegistryUnavailable):
        client_for(fake_registry, sleeps, retries=0).verify(nik="3276011708950001")


def test_an_answer_nested_deeper_than_the_parser_goes_is_unavailable_not_a_crash(fake_registry, sleeps):
    fake_registry.script = [(200, "[" * 100_000 + "]" * 100_000)]

    with pytest.raises(RegistryUnavailable):
        client_for(fake_registry, sleeps, retries=0).verify(nik="3276011708950001")


def test_nothing_listens_at_the_address():
    transport = HttpTransport(
        url="http://127.0.0.1:9/", api_key="k", timeout=0.5, retries=1, backoff=0, sleep=lambda s: None
    )

    with pytest.raises(RegistryUnavailable):
        RegistryClient(transport).verify(nik="3276011708950001")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://registry.example/", "registry.example/api/"])
def test_only_an_http_address_is_a_registry(url):
    """urlopen would read a local file or an FTP server as happily as the registry: the address is refused first."""
    with pytest.raises(ImproperlyConfigured, match="DUKCAPIL_URL"):
        HttpTransport(url=url, api_key="k", timeout=1, retries=0, backoff=0)
