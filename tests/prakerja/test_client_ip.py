"""The client address behind 0, 1 and 2 reverse proxies, with X-Forwarded-For built the way nginx builds it
(``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``: what arrived, plus the address the proxy
saw), and the lockouts and limits that count it."""

import pytest
from freezegun import freeze_time

from prakerja.ratelimits import client_ip
from tests.clock import T0
from tests.factories import UserFactory

CLIENT, OTHER_CLIENT = "36.80.1.2", "114.124.9.9"
PROXY_1, PROXY_2 = "10.0.0.5", "10.0.0.6"


def through_proxies(rf, *, client: str, proxies: int, sent: str = "", path: str = "/"):
    """The request as the portal sees it after ``proxies`` nginx hops; ``sent`` is the client's own header."""
    forwarded = [entry for entry in sent.split(",") if entry.strip()]
    hops = [client, PROXY_1, PROXY_2][: proxies + 1]
    forwarded.extend(hops[:-1])  # each proxy appends the address it received the request from
    meta = {"REMOTE_ADDR": hops[-1]}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = ", ".join(entry.strip() for entry in forwarded)
    return rf.get(path, **meta)


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize("sent", ["", "1.2.3.4", "1.2.3.4, 5.6.7.8", "bukan-alamat", "unknown, 127.0.0.1"])
def test_the_client_is_the_nth_address_from_the_right_whatever_the_client_sent(rf, settings, proxies, sent):
    settings.TRUSTED_PROXY_COUNT = proxies

    request = through_proxies(rf, client=CLIENT, proxies=proxies, sent=sent)

    assert client_ip(request) == CLIENT


def test_one_nginx_in_front_gives_each_client_its_own_address_not_the_proxys(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    first = client_ip(rf.get("/", HTTP_X_FORWARDED_FOR=CLIENT, REMOTE_ADDR=PROXY_1))
    second = client_ip(rf.get("/", HTTP_X_FORWARDED_FOR=OTHER_CLIENT, REMOTE_ADDR=PROXY_1))

    assert (first, second) == (CLIENT, OTHER_CLIENT)


def test_without_a_trusted_proxy_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR=CLIENT)

    assert client_ip(request) == CLIENT


def test_a_header_shorter_than_the_proxy_chain_counts_against_the_nearest_hop(rf, settings):
    # Two proxies should have written two entries; one means the request skipped a proxy, so the entry is
    # whatever the sender wanted.
    settings.TRUSTED_PROXY_COUNT = 2

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR=PROXY_2)

    assert client_ip(request) == PROXY_2


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("36.80.1.2:51234", "36.80.1.2"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:36.80.1.2", "36.80.1.2"),
    ],
)
def test_ports_brackets_and_mapped_addresses_are_normalised(rf, settings, entry, expected):
    settings.TRUSTED_PROXY_COUNT = 1

    request = rf.get("/", HTTP_X_FORWARDED_FOR=f"9.9.9.9, {entry}", REMOTE_ADDR=PROXY_1)

    assert client_ip(request) == expected


@pytest.mark.django_db
def test_the_login_lockout_counts_the_real_client_not_the_address_it_claims(client, settings, password):
    # Given one nginx in front and an attacker who writes a new X-Forwarded-For on every guess
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(verified=True)

    def login(secret: str, *, real: str, claimed: str):
        return client.post(
            "/masuk/",
            {"username": user.email, "password": secret},
            HTTP_X_FORWARDED_FOR=f"{claimed}, {real}",
            REMOTE_ADDR=PROXY_1,
        )

    with freeze_time(T0):
        for n in range(settings.AXES_FAILURE_LIMIT):
            login(f"tebakan-{n}", real=CLIENT, claimed=f"203.0.113.{n}")
        # When the attacker then tries the right password, still claiming a fresh address
        attacker = login(password, real=CLIENT, claimed="203.0.113.200")
        attacker_session = "_auth_user_id" in client.session
        client.cookies.clear()
        # And the owner logs in from their own address behind the same proxy
        owner = login(password, real=OTHER_CLIENT, claimed="")
        owner_user_id = client.session.get("_auth_user_id")

    # Then the attacker's real address is locked out, and the owner is not
    assert attacker.status_code == 429
    assert not attacker_session
    assert owner.status_code == 302
    assert owner_user_id == str(user.pk)


@pytest.mark.django_db
def test_the_sign_up_limit_counts_the_real_client_not_the_address_it_claims(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limit = int(dict(settings.RATE_LIMITS["signup"])["ip"].split("/")[0])

    def signup(n: int, *, claimed: str):
        return client.post(
            "/daftar/",
            {
                "email": f"orang{n}@contoh.id",
                "password1": "Kartu-Prakerja-2026",
                "password2": "Kartu-Prakerja-2026",
                "terms": "on",
            },
            HTTP_X_FORWARDED_FOR=f"{claimed}, {CLIENT}",
            REMOTE_ADDR=PROXY_1,
        )

    with freeze_time(T0):
        for n in range(limit):
            assert signup(n, claimed=f"203.0.113.{n % 250}").status_code == 302
        response = signup(limit, claimed="198.51.100.1")

    assert "Terlalu banyak percobaan" in response.content.decode()
