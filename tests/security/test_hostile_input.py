"""Hostile input everywhere (security issue #11): every URL of the URLconf, every form on its pages, the mock
registry's JSON API and the admin's changelists get the catalogue (tests/security/catalogue.py).

For each request: never a 500, never a traceback, markup never echoed unescaped, and nothing hostile stored.
POSTs without the CSRF token are refused and change nothing; the same valid form sent twice stores it once.

The routes are read from the URLconf (``get_resolver()``), not listed by hand: a URL that the catalogue does
not know how to drive fails ``test_every_url_in_the_urlconf_is_driven_by_the_catalogue`` until it is added to
ROUTES in tests/security/routes.py (with the persona that reaches it, its valid parameters and forms). Admin pages of registered
models are driven generically. Every request is rolled back after it is checked, so each meets the same
state: the persona at the journey step where the page opens.

This runs on PostgreSQL in CI: NUL bytes are the PostgreSQL-specific failure (psycopg refuses them in a
query parameter), which SQLite never shows.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from tests.security import personas
from tests.security.catalogue import (
    EVERYTHING,
    RAW_SEGMENTS,
    TEXT,
    XSS_SCRIPT,
    Hostile,
    assert_harmless,
    hostile_rows,
    row_counts,
    tables_written,
    undone,
)
from tests.security.routes import (
    REGEX_PATHS,
    ROUTES,
    Route,
    admin_model_of,
    anonymous,
    applicant_routes,
    path_of,
    url_entries,
)

pytestmark = pytest.mark.django_db


# --- Sending ------------------------------------------------------------------------------------------------

# Failures the catalogue found in code another change owns, handed over rather than fixed here (security issue
# #11). Each must still happen where it is listed: once fixed, the test fails until the entry is removed.
# (route key, what was sent) -> (database vendor, why)
KNOWN_FAILURES: dict[tuple[str, str], tuple[str, str]] = {}


@dataclass
class Driver:
    """A persona's client, and the failures found so far (reported all at once, not only the first)."""

    key: str
    route: Route
    client: Client
    world: personas.World
    failures: list[str] = field(default_factory=list)
    known_seen: set[str] = field(default_factory=set)
    sent_all: set[str] = field(default_factory=set)

    def send(self, method: str, path: str, data=None, sent: object = None, **extra) -> None:
        saved = {name: morsel.value for name, morsel in self.client.cookies.items()}
        self.sent_all.add(str(sent))
        with undone():
            try:
                with tables_written() as written:
                    response = getattr(self.client, method)(path, data, **extra)
                assert_harmless(response, sent)
                stored = hostile_rows(written) if written else []
                assert not stored, f"stored {stored[:3]} for {sent!r}"
            except Exception as error:  # noqa: BLE001 - every failure of the route is collected, then reported together
                if self._known(str(sent)):
                    self.known_seen.add(str(sent))
                else:
                    self.failures.append(
                        f"{method.upper()} {path[:120]!r} [{str(sent)[:60]}]: {type(error).__name__}: "
                        f"{str(error)[:300]}"
                    )
        self._cookies_restore(saved)

    def _cookies_restore(self, saved: dict[str, str]) -> None:
        # A request that logged out or rotated the session must not leave the next one anonymous: the rows
        # are back, so are the cookies.
        cookies = self.client.cookies
        for name in list(cookies):
            if name not in saved:
                del cookies[name]
        for name, value in saved.items():
            cookies[name] = value

    def _known(self, sent: str) -> bool:
        known = KNOWN_FAILURES.get((self.key, sent))
        return known is not None and known[0] == connection.vendor

    def report(self) -> None:
        expected = {
            sent
            for (key, sent), (vendor, _why) in KNOWN_FAILURES.items()
            if key == self.key and vendor == connection.vendor and sent in self.sent_all
        }
        fixed = sorted(expected - self.known_seen)
        if self.failures:
            pytest.fail(f"{len(self.failures)} failures:\n" + "\n".join(self.failures[:40]), pytrace=False)
        if fixed:
            pytest.fail(f"fixed: remove {fixed} of {self.key} from KNOWN_FAILURES", pytrace=False)


@pytest.fixture
def drive(settings, private_media):
    # Hundreds of requests from one client: the abuse limits have their own tests.
    settings.RATELIMIT_ENABLE = False
    settings.DUKCAPIL_MOCK_LATENCY_MS = 0
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 0.0

    def start(route: Route, key: str = "") -> Driver:
        for name, value in route.settings:
            setattr(settings, name, value)
        client = Client()
        return Driver(key=key, route=route, client=client, world=route.persona(client))

    return start


def fresh(data: dict) -> dict:
    """The same form data with new file objects (an upload is read once)."""
    copied = {}
    for name, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)
            value = SimpleUploadedFile(value.name, value.read(), value.content_type)
        copied[name] = value
    return copied


# --- Every URL is known -------------------------------------------------------------------------------------


def test_every_url_in_the_urlconf_is_driven_by_the_catalogue():
    entries = url_entries()
    keys = {entry.key for entry in entries}

    unknown = sorted(key for key in keys if key not in ROUTES and admin_model_of(key) is None)
    stale = sorted(key for key in ROUTES if key not in keys)

    assert not unknown, f"add these URLs to ROUTES in {__name__} (persona, parameters, forms): {unknown}"
    assert not stale, f"these ROUTES are no longer in the URLconf: {stale}"
    for entry in entries:
        if entry.regex and admin_model_of(entry.key) is None:
            assert entry.key in REGEX_PATHS, f"give {entry.key} a path in REGEX_PATHS"


@pytest.mark.parametrize(("entry", "route"), applicant_routes())
def test_each_persona_reaches_its_page(drive, entry, route):
    driver = drive(route, entry.key)

    response = driver.client.get(path_of(entry, route.params(driver.world)))

    assert response.status_code == route.status, response.get("Location")
    assert_harmless(response, "a valid request")


# --- URL parameters and query strings -----------------------------------------------------------------------


@pytest.mark.parametrize(("entry", "route"), applicant_routes(params=True))
def test_hostile_url_parameters_are_never_a_500_and_never_echoed_as_markup(drive, entry, route):
    driver = drive(route, entry.key)
    valid = route.params(driver.world)
    for parameter in entry.params:
        segments = [hostile.in_url for hostile in EVERYTHING] + list(RAW_SEGMENTS)
        for segment in segments:
            path = path_of(entry, {**valid, parameter: segment})
            driver.send("get", path, sent=f"{parameter}={segment[:40]}")
            for form in route.forms:
                with undone():
                    driver.send("post", path, fresh(form(driver.world)), sent=f"{parameter}={segment[:40]}")
    driver.report()


@pytest.mark.parametrize(("entry", "route"), applicant_routes())
def test_hostile_query_strings_are_never_a_500_and_never_echoed_as_markup(drive, entry, route):
    driver = drive(route, entry.key)
    path = path_of(entry, route.params(driver.world))
    names = (*route.query, "q", "page", "next")
    for hostile in EVERYTHING:
        query = urlencode({**dict.fromkeys(names, hostile.value), hostile.value: "1"})
        driver.send("get", f"{path}?{query}", sent=hostile)
        # A form posted with a hostile query, where the view reads the query on a POST too (?next=).
        for form in route.forms if route.query else ():
            with undone():
                driver.send("post", f"{path}?{query}", fresh(form(driver.world)), sent=hostile)
    for raw in ("next=%FF%FE", "%zz=%zz", "page=" + "9" * 5000, "&".join(f"k{n}=v" for n in range(2000))):
        driver.send("get", f"{path}?{raw}", sent=raw[:40])
    driver.report()


HEADERS = ("HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_ACCEPT_LANGUAGE", "HTTP_X_FORWARDED_FOR", "HTTP_X_REQUESTED_WITH")
IN_HEADERS = [
    hostile for hostile in TEXT if hostile.name in {"xss-script", "sql-or", "nul", "control", "right-to-left", "long"}
]


@pytest.mark.parametrize(("entry", "route"), applicant_routes())
def test_hostile_headers_and_cookies_are_never_a_500_and_never_echoed_as_markup(drive, entry, route):
    driver = drive(route, entry.key)
    path = path_of(entry, route.params(driver.world))
    own = "; ".join(f"{name}={morsel.coded_value}" for name, morsel in driver.client.cookies.items())
    # The session cookie too (after the persona's own, so it wins): its key is looked up in the database.
    cookie_names = (
        settings.SESSION_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        "messages",
        "tidak_dikenal",
    )
    for hostile in IN_HEADERS:
        # As a WSGI server hands them over: the bytes sent (UTF-8 here), decoded as ISO-8859-1 (PEP 3333).
        value = hostile.value.encode().decode("iso-8859-1")
        headers = dict.fromkeys(HEADERS, value)
        # Eight characters first: a shorter session key is refused before any lookup.
        cookies = "; ".join([own, *(f"{name}=abcdefgh{value}" for name in cookie_names)])
        driver.send("get", path, sent=f"headers and cookies={hostile}", HTTP_COOKIE=cookies, **headers)
        for form in route.forms:  # the session and CSRF cookies kept, so the form is handled
            with undone():
                driver.send("post", path, fresh(form(driver.world)), sent=f"headers={hostile}", **headers)
    driver.report()


# --- Forms ---------------------------------------------------------------------------------------------------

FORM_TAG = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
FIELD_NAME = re.compile(r"<(?:input|select|textarea|button)\b[^>]*\bname=\"([^\"]+)\"", re.IGNORECASE)


def page_fields(driver: Driver, path: str) -> set[str]:
    """The names of the fields the page's POST forms carry, so a field added to a form is fuzzed too."""
    with undone():
        response = driver.client.get(path)
        html = response.content.decode() if not getattr(response, "streaming", False) else ""
    return {name for form in FORM_TAG.findall(html) for name in FIELD_NAME.findall(form)} - {"csrfmiddlewaretoken"}


def wrong_types(valid: dict, name: str) -> list[tuple[str, dict]]:
    """The field sent as two values, as a file, and not at all."""
    current = valid.get(name, "1")
    as_list = current if isinstance(current, list) else [current]
    script_file = SimpleUploadedFile("catatan.txt", XSS_SCRIPT.encode(), "text/plain")
    without = {key: value for key, value in valid.items() if key != name}
    return [
        ("a list", {**valid, name: [*as_list, XSS_SCRIPT]}),
        ("a file", {**valid, name: script_file}),
        ("missing", without),
    ]


@pytest.mark.parametrize(("entry", "route"), applicant_routes(forms=True))
def test_hostile_form_fields_are_refused_or_cleaned_and_nothing_hostile_is_stored(drive, entry, route):
    driver = drive(route, entry.key)
    path = path_of(entry, route.params(driver.world))
    fields = page_fields(driver, path)
    for form in route.forms:
        with undone():
            valid = form(driver.world)
            names = sorted(set(valid) | fields | {"tidak_dikenal"})
            for name in names:
                for hostile in EVERYTHING:
                    driver.send("post", path, {**fresh(valid), name: hostile.value}, sent=f"{name}={hostile}")
                    if hostile.disguise and isinstance(valid.get(name), str) and valid[name]:
                        disguised = {**fresh(valid), name: hostile.disguise(valid[name])}
                        driver.send("post", path, disguised, sent=f"{name}={hostile} (disguised)")
                for kind, data in wrong_types(fresh(valid), name):
                    driver.send("post", path, data, sent=f"{name} as {kind}")
            driver.send("post", path, {**fresh(valid), XSS_SCRIPT: "1", "\u202e": "1"}, sent="hostile field names")
    driver.report()


@pytest.mark.parametrize(("entry", "route"), applicant_routes(forms=True))
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(drive, entry, route):
    driver = drive(route, entry.key)
    guarded = Client(enforce_csrf_checks=True)
    if driver.client.session.session_key:
        guarded.cookies[settings.SESSION_COOKIE_NAME] = driver.client.session.session_key
    path = path_of(entry, route.params(driver.world))
    for form in route.forms:
        with undone():
            data = form(driver.world)
            before = row_counts()
            response = guarded.post(path, fresh(data))

            assert response.status_code == 403
            assert row_counts() == before


@pytest.mark.parametrize(("entry", "route"), applicant_routes(forms=True))
def test_the_same_valid_form_sent_twice_is_stored_once(drive, entry, route):
    driver = drive(route, entry.key)
    path = path_of(entry, route.params(driver.world))
    for form in route.forms:
        with undone():
            data = form(driver.world)
            before = row_counts()
            first = driver.client.post(path, fresh(data))
            assert_harmless(first, "the first submit")
            after_first = row_counts()
            second = driver.client.post(path, fresh(data))
            assert_harmless(second, "the second submit")

            for label in getattr(form, "stores", ()):
                assert after_first[label] == before[label] + 1, f"the first submit did not store a {label}"
            assert row_counts() == after_first


# --- The admin, for a superuser -------------------------------------------------------------------------------

OBJECT_IDS = [
    hostile
    for hostile in EVERYTHING
    if hostile.name
    in {
        "xss-script",
        "sql-or",
        "nul",
        "right-to-left",
        "long",
        "negative",
        "huge",
        "not-a-number",
    }
]


def admin_models() -> list:
    return [pytest.param(model, id=model._meta.label) for model in admin.site._registry]


def filter_parameters(model, user) -> set[str]:
    """The query parameters of the changelist's filters, as the admin itself names them."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    changelist = admin.site._registry[model].get_changelist_instance(request)
    return {parameter for spec in changelist.filter_specs for parameter in spec.expected_parameters()}


@pytest.mark.parametrize("model", admin_models())
def test_admin_changelist_search_sorting_paging_and_filters_take_hostile_values(drive, model):
    driver = drive(Route(personas.superuser))
    opts = model._meta
    path = f"/admin/{opts.app_label}/{opts.model_name}/"
    filters = filter_parameters(model, driver.world.user)
    for hostile in EVERYTHING:
        driver.send(
            "get",
            path,
            {"q": hostile.value, "o": hostile.value, "p": hostile.value, "e": hostile.value},
            sent=f"q/o/p={hostile}",
        )
        for name in filters:  # one at a time: the first refused filter would hide the others
            driver.send("get", path, {name: hostile.value}, sent=f"{name}={hostile}")
        driver.send("get", path, {"_to_field": hostile.value, "_popup": hostile.value}, sent=f"_to_field={hostile}")
    for ordering in ("-999", "1.2.3.4", "0.-0", "99999999999999999999", "abc.def"):
        driver.send("get", path, {"o": ordering}, sent=f"o={ordering}")
    for page in ("9" * 30, "-1", "0", "9" * 5000):
        driver.send("get", path, {"p": page}, sent=f"p={page[:30]}")
    driver.report()


@pytest.mark.parametrize("model", admin_models())
def test_admin_object_pages_take_hostile_object_ids(drive, model):
    driver = drive(Route(personas.superuser))
    opts = model._meta
    for hostile in OBJECT_IDS:
        for view in ("change/", "history/", "delete/", ""):
            driver.send("get", f"/admin/{opts.app_label}/{opts.model_name}/{hostile.in_url}/{view}", sent=hostile)
    driver.report()


# --- The mock registry's JSON API -----------------------------------------------------------------------------

VERIFY = "/dukcapil/api/v1/verifikasi"


def api_bodies(resident) -> list[tuple[str, bytes | str]]:
    """Bodies a client of the registry could send by mistake or on purpose."""

    right = {
        "nik": resident.nik,
        "kk": resident.family_id,
        "tanggal_lahir": resident.birth_date.isoformat(),
        "nama_lengkap": resident.full_name,
        "nama_ibu": resident.mother_name,
    }
    bodies: list[tuple[str, bytes | str]] = [
        ("empty", b""),
        ("not json", b"{nik: 1"),
        ("a NUL byte", b"\x00"),
        ("not UTF-8", b"\xff\xfe{\x00}"),
        ("a list", b"[1, 2]"),
        ("a string", b'"3276011708950001"'),
        ("null", b"null"),
        ("deeply nested", b"[" * 100_000 + b"]" * 100_000),
        ("deeply nested object", b'{"nik": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
        ("a huge number", b'{"nik": 1' + b"0" * 100_000 + b"}"),
        ("over the body limit", b'{"nik": "' + b"1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'),
        ("unknown field", json.dumps({**right, "agama": "ISLAM"})),
        ("duplicate keys", b'{"nik": "1", "nik": "' + resident.nik.encode() + b'"}'),
    ]
    for name in right:
        bodies.extend((f"{name}={hostile}", json.dumps({**right, name: hostile.value})) for hostile in EVERYTHING)
        wrong_types = (123, 1.5, True, None, [resident.nik], {"nik": resident.nik})
        bodies.extend((f"{name}={wrong!r}", json.dumps({**right, name: wrong})) for wrong in wrong_types)
    return bodies


def test_the_registry_api_answers_hostile_bodies_with_a_4xx_code_never_a_500(drive):
    from tests.factories import ResidentFactory

    driver = drive(Route(anonymous))
    key = settings.DUKCAPIL_MOCK_API_KEYS[0]
    resident = ResidentFactory()
    for name, body in api_bodies(resident):
        for content_type in ("application/json", "text/plain"):
            driver.send(
                "post", VERIFY, body, sent=name, content_type=content_type, headers={"Authorization": f"Bearer {key}"}
            )
    driver.report()


def test_the_registry_api_refuses_missing_and_hostile_keys_and_other_methods(drive):
    from tests.factories import ResidentFactory

    driver = drive(Route(anonymous))
    body = json.dumps({"nik": ResidentFactory().nik})
    for hostile in (*TEXT, Hostile("empty", ""), Hostile("bearer only", "Bearer")):
        for header, value in (("Authorization", f"Bearer {hostile.value}"), ("X-API-Key", hostile.value)):
            driver.send(
                "post",
                VERIFY,
                body,
                sent=f"{header}: {hostile}",
                content_type="application/json",
                headers={header: value},
            )
    for path in (VERIFY, VERIFY + "/", "/dukcapil/api/v1/health", "/dukcapil/api/v1/health/"):
        for method in ("get", "put", "patch", "delete", "head", "options"):
            driver.send(method, path, sent=f"{method} {path}")
        driver.send("post", path, {"nik": "3276011708950001"}, sent=f"a form post to {path}")
        driver.send("post", path, {"nik": SimpleUploadedFile("nik.json", b'{"nik": "1"}')}, sent=f"a file to {path}")
    driver.report()
