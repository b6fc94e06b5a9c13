import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from console.models import FunnelSnapshot
from journey.management.commands.seed_demo import (
    APPLICANTS,
    COMPLAINED,
    FAILED_THRICE,
    OPEN_WAVE,
    OPERATOR_EMAIL,
    PAST_APPLICANTS,
    REVIEWER_EMAIL,
    RUNNER_UP,
    WINNER,
    WINNER_2,
    WINNER_3,
)
from journey.selectors import journey_for
from waves.models import Complaint, ComplaintStatus
from waves.selectors import card_for, complaint_state

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_puts_an_applicant_at_every_stage_and_can_run_again(settings, tmp_path, monkeypatch):
    monkeypatch.setattr("journey.management.commands.seed_demo.SIMULATED_APPLICANTS", 200)
    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())

    assert User.objects.filter(is_superuser=True).count() == 1
    walking = [email for email, _stage, _description in APPLICANTS if email not in PAST_APPLICANTS]
    journeys = [journey_for(User.objects.get(email=email)) for email in walking]
    current_steps = [journey.current.number if journey.current else journey.total + 1 for journey in journeys]
    assert current_steps == sorted(current_steps) and len(set(current_steps)) == len(current_steps)
    for email in (WINNER, WINNER_2, WINNER_3):
        assert card_for(user=User.objects.get(email=email)) is not None
    assert card_for(user=User.objects.get(email=RUNNER_UP)) is None
    assert journey_for(User.objects.get(email=RUNNER_UP)).current.step.key == "wave"  # may join wave 4
    thrice = complaint_state(user=User.objects.get(email=FAILED_THRICE))
    assert len(thrice.failed) == 3 and thrice.may_file
    assert Complaint.objects.get().user.email == COMPLAINED
    assert Complaint.objects.get().status == ComplaintStatus.PENDING
    reviewer = User.objects.get(email=REVIEWER_EMAIL)
    assert reviewer.is_staff and not reviewer.is_superuser and reviewer.has_perm("waves.review_complaint")
    operator = User.objects.get(email=OPERATOR_EMAIL)
    assert operator.has_perm("console.view_console") and operator.has_perm("console.export_results")
    # The open wave has synthetic applicants for the console's funnel, written once.
    assert User.objects.filter(email__startswith=f"simulasi.{OPEN_WAVE}.").count() == 200
    assert FunnelSnapshot.objects.filter(wave__number=OPEN_WAVE).exists()
    printed = out.getvalue()
    assert "admin@prakerja.example" in printed and REVIEWER_EMAIL in printed and FAILED_THRICE in printed
    assert OPERATOR_EMAIL in printed and "/operator/" in printed
    assert printed.count("NIK ") >= 5
