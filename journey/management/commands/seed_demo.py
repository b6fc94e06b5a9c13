"""All demo data, idempotent: run it as often as you like (DESIGN §9).

Demo tooling: it fills the mock registry and walks demo applicants through the steps with the same services
the pages call, so every state the dashboard can show has an account to log in with.
"""

import io
import re
import zlib
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.roles import Role
from assessment.selectors import declaration_text_current
from assessment.services import (
    attempt_answer,
    attempt_start,
    attempt_submit,
    declaration_submit,
    question_bank_load,
)
from dukcapil.models import Resident
from dukcapil.selectors import resident_sample
from notifications.models import Message
from regions.historical import current_district_code
from regions.models import District, Province
from regions.services import regions_load
from uploads import document_process, ktp_photo_process
from verification.otp import OTP_TEMPLATE, otp_send, otp_verify
from verification.selectors import niks_in_use
from verification.services import PersonalDataInput, identity_verify, ktp_photo_save, personal_data_save
from waves.lottery import lottery_number
from waves.models import Complaint, ProvinceQuota, SelectionRun, Wave
from waves.selection import selection_run
from waves.selectors import agreement_current
from waves.services import complaint_submit, enrollment_join, wave_publish, waves_record_schedule
from waves.statement import statement_letter_for, statement_pdf

DEMO_PASSWORD = "prakerja-demo-2026"  # noqa: S105 - the demo's printed password, never a deployment's
ADMIN_EMAIL = "admin@prakerja.example"
REVIEWER_EMAIL = "peninjau@prakerja.example"
OPERATOR_EMAIL = "operator@prakerja.example"
REGISTRY_RESIDENTS = 5_000
# Synthetic applicants in the open wave, so the operator console has a funnel to show (console/simulation.py);
# a few seconds to write.
SIMULATED_APPLICANTS = 3_000
SIMULATION_SEED = 2026
REGISTRY_SEED = 2026
PAST_WAVES, OPEN_WAVE, NEXT_WAVE = (1, 2, 3), 4, 5
# The past waves' demo selections: everyone in them lives in Kota Depok, where each wave had one place.
PAST_DISTRICT = "32.76.01"
WINNER, RUNNER_UP = "pendaftar.lolos@prakerja.example", "pendaftar.belumlolos@prakerja.example"
WINNER_2, WINNER_3 = "pendaftar.lolos2@prakerja.example", "pendaftar.lolos3@prakerja.example"
FAILED_THRICE = "pendaftar.gagal3@prakerja.example"
COMPLAINED = "pendaftar.pengaduan@prakerja.example"
# Who joined each past wave, the winner first (the lottery is public, so the demo picks a seed that lets them win).
PAST_ENTRANTS = {
    1: (WINNER, RUNNER_UP, FAILED_THRICE, COMPLAINED),
    2: (WINNER_2, FAILED_THRICE, COMPLAINED),
    3: (WINNER_3, FAILED_THRICE, COMPLAINED),
}

# (email, how far through the journey, what the dashboard then shows)
APPLICANTS = [
    ("pendaftar.baru@prakerja.example", "signed_up", "email not yet verified (step 1)"),
    ("pendaftar.terverifikasi@prakerja.example", "email", "email verified, next: Verifikasi KTP (step 2)"),
    ("pendaftar.ktp@prakerja.example", "ktp", "KTP verified, next: Data diri (step 3)"),
    ("pendaftar.datadiri@prakerja.example", "personal_data", "personal data done, next: Foto KTP (step 4)"),
    ("pendaftar.foto@prakerja.example", "ktp_photo", "KTP photo done, next: Verifikasi nomor HP (step 5)"),
    ("pendaftar.hp@prakerja.example", "phone", "phone verified, next: Pernyataan pendaftar (step 6)"),
    ("pendaftar.pernyataan@prakerja.example", "declaration", "declaration done, next: the test (step 7)"),
    ("pendaftar.lolostes@prakerja.example", "test_passed", "test passed, next: Gabung gelombang (step 8)"),
    ("pendaftar.gabung@prakerja.example", "joined", "joined the open wave: Menunggu gelombang ditutup"),
    (WINNER, "test_passed", "selected in wave 1: card number and balance on the dashboard"),
    (RUNNER_UP, "test_passed", "not selected in wave 1: Kamu Belum Berhasil, may join wave 4"),
    (WINNER_2, "test_passed", "selected in wave 2"),
    (WINNER_3, "test_passed", "selected in wave 3"),
    (FAILED_THRICE, "test_passed", "not selected in waves 1-3: may file the gagal 3 kali statement (PDF, upload)"),
    (COMPLAINED, "test_passed", "not selected in waves 1-3, statement sent: pending review by the reviewer"),
]
PAST_APPLICANTS = {email for entrants in PAST_ENTRANTS.values() for email in entrants}
STAGES = ["signed_up", "email", "ktp", "personal_data", "ktp_photo", "phone", "declaration", "test_passed", "joined"]


class Command(BaseCommand):
    help = "Create the demo's admin, mock registry and sample applicants (known passwords). Only with DEBUG on."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off (never in production)")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with DJANGO_DEBUG=1."
            )
        provinces, regencies, districts = regions_load()
        self.stdout.write(f"Regions: {provinces} provinces, {regencies} regencies, {districts} districts.")
        self.stdout.write(f"Test questions: {question_bank_load()} in the bank.")
        if not Resident.objects.exists():
            call_command(
                "seed_dukcapil",
                residents=REGISTRY_RESIDENTS,
                seed=REGISTRY_SEED,
                no_samples=True,
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )

        admin = self._user(ADMIN_EMAIL, is_staff=True, is_superuser=True, email_verified=True)
        reviewer = self._user(REVIEWER_EMAIL, is_staff=True, email_verified=True)
        reviewer.groups.add(Group.objects.get(name=Role.REVIEWER))
        operator = self._user(OPERATOR_EMAIL, is_staff=True, email_verified=True)
        operator.groups.add(Group.objects.get(name=Role.OPERATOR))
        self._waves(admin)
        for email, stage, _description in APPLICANTS:
            self._applicant(email, stage)

        for number in PAST_WAVES:
            self._past_selection(admin, number)
        self._complaint(COMPLAINED)
        self._simulated_applicants(verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Admin login:      {ADMIN_EMAIL} / {DEMO_PASSWORD}  ({settings.SITE_URL}/admin/)")
        self.stdout.write(
            f"  Reviewer login:   {REVIEWER_EMAIL} / {DEMO_PASSWORD}  (reviews gagal 3 kali statements in /admin/)"
        )
        self.stdout.write(
            f"  Operator login:   {OPERATOR_EMAIL} / {DEMO_PASSWORD}  (the console at /operator/; waves, quotas "
            "and selection in /admin/)"
        )
        if settings.STAFF_OTP_REQUIRED:
            self.stdout.write(
                "  Staff also need an authenticator app: the first login shows a QR code to scan "
                "(STAFF_OTP_REQUIRED is on)."
            )
        else:
            self.stdout.write("  Staff log in with the password only here (STAFF_OTP_REQUIRED=0, the demo's setting).")
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
        user.groups.add(Group.objects.get(name=Role.APPLICANT))
        if reached < STAGES.index("ktp") or hasattr(user, "identity"):
            return
        # A resident no account holds yet; the demo uses the registry through the portal's own services.
        person = resident_sample(
            count=1, kind="ordinary", rng_seed=zlib.crc32(email.encode()), exclude_nik=niks_in_use
        )[0]
        identity_verify(
            user=user, nik=person["nik"], kk=person["kk"], birth_date=date.fromisoformat(person["birth_date"])
        )
        if reached < STAGES.index("personal_data"):
            return
        personal_data_save(
            user=user,
            data=PersonalDataInput(
                full_name=person["full_name"],
                mother_name=person["mother_name"],
                address=person["address"],
                district=District.objects.get(
                    pk=PAST_DISTRICT if email in PAST_APPLICANTS else current_district_code(person["district_code"])
                ),
                sex="P" if person["sex"] == "F" else "L",
                education="sma",
                marital_status="belum_kawin",
                dependents=0,
                training_topic="pemasaran_digital",
            ),
        )
        if reached < STAGES.index("ktp_photo"):
            return
        ktp_photo_save(user=user, photo=ktp_photo_process(_demo_ktp_photo(person)))
        if reached < STAGES.index("phone"):
            return
        number = f"+62812{zlib.crc32(email.encode()) % 10**8:08d}"
        otp_send(user=user, number=number)
        sms = Message.objects.filter(user=user, template=OTP_TEMPLATE).latest("created_at", "id")
        otp_verify(user=user, code=re.search(r"\b(\d{6})\b", sms.text).group(1))
        if reached < STAGES.index("declaration"):
            return
        declaration_submit(
            user=user,
            text=declaration_text_current(),
            employment="phk",
            in_formal_education=False,
            excluded_groups=[],
            other_aid=[],
            truthful=True,
        )
        if reached < STAGES.index("test_passed"):
            return
        attempt = attempt_start(user=user)
        for item in attempt.items.select_related("question").prefetch_related("question__options"):
            options = {option.position: option for option in item.question.options.all()}
            worth = [options[position].is_correct * 3 + options[position].points for position in item.option_order]
            attempt_answer(user=user, position=item.position, choice=worth.index(max(worth)) + 1)
        attempt_submit(user=user)
        if reached < STAGES.index("joined"):
            return
        open_wave = Wave.objects.get(number=OPEN_WAVE)
        enrollment_join(user=user, wave=open_wave, agreement=agreement_current())

    def _waves(self, admin: User) -> None:
        """Waves 1-3 in the past (one place each in Jawa Barat; selected below), wave 4 open now for every
        province and wave 5 published to open in two weeks (quotas by population share of the mock registry,
        adding up exactly)."""
        now = timezone.now()
        if Wave.objects.filter(number__in=PAST_WAVES, closes_at__gt=now).exists():
            raise CommandError(
                "This database holds the waves of an older demo (wave 2 open). Remove var/db.sqlite3 and run "
                "python3 dev.py demo again."
            )
        plans = [
            (1, "Gelombang 1", now - timedelta(days=70), {"32": 1}),
            (2, "Gelombang 2", now - timedelta(days=50), {"32": 1}),
            (3, "Gelombang 3", now - timedelta(days=30), {"32": 1}),
            (OPEN_WAVE, "Gelombang 4", now - timedelta(days=1), _quota_split(164_000)),
            (NEXT_WAVE, "Gelombang 5", now + timedelta(days=14), _quota_split(200_000)),
        ]
        for number, name, opens_at, quotas in plans:
            if Wave.objects.filter(number=number).exists():
                continue
            with transaction.atomic():
                wave = Wave.objects.create(
                    number=number,
                    name=name,
                    opens_at=opens_at,
                    closes_at=opens_at + timedelta(days=7),
                    announce_at=opens_at + timedelta(days=10),
                    quota=sum(quotas.values()),
                    pool_unused_quota=False,
                )
                ProvinceQuota.objects.bulk_create(
                    ProvinceQuota(wave=wave, province_id=code, quota=share) for code, share in quotas.items()
                )
                wave_publish(wave=wave, acting_user=admin, now=opens_at - timedelta(days=1))

    def _past_selection(self, admin: User, number: int) -> None:
        """A past wave's demo applicants join it while it was open, and its selection runs after it closed,
        with the first seed under which the designated winner wins (the lottery is public: see
        waves/lottery.py), so the demo always shows the same cards and "Kamu Belum Berhasil"."""
        wave = Wave.objects.get(number=number)
        if SelectionRun.objects.filter(wave=wave).exists():
            return
        entrants = PAST_ENTRANTS[number]
        numbers = [
            enrollment_join(
                user=User.objects.get(email=email),
                wave=wave,
                agreement=agreement_current(),
                now=wave.opens_at + timedelta(hours=1),
            ).registration_number
            for email in entrants
        ]
        # A seed by hand, not the committed one: /transparansi/ says so for these demo waves.
        seed = next(s for s in range(1, 10_000) if min(numbers, key=lambda n: lottery_number(s, n)) == numbers[0])
        selection_run(wave=wave, acting_user=admin, seed=seed, now=wave.closes_at + timedelta(hours=1))
        waves_record_schedule(now=wave.announce_at)

    def _simulated_applicants(self, *, verbosity: int) -> None:
        """SIMULATED_APPLICANTS synthetic applicants in the open wave, once (their emails say which wave and seed)."""
        if User.objects.filter(email__startswith=f"simulasi.{OPEN_WAVE}.").exists():
            return
        call_command(
            "simulate_wave",
            OPEN_WAVE,
            applicants=SIMULATED_APPLICANTS,
            seed=SIMULATION_SEED,
            verbosity=verbosity,
            stdout=self.stdout,
        )

    def _complaint(self, email: str) -> None:
        """``email`` downloads the statement letter and sends it back (a PDF, as if signed digitally), so the
        reviewer has one to decide at once; the other thrice-failed applicant files their own."""
        user = User.objects.get(email=email)
        if Complaint.objects.filter(user=user).exists():
            return
        letter = statement_letter_for(user=user)
        upload = SimpleUploadedFile("surat-pernyataan.pdf", statement_pdf(letter), content_type="application/pdf")
        complaint_submit(user=user, letter=document_process(upload), text=letter.text)


def _quota_split(quota: int) -> dict[str, int]:
    """``quota`` split over the 38 provinces by their share of the mock population (largest remainder)."""
    provinces = list(Province.objects.values_list("code", flat=True))
    counts = dict(
        Resident.objects.annotate(province=Substr("district_code", 1, 2))
        .values("province")
        .annotate(n=Count("pk"))
        .values_list("province", "n")
    )
    weights = {code: counts.get(code, 0) + 1 for code in provinces}  # +1: every province gets a share
    total = sum(weights.values())
    exact = {code: quota * weight / total for code, weight in weights.items()}
    split = {code: int(value) for code, value in exact.items()}
    for code in sorted(exact, key=lambda c: exact[c] - split[c], reverse=True)[: quota - sum(split.values())]:
        split[code] += 1
    return split


def _demo_ktp_photo(person: dict) -> SimpleUploadedFile:
    """A drawn stand-in for a KTP photo (no real card is shipped), 1280 x 800."""
    image = Image.new("RGB", (1280, 800), (160, 200, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 1240, 760), outline=(30, 60, 120), width=8)
    for row, text in enumerate(
        ("PROVINSI " + person["province"].upper(), "NIK : " + person["nik"], person["full_name"])
    ):
        draw.text((80, 90 + row * 70), text, fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("ktp-demo.png", buffer.getvalue(), content_type="image/png")
