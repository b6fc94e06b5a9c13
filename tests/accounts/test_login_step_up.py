"""Per-account protection that never keeps the owner out (security issue #11).

The finding: 31 wrong passwords from other addresses made /masuk/ refuse the owner's right password for an
hour. Now an account with many failures asks a browser it does not know for a code emailed to the account,
without telling whether the password was right; a browser it knows is not slowed at all. Time is frozen.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import LoginCode
from notifications.models import Message
from tests.factories import PASSWORD, UserFactory
from tests.helpers import code_in, last_message, stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

CODE_URL = "/masuk/kode/"


def ip(n: int) -> str:
    return f"10.9.{n // 200}.{n % 200 + 1}"


def login(client, email, password, address="36.80.1.2", **extra):
    return client.post("/masuk/", {"username": email, "password": password}, REMOTE_ADDR=address, **extra)


def attack(email: str, failures: int, addresses: int = 31) -> None:
    """Wrong passwords for one account from ``addresses`` addresses in turn (a botnet), too few from each
    to lock a pair (100 from 31 is at most 4 each)."""
    for n in range(failures):
        login(Client(), email, f"tebakan-{n}", address=ip(n % addresses))


def enter_code(client, code, address="36.80.1.2"):
    return client.post(CODE_URL, {"code": code}, REMOTE_ADDR=address)


def login_code_sent_to(user) -> str:
    return code_in(last_message(recipient=user.email, template="accounts/login_code"))


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("failures", [31, 100])
def test_wrong_passwords_from_many_addresses_do_not_keep_the_owner_out(owner, failures):
    attack(owner.email, failures)
    browser = Client()

    response = login(browser, owner.email, PASSWORD, address="36.99.0.1")
    assert response.status_code == 302 and response.url == CODE_URL
    assert SESSION_KEY not in browser.session
    done = enter_code(browser, login_code_sent_to(owner), address="36.99.0.1")

    assert done.status_code == 302 and done.url == reverse("journey:dashboard")
    assert browser.session[SESSION_KEY] == str(owner.pk)


def test_a_browser_the_owner_logged_in_from_before_gets_in_at_once_despite_the_attack(owner):
    phone = Client()
    assert login(phone, owner.email, PASSWORD).url == reverse("journey:dashboard")
    phone.post("/keluar/")
    attack(owner.email, 100)

    response = login(phone, owner.email, PASSWORD)

    assert response.status_code == 302 and response.url == reverse("journey:dashboard")
    assert phone.session[SESSION_KEY] == str(owner.pk)
    assert not Message.objects.filter(template="accounts/login_code").exists()


def test_below_the_threshold_the_password_alone_is_enough(owner, settings):
    attack(owner.email, settings.LOGIN_STEP_UP_AFTER - 1)

    response = login(Client(), owner.email, PASSWORD, address="36.99.0.1")

    assert response.url == reverse("journey:dashboard")


def test_the_attacker_with_the_right_password_but_not_the_email_does_not_get_in(owner, settings):
    attack(owner.email, 31)
    attacker = Client()
    login(attacker, owner.email, PASSWORD, address="45.1.1.1")
    real_code = login_code_sent_to(owner)
    wrong = f"{(int(real_code) + 1) % 1_000_000:06d}"

    pages = [enter_code(attacker, wrong, address=f"45.1.1.{n + 2}") for n in range(settings.LOGIN_CODE_MAX_GUESSES)]

    assert [page.status_code for page in pages[:-1]] == [200] * (settings.LOGIN_CODE_MAX_GUESSES - 1)
    assert "Sisa 4 percobaan" in pages[0].content.decode()
    assert pages[-1].status_code == 302 and pages[-1].url == reverse("accounts:login")
    assert SESSION_KEY not in attacker.session
    # The attempt is over and its code is void: even the right code does not open the account now.
    assert enter_code(attacker, real_code).url == reverse("accounts:login")
    assert SESSION_KEY not in attacker.session
    assert LoginCode.objects.get().voided_at is not None


def test_a_wrong_code_does_not_void_the_code_of_the_owners_own_attempt(owner):
    attack(owner.email, 31)
    attacker, browser = Client(), Client()
    login(attacker, owner.email, PASSWORD, address="45.1.1.1")
    login(browser, owner.email, PASSWORD, address="36.99.0.1")
    owners_code = login_code_sent_to(owner)
    for n in range(5):
        enter_code(attacker, "000000" if owners_code != "000000" else "111111", address=f"45.1.2.{n}")

    done = enter_code(browser, owners_code, address="36.99.0.1")

    assert done.url == reverse("journey:dashboard")


def test_a_wrong_password_and_a_right_one_lead_to_the_same_pages(owner):
    """No oracle: status, page and messages are the same whether the password was right or wrong."""
    attack(owner.email, 31)
    right, wrong = Client(), Client()

    after_right = login(right, owner.email, PASSWORD, address="45.2.0.1")
    after_wrong = login(wrong, owner.email, "bukan-sandinya", address="45.2.0.2")
    assert (after_right.status_code, after_right.url) == (after_wrong.status_code, after_wrong.url)
    assert after_right.content == after_wrong.content

    page_right, page_wrong = right.get(CODE_URL), wrong.get(CODE_URL)
    assert page_right.status_code == page_wrong.status_code == 200
    assert without_csrf(page_right.content.decode()) == without_csrf(page_wrong.content.decode())

    for n in range(5):
        code_right = enter_code(
            right, "123456" if login_code_sent_to(owner) != "123456" else "654321", address=f"45.2.1.{n}"
        )
        code_wrong = enter_code(wrong, "123456", address=f"45.2.2.{n}")
        assert code_right.status_code == code_wrong.status_code
        assert without_csrf(code_right.content.decode()) == without_csrf(code_wrong.content.decode())
        assert getattr(code_right, "url", None) == getattr(code_wrong, "url", None)

    final_right = right.get(reverse("accounts:login")).content.decode()
    final_wrong = wrong.get(reverse("accounts:login")).content.decode()
    assert without_csrf(final_right) == without_csrf(final_wrong)
    assert "Kata sandi atau kode masuk salah" in final_right


def test_an_unknown_email_under_attack_looks_the_same_as_an_account(owner):
    attack(owner.email, 31)
    attack("tidak.ada@contoh.id", 31)

    known = login(Client(), owner.email, "salah", address="45.3.0.1")
    unknown = login(Client(), "tidak.ada@contoh.id", "salah", address="45.3.0.2")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, CODE_URL)


def test_a_code_is_emailed_only_for_the_right_password_and_encrypted_at_rest(owner):
    attack(owner.email, 31)
    login(Client(), owner.email, "salah", address="45.4.0.1")
    assert not Message.objects.filter(template="accounts/login_code").exists()

    login(Client(), owner.email, PASSWORD, address="45.4.0.2")

    message = Message.objects.get(template="accounts/login_code")
    code = code_in(message)
    (body,) = stored(message, "body")
    assert message.sensitive and code not in body and code not in message.subject
    assert message.recipient == owner.email
    assert LoginCode.objects.get().code_hash != code


def test_codes_are_emailed_at_most_five_an_hour_per_account_whoever_asks(owner, settings, frozen):
    attack(owner.email, 31)
    for n in range(8):
        login(Client(), owner.email, PASSWORD, address=f"45.5.0.{n + 1}")
    assert Message.objects.filter(template="accounts/login_code").count() == settings.LOGIN_CODE_MAX_PER_HOUR

    frozen.tick(timedelta(minutes=61))
    attack(owner.email, 31)
    login(Client(), owner.email, PASSWORD, address="45.5.1.1")

    assert Message.objects.filter(template="accounts/login_code").count() == settings.LOGIN_CODE_MAX_PER_HOUR + 1


def test_resending_waits_a_minute_and_the_new_code_replaces_the_old(owner, frozen):
    attack(owner.email, 31)
    browser = Client()
    login(browser, owner.email, PASSWORD)
    first = login_code_sent_to(owner)

    too_soon = browser.post("/masuk/kode/kirim-ulang/", follow=True)
    assert "Tunggu 60 detik" in too_soon.content.decode()
    frozen.tick(timedelta(seconds=61))
    browser.post("/masuk/kode/kirim-ulang/")
    second = login_code_sent_to(owner)

    assert Message.objects.filter(template="accounts/login_code").count() == 2
    if first != second:
        assert enter_code(browser, first).status_code == 200
    done = enter_code(browser, second)

    assert done.url == reverse("journey:dashboard")


def test_an_attempt_left_too_long_starts_again(owner, settings, frozen):
    attack(owner.email, 31)
    browser = Client()
    login(browser, owner.email, PASSWORD)
    code = login_code_sent_to(owner)
    frozen.tick(settings.LOGIN_CODE_VALIDITY + timedelta(seconds=1))

    response = enter_code(browser, code)

    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert SESSION_KEY not in browser.session


def test_a_known_browser_that_keeps_failing_itself_is_a_stranger_again(owner, settings):
    phone = Client()
    login(phone, owner.email, PASSWORD)
    phone.post("/keluar/")
    for n in range(10):  # its own failures, from changing addresses so no pair locks
        login(phone, owner.email, f"salah-{n}", address=ip(n))

    response = login(phone, owner.email, PASSWORD, address="36.99.0.1")

    assert response.url == CODE_URL


def test_a_forged_known_device_cookie_is_ignored(owner, settings):
    attack(owner.email, 31)
    forger = Client()
    forger.cookies[settings.KNOWN_DEVICE_COOKIE_NAME] = "W1siYWJjIiwibiIsMTc2NDQwMDAwMF1d:forged:sig"

    response = login(forger, owner.email, PASSWORD, address="45.6.0.1")

    assert response.url == CODE_URL


def test_the_known_device_cookie_names_other_accounts_of_the_same_phone_too(owner):
    sibling = UserFactory(verified=True)
    phone = Client()
    login(phone, owner.email, PASSWORD)
    phone.post("/keluar/")
    login(phone, sibling.email, PASSWORD)
    phone.post("/keluar/")
    attack(owner.email, 31)

    response = login(phone, owner.email, PASSWORD)

    assert response.url == reverse("journey:dashboard")


def test_in_step_up_five_wrong_codes_from_one_address_lock_that_pair_alike(owner):
    """The pair lockout counts in step-up too, at the code, the same for a wrong password and a wrong code."""
    attack(owner.email, 31)
    statuses = {}
    for label, password in (("right", PASSWORD), ("wrong", "salah")):
        address = "45.7.0.1" if label == "right" else "45.7.0.2"
        browser = Client()
        login(browser, owner.email, password, address=address)
        responses = [
            enter_code(browser, "999999" if login_code_sent_to(owner) != "999999" else "888888", address=address)
            for _ in range(5)
        ]
        statuses[label] = [response.status_code for response in responses]
        statuses[label + " then"] = login(browser, owner.email, PASSWORD, address=address).status_code

    assert statuses["right"] == statuses["wrong"]
    assert statuses["right then"] == statuses["wrong then"] == 429


def test_the_next_page_survives_the_code_step(owner):
    attack(owner.email, 31)
    browser = Client()
    browser.post("/masuk/?next=/tes/", {"username": owner.email, "password": PASSWORD, "next": "/tes/"})
    done = enter_code(browser, login_code_sent_to(owner))

    assert done.url == "/tes/"
