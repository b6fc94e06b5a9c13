"""The wave-opening rush as locust users, for benchmarks/cluster.py (run by it, headless; not imported by Django).

Two kinds of people, as on the morning a wave opens:

- ``Applicant``: one of the ready applicants (every step done, the test passed), who logs in at /masuk/, opens the
  dashboard, the waves page, "Gabung" (GET, then POST: "Ya, Gabung") and "Saya Menyetujui" (POST), then the
  "Tahap pendaftaran selesai" page. Each locust user takes the next unused applicant from RUSH_APPLICANTS and,
  once joined, the next one; when the population runs out it keeps opening its dashboard.
- ``NewAccount``: signs up at /daftar/ with a fresh address; one for every four applicants when both run
  (cluster.py names the classes to run on locust's command line).

Each user is a browser of its own: its own cookies, sent by hand because the portal's are ``Secure`` and the
rehearsal speaks plain HTTP to 127.0.0.1 (requests would keep them back), and the CSRF token read from the form
it posts. Each user also has an address of its own, sent as ``X-Forwarded-For``: the load generator plays the
outer proxy (a carrier's or a CDN's) in front of HAProxy, so the portal runs with TRUSTED_PROXY_COUNT=2 and its
per-address limits see one phone per user, not thousands of phones behind 127.0.0.1.

Every join's outcome (the status of the "Saya Menyetujui" POST) and every sign-up's are written to
RUSH_OUTCOMES, one JSON line each, so that cluster.py can check them against the database.
"""

import itertools
import json
import os
import re
import time

from locust import HttpUser, constant, events, task

APPLICANTS = [line.strip() for line in open(os.environ["RUSH_APPLICANTS"]) if line.strip()]  # noqa: SIM115 - read once, at start
PASSWORD = os.environ["RUSH_PASSWORD"]
WAVE = int(os.environ.get("RUSH_WAVE", "1"))
OUTCOMES = os.environ["RUSH_OUTCOMES"]
RUN = os.environ.get("RUSH_RUN", "0")
RATE_LIMITED = "Terlalu banyak percobaan"

_next_applicant = itertools.count(int(os.environ.get("RUSH_FIRST_APPLICANT", "0")))
_next_address = itertools.count(1)
_next_signup = itertools.count(1)
_outcomes = open(OUTCOMES, "a", buffering=1)  # noqa: SIM115 - one line per outcome, for the whole run

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def record(**outcome) -> None:
    _outcomes.write(json.dumps({"at": time.time(), **outcome}) + "\n")


def has_form(response) -> bool:
    """The page came whole, with its form: a person would not submit a form they never received (a request cut by
    a killed node, or one locust stopped at the end of its run); they would load the page again."""
    return response.status_code == 200 and "csrfmiddlewaretoken" in response.text


def hidden_fields(html: str) -> dict:
    """The form's hidden inputs (the CSRF token, the versions of the texts accepted), as the browser posts them."""
    fields = {}
    for tag in _INPUT.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


class Browser(HttpUser):
    abstract = True
    wait_time = constant(0)  # a rush: the next click as soon as the page is there

    def on_start(self) -> None:
        n = next(_next_address)
        self.address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        self.jar: dict[str, str] = {}

    def request(self, method: str, path: str, *, name: str | None = None, data: dict | None = None):
        headers = {"X-Forwarded-For": self.address, "Accept-Language": "id"}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.jar.items())
        with self.client.request(
            method, path, name=name or path, data=data, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            for cookie in response.cookies:
                if cookie.value and (cookie.expires is None or cookie.expires > time.time()):
                    self.jar[cookie.name] = cookie.value
                else:
                    self.jar.pop(cookie.name, None)
            if response.status_code in (200, 302):
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
            return response


class Applicant(Browser):
    weight = 4

    def on_start(self) -> None:
        super().on_start()
        self.email = None

    def _log_in(self) -> bool:
        self.jar.clear()
        index = next(_next_applicant)
        if index >= len(APPLICANTS):
            return False
        self.email = APPLICANTS[index]
        record(run=RUN, kind="take", index=index)
        page = self.request("GET", "/masuk/")
        if not has_form(page):
            self.email = None
            return False
        fields = {**hidden_fields(page.text), "username": self.email, "password": PASSWORD}
        done = self.request("POST", "/masuk/", data=fields)
        if done.status_code == 302:
            return True
        record(run=RUN, kind="login", email=self.email, status=done.status_code, limited=RATE_LIMITED in done.text)
        self.email = None
        return False

    @task
    def join_the_wave(self) -> None:
        if self.email is None and not self._log_in():
            if self.jar:
                self.request("GET", "/dashboard/")  # refused, or no one left: the dashboard of whoever this was
            return
        self.request("GET", "/dashboard/")
        self.request("GET", "/dashboard/gelombang/")
        confirm = self.request("GET", f"/dashboard/gelombang/{WAVE}/gabung/", name="/dashboard/gelombang/N/gabung/")
        if not has_form(confirm):
            return  # tried again on the next round
        agree = self.request(
            "POST",
            f"/dashboard/gelombang/{WAVE}/gabung/",
            name="/dashboard/gelombang/N/gabung/ (Ya, Gabung)",
            data=hidden_fields(confirm.text),
        )
        if agree.status_code != 302:
            record(run=RUN, kind="join", email=self.email, status=agree.status_code, step="gabung")
            return  # tried again from the dashboard on the next round, as a person would
        page = self.request("GET", agree.headers["Location"], name="/dashboard/gelombang/N/persetujuan/")
        if not has_form(page):
            return
        joined = self.request(
            "POST",
            f"/dashboard/gelombang/{WAVE}/persetujuan/",
            name="/dashboard/gelombang/N/persetujuan/ (Saya Menyetujui)",
            data=hidden_fields(page.text),
        )
        record(run=RUN, kind="join", email=self.email, status=joined.status_code, step="persetujuan")
        if joined.status_code == 302:
            self.request("GET", joined.headers["Location"], name="/dashboard/gelombang/selesai/")
            self.email = None  # the next applicant


class NewAccount(Browser):
    weight = 1

    @task
    def sign_up(self) -> None:
        self.jar.clear()
        email = f"baru-{RUN}-{os.getpid()}-{next(_next_signup)}@contoh.id"
        page = self.request("GET", "/daftar/")
        if not has_form(page):
            return
        fields = {
            **hidden_fields(page.text),
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "terms": "on",
        }
        done = self.request("POST", "/daftar/", data=fields)
        record(run=RUN, kind="signup", email=email, status=done.status_code, limited=RATE_LIMITED in done.text)


@events.quitting.add_listener
def _close(environment, **kwargs) -> None:
    _outcomes.close()
