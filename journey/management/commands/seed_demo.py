"""All demo data, idempotent: run it as often as you like (DESIGN §9).

Demo tooling: it fills the mock registry and walks demo applicants through the steps with the same services
the pages call, so every state the dashboard can show has an account to log in with.
"""

import zlib
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from dukcapil.models import Resident
from dukcapil.selectors import resident_sample
from regions.historical import current_district_code
from regions.models import District
from regions.services import regions_load
from verification.selectors import niks_in_use
from verification.services import PersonalDataInput, identity_verify, personal_data_save

DEMO_PASSWORD = "prakerja-demo-2026"
ADMIN_EMAIL = "admin@prakerja.example"
REGISTRY_RESIDENTS = 5_000
REGISTRY_SEED = 2026

# (email, how far through the journey, what the dashboard then shows)
APPLICANTS = [
    ("pendaftar.baru@prakerja.example", "signed_up", "email not yet verified (step 1)"),
    ("pendaftar.terverifikasi@prakerja.example", "email", "email verified, next: Verifikasi KTP (step 2)"),
    ("pendaftar.ktp@prakerja.example", "ktp", "KTP verified, next: Data diri (step 3)"),
    ("pendaftar.datadiri@prakerja.example", "personal_data", "personal data done, next: Foto KTP (step 4)"),
]
STAGES = ["signed_up", "email", "ktp", "personal_data"]


class Command(BaseCommand):
    help = "Create the demo's admin, mock registry and sample applicants (known passwords). Only with DEBUG on."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off (never in production)")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a published password; it runs only with DJANGO_DEBUG=1.")
        provinces, regencies, districts = regions_load()
        self.stdout.write(f"Regions: {provinces} provinces, {regencies} regencies, {districts} districts.")
        if not Resident.objects.exists():
            call_command(
                "seed_dukcapil", residents=REGISTRY_RESIDENTS, seed=REGISTRY_SEED, no_samples=True,
                verbosity=options["verbosity"], stdout=self.stdout,
            )

        self._user(ADMIN_EMAIL, is_staff=True, is_superuser=True, email_verified=True)
        for email, stage, _description in APPLICANTS:
            self._applicant(email, stage)

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Admin login:      {ADMIN_EMAIL} / {DEMO_PASSWORD}  ({settings.SITE_URL}/admin/)")
        for email, _stage, description in APPLICANTS:
            self.stdout.write(f"  Applicant login:  {email} / {DEMO_PASSWORD}  ({description})")
        self.stdout.write("  Or create your own account at /daftar/ and read its email at /kotak-masuk/.")
        self.stdout.write("\nIdentities to try at Verifikasi KTP (also: manage.py dukcapil_sample --count 5 --json):")
        call_command("dukcapil_sample", count=5, seed=REGISTRY_SEED, stdout=self.stdout)

    def _user(self, email: str, *, email_verified: bool, **flags) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"email_verified_at": timezone.now() if email_verified else None, **flags}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _applicant(self, email: str, stage: str) -> None:
        reached = STAGES.index(stage)
        user = self._user(email, email_verified=reached >= STAGES.index("email"))
        if reached < STAGES.index("ktp") or hasattr(user, "identity"):
            return
        # A resident no account holds yet; the demo uses the registry through the portal's own services.
        person = resident_sample(count=1, kind="ordinary", rng_seed=zlib.crc32(email.encode()), exclude_nik=niks_in_use)[0]
        identity_verify(user=user, nik=person["nik"], kk=person["kk"], birth_date=date.fromisoformat(person["birth_date"]))
        if reached < STAGES.index("personal_data"):
            return
        personal_data_save(
            user=user,
            data=PersonalDataInput(
                full_name=person["full_name"],
                mother_name=person["mother_name"],
                address=person["address"],
                district=District.objects.get(pk=current_district_code(person["district_code"])),
                sex="P" if person["sex"] == "F" else "L",
                education="sma",
                marital_status="belum_kawin",
                dependents=0,
                employment_status="phk",
                training_topic="pemasaran_digital",
            ),
        )
