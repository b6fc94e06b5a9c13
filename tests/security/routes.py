"""Every URL of the URLconf and how to drive it: the persona that reaches it, valid parameters and forms.

Read from the URLconf (``get_resolver()``), not listed by hand: tests/security/test_hostile_input.py fails until a
new URL is added to ROUTES here. Other tests that need "every page an applicant can open" read it too
(tests/journey/test_identifiers_masked.py).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from tests.factories import PASSWORD, personal_data
from tests.security import personas

# --- The URLconf -------------------------------------------------------------------------------------------

TOKEN = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


@dataclass(frozen=True)
class UrlEntry:
    key: str  # "namespace:name", or the route itself for a pattern without a name
    route: str  # "dashboard/gelombang/<int:number>/gabung/"
    params: tuple[str, ...]
    regex: bool  # a regular-expression pattern: its path is built from REGEX_PATHS


def url_entries() -> list[UrlEntry]:
    entries = []

    def walk(patterns, prefix: str, namespace: str | None, regex: bool) -> None:
        for pattern in patterns:
            is_regex = regex or not isinstance(pattern.pattern, RoutePattern)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, inner, is_regex)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                params = (
                    tuple(pattern.pattern.regex.groupindex)
                    if is_regex
                    else tuple(match["parameter"] for match in TOKEN.finditer(route))
                )
                entries.append(UrlEntry(key=name or route, route=route, params=params, regex=is_regex))

    walk(get_resolver().url_patterns, "", None, False)
    return entries


# Paths of the admin's regular-expression patterns, by key.
REGEX_PATHS = {"admin:app_list": "admin/{app_label}/"}
CATCH_ALL = "admin/(?P<url>.*)$"
REGEX_PATHS[CATCH_ALL] = "admin/{url}"


def path_of(entry: UrlEntry, values: dict[str, str]) -> str:
    if entry.regex:
        return "/" + REGEX_PATHS[entry.key].format(**values)
    return "/" + TOKEN.sub(lambda match: values[match["parameter"]], entry.route)


# --- How each URL is driven ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """How the catalogue reaches a URL: as whom, with which valid parameters, and the forms its page posts.

    ``forms`` build valid POST data (one per form on the page; ``{}`` for a button that posts nothing) and
    are called inside the test, so a builder may write (send an OTP code) and have it rolled back after.
    ``query``: the query parameters the view reads. ``status``: what a valid GET answers."""

    persona: Callable
    params: Callable[[personas.World], dict[str, str]] = lambda world: {}
    forms: tuple[Callable[[personas.World], dict], ...] = ()
    query: tuple[str, ...] = ()
    status: int = 200
    settings: tuple[tuple[str, object], ...] = ()
    api: bool = False  # the JSON API: driven by its own tests below


@dataclass(frozen=True)
class Post:
    """A form of a page whose valid submit stores a row in each of ``stores`` (app_label.Model): the double
    submit test checks that the first stores them and the second nothing more."""

    build: Callable[[personas.World], dict]
    stores: tuple[str, ...] = ()

    def __call__(self, world: personas.World) -> dict:
        return self.build(world)


def _signup(world):
    return {"email": "baru@contoh.id", "password1": PASSWORD, "password2": PASSWORD, "terms": "on"}


def _login(world):
    return {"username": world.user.email, "password": PASSWORD}


def _ktp(world):
    resident = world.resident
    return {"nik": resident.nik, "kk": resident.family_id, "birth_date": resident.birth_date.isoformat()}


def _personal_data(world):
    return personal_data()


def _photo(world):
    from tests.uploads_catalogue import small_jpeg

    return {"photo": SimpleUploadedFile("ktp.jpg", small_jpeg(), "image/jpeg")}


def _phone_send(world):
    return {"action": "send", "number": "0812 3456 7890"}


def _phone_code(world):
    """A code just sent to the applicant, as their phone shows it."""
    from notifications.models import Message
    from verification.otp import otp_send

    otp_send(user=world.user, number="+6285612345678")
    text = Message.objects.filter(template="verification/otp").latest("created_at", "id").text
    return {"action": "verify", "code": re.search(r"\b(\d{6})\b", text).group(1)}


def _declaration(world):
    from assessment.eligibility import ExcludedGroup
    from assessment.selectors import declaration_text_current

    return {
        "text_version": str(declaration_text_current().version),
        "employment": "phk",
        "in_formal_education": "tidak",
        **{f"group_{group}": "tidak" for group in ExcludedGroup.values},
        "other_aid": ["tidak_menerima"],
        "truthful": "on",
        "confirm": "1",
    }


def _declaration_changed(world):
    return {**_declaration(world), "employment": "dirumahkan"}


def _letter(world):
    from tests.factories import signed_letter

    return {"letter": signed_letter()}


def _nothing(world):
    return {}


def _email_token(world):
    from accounts.tokens import email_verification_tokens

    return {"token": email_verification_tokens.make(world.user)}


def _reset_link(world):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world.user
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


def _email_change(world):
    return {"new_email": "alamat.baru@contoh.id", "password": PASSWORD}


def _email_change_link(world):
    """The link the new address receives, for a change the persona has just asked for."""
    from accounts.services import email_change_request
    from accounts.tokens import email_change_tokens

    change = email_change_request(user=world.user, new_email="alamat.baru@contoh.id")
    return {"token": email_change_tokens.make(change_id=change.pk, user=world.user, new_email=change.new_email)}


def _password_change(world):
    return {"old_password": PASSWORD, "new_password1": "Kartu-Prakerja-2027", "new_password2": "Kartu-Prakerja-2027"}


def _totp_code(world):
    from tests.helpers import totp_now

    return {"code": totp_now(world.objects.device)}


def _complaint():
    """A pending "gagal 3 kali" complaint with its letter."""
    from tests.factories import ComplaintFactory

    return ComplaintFactory()


def _wave_in(state: str) -> dict:
    """A wave in ``state`` for an operator's move on it (``selected``: results not yet announced)."""
    from tests.factories import WaveFactory, enrolled

    if state != "selected":
        return {"object_id": str(WaveFactory(**{state: True}).pk)}
    from datetime import timedelta

    from django.utils import timezone

    from waves.selection import selection_run

    wave = WaveFactory(opens_at=timezone.now() - timedelta(days=8), province_quotas={"32": 1})
    enrolled(wave)
    selection_run(wave=wave, acting_user=None, seed=1)
    return {"object_id": str(wave.pk)}


anonymous, signed_in = personas.anonymous, personas.signed_in
ROUTES: dict[str, Route] = {
    "home": Route(anonymous),
    "healthz": Route(anonymous),
    "favicon": Route(anonymous, status=301),
    "set_language": Route(
        anonymous, forms=(lambda world: {"language": "en", "next": "/"},), query=("next",), status=302
    ),
    "javascript-catalog": Route(anonymous, query=("language", "domain", "packages")),
    "accounts:signup": Route(anonymous, forms=(Post(_signup, ("accounts.User",)),)),
    "accounts:signup_done": Route(anonymous),
    "accounts:privacy_policy": Route(anonymous),
    "accounts:terms": Route(anonymous),
    "accounts:email_verification_resend": Route(personas.unverified, forms=(_nothing,), status=405),
    "accounts:email_verify": Route(personas.unverified, params=_email_token, status=302),
    "accounts:login": Route(anonymous, forms=(_login,), query=("next",)),
    "accounts:logout": Route(signed_in, forms=(_nothing,), query=("next",)),
    "accounts:password_reset": Route(anonymous, forms=(lambda world: {"email": world.user.email},)),
    "accounts:password_reset_done": Route(anonymous),
    "accounts:password_reset_confirm": Route(anonymous, params=_reset_link, status=302),
    "accounts:password_reset_complete": Route(anonymous),
    # Without a login waiting for its code, these send the person back to the login page.
    "accounts:login_code": Route(anonymous, forms=(lambda world: {"code": "123456"},), status=302),
    "accounts:login_code_resend": Route(anonymous, forms=(_nothing,), status=405),
    "accounts:staff_otp": Route(personas.staff_password_only, forms=(_totp_code,), query=("next",)),
    "accounts:staff_otp_setup": Route(
        personas.staff_without_authenticator, forms=(lambda world: {"code": "123456"},), query=("next",)
    ),
    "accounts:password_change": Route(signed_in, forms=(_password_change,)),
    "accounts:password_confirm": Route(
        signed_in, forms=(lambda world: {"password": PASSWORD, "next": "/dashboard/data-saya/"},), query=("next",)
    ),
    "accounts:email_change": Route(signed_in, forms=(Post(_email_change, ("accounts.EmailChange",)),)),
    "accounts:email_change_confirm": Route(signed_in, params=_email_change_link, status=302),
    "session_keepalive": Route(signed_in, status=204),
    "journey:dashboard": Route(signed_in),
    "journey:own_data": Route(personas.complained),
    "journey:own_data_download": Route(personas.complained),
    # A valid submit deletes the account (rolled back after each request, as every request here is).
    "journey:account_delete": Route(personas.complained, forms=(lambda world: {"password": PASSWORD},)),
    "journey:account_deleted": Route(anonymous),
    "journey:ktp_verify": Route(signed_in, forms=(Post(_ktp, ("verification.IdentityVerification",)),)),
    "journey:personal_data": Route(personas.identified, forms=(Post(_personal_data, ("verification.PersonalData",)),)),
    "journey:ktp_photo": Route(personas.described, forms=(Post(_photo, ("verification.KtpPhoto",)),)),
    "journey:phone_verify": Route(
        personas.photographed,
        forms=(
            Post(_phone_send, ("verification.OtpCode",)),
            Post(_phone_code, ("verification.PhoneNumber",)),
        ),
    ),
    "journey:phone_change": Route(
        personas.phone_verified,
        forms=(
            Post(lambda world: {**_phone_send(world), "password": PASSWORD}, ("verification.OtpCode",)),
            _phone_code,
        ),
    ),
    "journey:declaration": Route(personas.phone_verified, forms=(Post(_declaration, ("assessment.Declaration",)),)),
    "journey:declaration_correct": Route(
        personas.declared, forms=(Post(_declaration_changed, ("assessment.Declaration",)),)
    ),
    "journey:assessment_start": Route(personas.declared, forms=(Post(_nothing, ("assessment.Attempt",)),)),
    "journey:assessment_question": Route(
        personas.testing,
        params=lambda world: {"position": "1"},
        forms=(
            lambda world: {"choice": "1", "next": "1"},
            lambda world: {"choice": "2", "go": "3"},
            lambda world: {"choice": "3", "finish": "1"},
        ),
    ),
    "journey:assessment_review": Route(personas.testing, forms=(lambda world: {"confirm": "1"},)),
    "journey:wave_list": Route(personas.passed),
    "journey:wave_confirm": Route(
        personas.passed, params=lambda world: {"number": str(world.objects.wave.number)}, forms=(_nothing,)
    ),
    "journey:wave_agreement": Route(
        personas.passed,
        params=lambda world: {"number": str(world.objects.wave.number)},
        forms=(Post(_nothing, ("waves.Enrollment",)),),
    ),
    "notifications:inbox": Route(anonymous, query=("to", "page"), settings=(("DEMO_INBOX_ENABLED", True),)),
    "verification:ktp_photo_file": Route(
        personas.photographed, params=lambda world: {"pk": str(world.objects.photo.pk), "variant": "thumbnail"}
    ),
    "assessment:assessment_result": Route(personas.passed),
    "waves:joined": Route(personas.enrolled),
    "waves:history": Route(personas.enrolled),
    "waves:complaint": Route(personas.thrice_failed, forms=(Post(_letter, ("waves.Complaint",)),)),
    "waves:complaint_letter": Route(personas.thrice_failed),
    "waves:complaint_file": Route(
        personas.complained, params=lambda world: {"pk": str(world.objects.complaint.pk)}, query=("tampil",)
    ),
    # Public: the lottery's transparency pages; an announced wave's list (three lost waves, numbered 1 to 3).
    "waves:transparency": Route(anonymous),
    "waves:lottery_explained": Route(anonymous),
    "waves:transparency_wave": Route(personas.thrice_failed, params=lambda world: {"number": "1"}),
    "waves:transparency_csv": Route(personas.thrice_failed, params=lambda world: {"number": "1"}),
    "regions:children": Route(anonymous, params=lambda world: {"code": "32.76"}),
    "dukcapil:verify": Route(anonymous, api=True),
    "dukcapil/api/v1/verifikasi/": Route(anonymous, api=True),
    "dukcapil:health": Route(anonymous, api=True),
    "dukcapil/api/v1/health/": Route(anonymous, api=True),
    # The operator console (console/): an operator past the second factor, with a selected wave.
    "console:overview": Route(personas.operator),
    "console:wave_detail": Route(personas.operator, params=lambda world: {"number": str(world.objects.wave.number)}),
    "console:funnel_refresh": Route(
        personas.operator,
        params=lambda world: {"number": str(world.objects.wave.number)},
        forms=(_nothing,),
        status=405,
    ),
    "console:results_csv": Route(personas.operator, params=lambda world: {"number": str(world.objects.wave.number)}),
    "console:funnel_csv": Route(personas.operator, params=lambda world: {"number": str(world.objects.wave.number)}),
    # The admin's own pages; the pages of each registered model are driven generically (admin_model_of).
    "admin:index": Route(personas.superuser),
    # The admin's login only sends staff to the portal's /masuk/ (one login to defend).
    "admin:login": Route(anonymous, forms=(_login,), query=("next",), status=302),
    "admin:logout": Route(personas.superuser, forms=(_nothing,), status=405),
    # The admin's own password page sends staff to the portal's "Ganti kata sandi".
    "admin:password_change": Route(
        personas.superuser,
        status=302,
        forms=(
            lambda world: {
                "old_password": PASSWORD,
                "new_password1": "Kartu-Prakerja-2027",
                "new_password2": "Kartu-Prakerja-2027",
            },
        ),
    ),
    "admin:password_change_done": Route(personas.superuser),
    "admin:auth_user_password_change": Route(
        personas.superuser,
        params=lambda world: {"id": str(world.user.pk)},
        forms=(lambda world: {"password1": "Kartu-Prakerja-2027", "password2": "Kartu-Prakerja-2027"},),
    ),
    "admin:autocomplete": Route(
        personas.superuser, query=("app_label", "model_name", "field_name", "term", "page"), status=403
    ),
    "admin:jsi18n": Route(personas.superuser),
    "admin:view_on_site": Route(
        personas.superuser, params=lambda world: {"content_type_id": "1", "object_id": "1"}, status=404
    ),
    "admin:app_list": Route(personas.superuser, params=lambda world: {"app_label": "waves"}),
    # An authenticator's secret is never shown in the admin, not even to a superuser (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": Route(
        personas.superuser, status=403, params=lambda world: {"pk": str(world.objects.device.pk)}
    ),
    "admin:otp_totp_totpdevice_qrcode": Route(
        personas.superuser, status=403, params=lambda world: {"pk": str(world.objects.device.pk)}
    ),
    CATCH_ALL: Route(personas.superuser, params=lambda world: {"url": "tidak-ada/"}, status=404),
    # An operator's moves on a wave: GET states the consequence, POST (CSRF) does it once; a second POST is refused.
    # The reviewer's decision on one complaint from its workbench page (POST only), then the next case.
    "admin:waves_complaint_decide": Route(
        personas.superuser,
        params=lambda world: {"object_id": str(_complaint().pk)},
        forms=(lambda world: {"decision": "reject", "rejection": "unsigned", "checklist": ["meterai"]},),
        status=405,
    ),
    "admin:waves_wave_open": Route(personas.superuser, params=lambda world: _wave_in("draft"), forms=(_nothing,)),
    "admin:waves_wave_close": Route(personas.superuser, params=lambda world: _wave_in("open"), forms=(_nothing,)),
    "admin:waves_wave_select": Route(personas.superuser, params=lambda world: _wave_in("closed"), forms=(_nothing,)),
    "admin:waves_wave_void": Route(
        personas.superuser, params=lambda world: _wave_in("selected"), forms=(Post(_nothing, ("waves.WaveEvent",)),)
    ),
}

ADMIN_MODEL_VIEW = re.compile(
    r"admin:(?P<app>\w+?)_(?P<model>[a-z0-9]+)_(?P<view>changelist|add|history|delete|change)"
)
ADMIN_OBJECT_REDIRECT = re.compile(r"admin/(?P<app>\w+)/(?P<model>[a-z0-9]+)/<path:object_id>/")


def admin_model_of(key: str):
    """The registered model an admin URL belongs to, or None."""
    match = ADMIN_MODEL_VIEW.fullmatch(key) or ADMIN_OBJECT_REDIRECT.fullmatch(key)
    if match is None:
        return None
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == (match["app"], match["model"]):
            return model
    return None


def applicant_routes(*, params: bool = False, forms: bool = False) -> list:
    entries = {entry.key: entry for entry in url_entries()}
    chosen = [
        pytest.param(entries[key], route, id=key)
        for key, route in ROUTES.items()
        if key in entries and not route.api and (not params or entries[key].params) and (not forms or route.forms)
    ]
    return chosen
