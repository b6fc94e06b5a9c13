"""The people the hostile-input catalogue sends its requests as, each at the journey step where their pages open.

Every builder takes the test client (logging it in where the persona has an account) and returns a World:
what the persona owns, for the routes' valid parameters and form data. The steps are taken through the
services, and the KTP photo through its page, so each persona is where a real applicant would be.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import (
    ApplicantFactory,
    AttemptFactory,
    DeclarationFactory,
    PhoneNumberFactory,
    ResidentFactory,
    UserFactory,
    WaveFactory,
    lost_waves,
    processed_letter,
    question_bank_create,
)


@dataclass
class World:
    user: object = None
    resident: object = None
    objects: SimpleNamespace = field(default_factory=SimpleNamespace)


def anonymous(client) -> World:
    """Not logged in; an account exists all the same, for the login and password-reset forms to name."""
    return World(user=UserFactory(verified=True))


def signed_in(client) -> World:
    """Email verified, at step 2 (KTP), with a registry record to type in."""
    user = ApplicantFactory()
    client.force_login(user)
    return World(user=user, resident=ResidentFactory())


def unverified(client) -> World:
    """Signed up, the email not verified yet (step 1)."""
    user = UserFactory()
    client.force_login(user)
    return World(user=user)


def identified(client) -> World:
    """At step 3 (Data diri): the NIK matched the registry."""
    resident = ResidentFactory()
    user = ApplicantFactory(identity_verified=True, resident=resident)
    client.force_login(user)
    return World(user=user, resident=resident)


def described(client) -> World:
    """At step 4 (KTP photo)."""
    resident = ResidentFactory()
    user = ApplicantFactory(personal_data_done=True, resident=resident)
    client.force_login(user)
    return World(user=user, resident=resident)


def photographed(client) -> World:
    """At step 5 (phone), with a KTP photo stored through its page."""
    from tests.uploads_catalogue import small_jpeg
    from verification.models import KtpPhoto

    world = described(client)
    response = client.post("/dashboard/foto-ktp/", {"photo": SimpleUploadedFile("ktp.jpg", small_jpeg(), "image/jpeg")})
    assert response.status_code == 302, response.status_code
    world.objects.photo = KtpPhoto.objects.get(user=world.user)
    return world


def phone_verified(client) -> World:
    """At step 6 (declaration)."""
    world = photographed(client)
    PhoneNumberFactory(user=world.user, number="+6281234567890", verified_at=timezone.now())
    return world


def declared(client) -> World:
    """At step 7 (test), with a question bank to draw from."""
    world = phone_verified(client)
    question_bank_create()
    DeclarationFactory(user=world.user)
    return world


def testing(client) -> World:
    """In the middle of the test."""
    from assessment.services import attempt_start

    world = declared(client)
    world.objects.attempt = attempt_start(user=world.user)
    return world


def passed(client) -> World:
    """At step 8 (join a wave), with a wave open for Jawa Barat."""
    world = declared(client)
    AttemptFactory(user=world.user, started_at=timezone.now() - timedelta(days=2))
    world.objects.wave = WaveFactory(number=7, open=True)
    return world


def enrolled(client) -> World:
    """Joined the open wave, waiting for its announcement."""
    from waves.models import AgreementText
    from waves.services import enrollment_join

    world = passed(client)
    enrollment_join(user=world.user, wave=world.objects.wave, agreement=AgreementText.objects.get(is_current=True))
    return world


def thrice_failed(client) -> World:
    """Not selected in three waves: may send the "gagal 3 kali" statement letter."""
    user = ApplicantFactory(test_passed=True)
    lost_waves(user, 3)
    client.force_login(user)
    return World(user=user)


def complained(client) -> World:
    """Sent the statement letter; it waits for a reviewer."""
    from waves.models import StatementText
    from waves.services import complaint_submit

    world = thrice_failed(client)
    world.objects.complaint = complaint_submit(
        user=world.user, letter=processed_letter(), text=StatementText.objects.get(is_current=True)
    )
    return world


def superuser(client) -> World:
    """A superuser past the staff second factor (required in the tests, as in production)."""
    from tests.helpers import login_verified

    user = UserFactory(verified=True, is_staff=True, is_superuser=True)
    world = World(user=user)
    world.objects.device = login_verified(client, user)
    return world


def operator(client) -> World:
    """An operator past the staff second factor, with a wave selected but not yet announced."""
    from accounts.roles import Role
    from tests.factories import staff_user
    from tests.helpers import login_verified

    user = staff_user(Role.OPERATOR)
    world = World(user=user)
    world.objects.device = login_verified(client, user)
    world.objects.wave = WaveFactory(selected=True)
    return world


def staff_password_only(client) -> World:
    """A staff member with an authenticator, signed in with the password: the code step comes next."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory(verified=True, is_staff=True)
    world = World(user=user)
    world.objects.device = TOTPDevice.objects.create(user=user, name="Autentikator", confirmed=True)
    client.force_login(user)
    return world


def staff_without_authenticator(client) -> World:
    """A new staff member, signed in with the password, who has not set up an authenticator yet."""
    user = UserFactory(verified=True, is_staff=True)
    client.force_login(user)
    return World(user=user)
