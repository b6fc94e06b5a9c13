"""Everything the tests build, in one place (docs/TESTING.md): factory-boy factories with a trait for each state
the tests need, walked there through the portal's services where the state has invariants to keep.

- accounts.py: UserFactory (an account and nothing more), staff in a role's group, PASSWORD.
- registry.py: the mock Dukcapil registry: FamilyFactory, ResidentFactory.
- applicants.py: ApplicantFactory, an applicant at any step of the journey (Step).
- verification.py, assessment.py: each step's row (used by ApplicantFactory), the steps' forms, a question bank.
- waves.py: WaveFactory in each state, EnrollmentFactory, SelectionRunFactory, ComplaintFactory, bulk
  enrollments and bulk applicants ready to join (ready_many), and lost waves for "gagal 3 kali".
"""

from tests.factories.accounts import PASSWORD, UserFactory, reviewer, staff_user
from tests.factories.applicants import ApplicantFactory, Step
from tests.factories.assessment import (
    BANK_SIZE_PER_KIND,
    AttemptFactory,
    DeclarationFactory,
    bank_entries,
    declaration_answers,
    declaration_form,
    question_bank_create,
    write_bank,
)
from tests.factories.registry import FamilyFactory, ResidentFactory
from tests.factories.verification import (
    IdentityVerificationFactory,
    KtpPhotoFactory,
    PersonalDataFactory,
    PhoneNumberFactory,
    ktp_data,
    personal_data,
)
from tests.factories.waves import (
    ComplaintFactory,
    EnrollmentFactory,
    SelectionRunFactory,
    WaveFactory,
    earlier_cards,
    enrolled,
    enrolled_many,
    lost_wave,
    lost_waves,
    processed_letter,
    ready_many,
    signed_letter,
)

__all__ = [
    "BANK_SIZE_PER_KIND",
    "PASSWORD",
    "ApplicantFactory",
    "AttemptFactory",
    "ComplaintFactory",
    "DeclarationFactory",
    "EnrollmentFactory",
    "FamilyFactory",
    "IdentityVerificationFactory",
    "KtpPhotoFactory",
    "PersonalDataFactory",
    "PhoneNumberFactory",
    "ResidentFactory",
    "SelectionRunFactory",
    "Step",
    "UserFactory",
    "WaveFactory",
    "bank_entries",
    "declaration_answers",
    "declaration_form",
    "earlier_cards",
    "enrolled",
    "enrolled_many",
    "ktp_data",
    "lost_wave",
    "lost_waves",
    "personal_data",
    "processed_letter",
    "question_bank_create",
    "ready_many",
    "reviewer",
    "signed_letter",
    "staff_user",
    "write_bank",
]
