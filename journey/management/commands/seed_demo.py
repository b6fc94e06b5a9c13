"""All demo data, idempotent: run it as often as you like (DESIGN §9)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from regions.services import regions_load

DEMO_PASSWORD = "prakerja-demo-2026"
ADMIN_EMAIL = "admin@prakerja.example"
APPLICANTS = [
    # (email, email verified?) — one applicant per state the dashboard can show today.
    ("pendaftar.baru@prakerja.example", False),
    ("pendaftar.terverifikasi@prakerja.example", True),
]


class Command(BaseCommand):
    help = "Create the demo's admin and sample applicants (all with a known password). Only with DEBUG on."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off (never in production)")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a published password; it runs only with DJANGO_DEBUG=1.")
        provinces, regencies, districts = regions_load()
        self.stdout.write(f"Regions: {provinces} provinces, {regencies} regencies, {districts} districts.")

        admin, created = User.objects.get_or_create(
            email=ADMIN_EMAIL,
            defaults={"is_staff": True, "is_superuser": True, "email_verified_at": timezone.now()},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        for email, verified in APPLICANTS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"email_verified_at": timezone.now() if verified else None}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Admin login:      {ADMIN_EMAIL} / {DEMO_PASSWORD}  ({settings.SITE_URL}/admin/)")
        for email, verified in APPLICANTS:
            state = "email verified" if verified else "email not yet verified"
            self.stdout.write(f"  Applicant login:  {email} / {DEMO_PASSWORD}  ({state})")
        self.stdout.write("  Or create your own account at /daftar/ and read its email at /kotak-masuk/.")
