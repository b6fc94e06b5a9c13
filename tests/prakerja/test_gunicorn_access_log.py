"""gunicorn's access log keeps no personal data and no secret (prakerja/gunicorn.py, docs/PRIVACY.md): not the
query string, not the Referer, not a token in a link's path, not a number or email typed into a path."""

import datetime

import pytest
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms

from prakerja import gunicorn as portal_gunicorn


class Response:
    status = "200 OK"
    sent = 1234
    headers = [("Set-Cookie", "sessionid=secret-session")]


class Request:
    headers = [("COOKIE", "sessionid=secret-session"), ("REFERER", "https://portal/kotak-masuk/?to=081234567890")]


def access_line(path: str, query: str = "", referer: str = "-") -> str:
    config = Config()
    config.set("access_log_format", portal_gunicorn.access_log_format)
    config.set("accesslog", None)
    logger = portal_gunicorn.PrivateAccessLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(milliseconds=12))
    return config.access_log_format % SafeAtoms(atoms)


def test_the_line_has_the_method_path_status_size_and_time():
    line = access_line("/dashboard/")

    assert '"GET /dashboard/ HTTP/1.1" 200 1234 12ms "Mozilla/5.0"' in line


def test_no_query_string_and_no_referer():
    line = access_line("/kotak-masuk/", query="to=081234567890", referer="https://portal/x/?to=081234567890")

    assert "081234567890" not in line and "to=" not in line and "portal/x" not in line


@pytest.mark.parametrize(
    "path",
    [
        "/verifikasi-email/eyJ1IjoxMjN9:1vQxYz:Qh3kT0x9mJbL2pA8sW4eR7uI1oP5aS6dF/",
        "/akun/email/konfirmasi/eyJ1IjoxMjN9:1vQxYz:Qh3kT0x9mJbL2pA8sW4eR7uI1oP5aS6dF/",
        "/lupa-password/MTIz/cj5t1u-9f0c2b7a4e6d8f1a3c5e7b9d0f2a4c6e/",
    ],
)
def test_a_token_in_a_links_path_is_hidden(path):
    token = path.rstrip("/").rsplit("/", 1)[1]

    line = access_line(path)

    assert token not in line and "…" in line


def test_a_number_nik_or_email_typed_into_a_path_is_masked():
    line = access_line("/cari/3273011708950001/081234567890/siti@contoh.id/")

    assert "3273011708950001" not in line and "081234567890" not in line and "siti@contoh.id" not in line


def test_no_header_or_environ_can_be_put_into_the_line():
    config = Config()
    logger = portal_gunicorn.PrivateAccessLogger(config)
    atoms = logger.atoms(
        Response(),
        Request(),
        {"REQUEST_METHOD": "GET", "RAW_URI": "/", "PATH_INFO": "/", "SERVER_PROTOCOL": "1.1"},
        datetime.timedelta(0),
    )

    assert not [key for key in atoms if key.startswith("{")]
    assert "secret-session" not in repr(atoms)


def test_the_procfile_starts_gunicorn_with_these_settings():
    from pathlib import Path

    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()

    assert "gunicorn -c python:prakerja.gunicorn prakerja.wsgi" in procfile
