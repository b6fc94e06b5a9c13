"""Reads of the waves app for pages and the journey."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import NamedTuple

from django.db.models import Count, F, JSONField, Max, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import User
from prakerja.json_rows import json_rows, rows_from_json
from prakerja.shared_cache import shared_read
from waves.errors import WaveErrorCode
from waves.models import (
    OPEN_COMPLAINT_STATUSES,
    AgreementText,
    Card,
    Complaint,
    ComplaintStatus,
    Enrollment,
    ProvinceQuota,
    Result,
    RunStatus,
    SelectionRun,
    StatementText,
    Wave,
    WaveStatus,
)
from waves.progress import Progress, progress_read
from waves.reasons import FAILED_SELECTION


def agreement_current() -> AgreementText | None:
    return AgreementText.objects.filter(is_current=True).first()


def agreement_current_shown() -> AgreementText | None:
    """The current Persetujuan for a page that shows it, from the shared cache (prakerja/shared_cache.py); a
    join reads ``agreement_current`` from the database."""
    return shared_read("texts", "waves.AgreementText", agreement_current)


def waves_open_for(*, province_id: str | None, now: datetime | None = None) -> list[Wave]:
    """Waves open at ``now`` with a quota for the province (status derived from the times, not a job)."""
    if province_id is None:
        return []
    now = now or timezone.now()
    candidates = Wave.objects.filter(
        Q(status=WaveStatus.OPEN) | Q(status=WaveStatus.DRAFT, published_at__isnull=False),
        opens_at__lte=now,
        closes_at__gt=now,
        province_quotas__province_id=province_id,
        province_quotas__quota__gt=0,
    ).order_by("number")
    return [wave for wave in candidates if wave.status_at(now) == WaveStatus.OPEN]


@dataclass(frozen=True)
class WaveChoice:
    """The waves page: open waves the applicant may join now, and those published to open later, each wave with
    ``province_quota``, the places of the applicant's province."""

    open: list[Wave]
    upcoming: list[Wave]


def waves_for_province(*, province_id: str | None, now: datetime | None = None) -> WaveChoice:
    """Open and upcoming waves with a quota for the province (statuses derived from the times). The same for
    every applicant of the province, so kept in the shared cache per province (prakerja/shared_cache.py; a
    saved wave or quota bumps it): no query on a hit, one on a miss."""
    if province_id is None:
        return WaveChoice(open=[], upcoming=[])
    now = now or timezone.now()
    published = shared_read("waves", f"province:{province_id}", partial(_waves_published_for, province_id))
    waves = [wave for wave in published if wave.closes_at > now]
    return WaveChoice(
        open=[wave for wave in waves if wave.status_at(now) == WaveStatus.OPEN],
        upcoming=[wave for wave in waves if wave.status_at(now) == WaveStatus.DRAFT],
    )


def _waves_published_for(province_id: str) -> list[Wave]:
    """Every wave not yet recorded as closed that is open or published, with a quota for the province: the same
    at any instant (the times are compared when read), so a cached list stays right as time passes."""
    return list(
        Wave.objects.filter(
            Q(status=WaveStatus.OPEN) | Q(status=WaveStatus.DRAFT, published_at__isnull=False),
            province_quotas__province_id=province_id,
            province_quotas__quota__gt=0,
        )
        .annotate(province_quota=F("province_quotas__quota"))
        .order_by("opens_at", "number")
    )


@dataclass(frozen=True)
class EnrollmentStatus:
    enrollment: Enrollment
    wave_status: str


def enrollment_pending(*, user: User, now: datetime | None = None) -> EnrollmentStatus | None:
    """The applicant's pending enrollment and its wave's status now, for the dashboard."""
    now = now or timezone.now()
    enrollment = Enrollment.objects.filter(user=user, pending=True).select_related("wave").first()
    if enrollment is None:
        return None
    return EnrollmentStatus(enrollment=enrollment, wave_status=enrollment.wave.status_at(now))


def _announced(now: datetime, prefix: str = "") -> Q:
    """The wave's results are out at ``now`` (derived from its times, like ``Wave.status_at``)."""
    return Q(**{f"{prefix}status": WaveStatus.ANNOUNCED}) | Q(
        **{f"{prefix}status": WaveStatus.SELECTED, f"{prefix}announce_at__lte": now}
    )


def card_for(*, user: User, now: datetime | None = None) -> Card | None:
    """The applicant's card, once its wave's results are announced (hidden before, even if issued)."""
    now = now or timezone.now()
    return (
        Card.objects.filter(
            user=user,
            revoked_at__isnull=True,
            wave__announce_at__lte=now,
            wave__status__in=[WaveStatus.SELECTED, WaveStatus.ANNOUNCED],
        )
        .select_related("wave")
        .first()
    )


def card_issued_to(*, user: User) -> bool:
    """Whether ``user`` was ever issued a card, announced or not, revoked or not (a voided run's are gone)."""
    return Card.objects.filter(user=user).exists()


@dataclass(frozen=True)
class LotteryPlace:
    lottery: str
    tier: int
    place: int | None  # among the province's candidates; None when a rule excluded the applicant
    cut: dict | None  # the province's last own selection: {"place", "tier", "lottery"}


@dataclass(frozen=True)
class HistoryEntry:
    enrollment: Enrollment
    announced: bool
    selected: bool | None
    reason: str | None
    # After the announcement: the applicant's own lottery figures, and their province's cut (docs/LOTTERY.md).
    lottery: LotteryPlace | None = None


# Latest joined first; two enrollments joined at the same instant (only where tests stop the clock) in the order
# they were made, so "Riwayat" and "Data saya" list them alike on every database.
HISTORY_ORDER = ("-joined_at", "pk")


def wave_history(*, user: User, now: datetime | None = None) -> list[HistoryEntry]:
    """ "Riwayat Gelombang": every wave joined, with its result once announced, in one query however many: each
    enrollment comes with its standing result's figures (at most one: a run is voided before another is made)
    and that run's counts, for the province's cut; never the run's seed, secret until the announcement.

    The figures come as one JSON object from one correlated subquery (not a subquery per figure): the dashboard
    reads this on every request, and six subqueries cost more to build in Django and to plan in PostgreSQL (the
    results are partitioned by run) than to run (issue #18, docs/PERFORMANCE.md)."""
    now = now or timezone.now()
    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("wave")
        .annotate(result_figures=_result_figures())
        .order_by(*HISTORY_ORDER)
    )
    return _history_entries(enrollments, now=now)


def _result_figures() -> Subquery:
    """The enrollment's standing result (its figures and its run's counts) as one JSON object, or null."""
    result = Result.objects.filter(enrollment=OuterRef("pk"), run__status=RunStatus.SUCCEEDED)
    figures = JSONObject(
        selected="selected",
        reason="reason",
        lottery="lottery",
        priority="priority",
        place="province_rank",
        counts="run__counts",
    )
    return Subquery(result.values(figures=figures)[:1], output_field=JSONField())


def _history_entries(enrollments: Iterable[Enrollment], *, now: datetime) -> list[HistoryEntry]:
    """Each enrollment (its ``wave`` read, ``result_figures`` annotated) with its result, shown once announced."""
    entries = []
    for enrollment in enrollments:
        announced = enrollment.wave.status_at(now) == WaveStatus.ANNOUNCED
        found = _json(enrollment.result_figures) or {}
        has_result = announced and found.get("lottery") is not None
        entries.append(
            HistoryEntry(
                enrollment=enrollment,
                announced=announced,
                selected=bool(found["selected"]) if has_result else None,  # SQLite's JSON has 1/0
                reason=found["reason"] if has_result else None,
                lottery=_lottery_place(enrollment, found) if has_result else None,
            )
        )
    return entries


def _json(value):
    """A JSON value as Python: SQLite hands a JSON column inside json_object() back as its text."""
    return json.loads(value) if isinstance(value, str) else value


def _lottery_place(enrollment: Enrollment, found: dict) -> LotteryPlace:
    counts = _json(found.get("counts")) or {}
    province = (counts.get("provinces") or {}).get(enrollment.province_id) or {}
    return LotteryPlace(
        lottery=found["lottery"],
        tier=found["priority"],
        place=found["place"],
        cut=province.get("cut"),
    )


def wave_last_opened_at(*, now: datetime | None = None) -> datetime | None:
    """When the most recent published wave opened (by now), or None before the first. A failed test may be
    taken again once a wave has opened since (DESIGN §2 step 7); the journey hands this instant to
    assessment.services.attempt_start, which applies that rule."""
    now = now or timezone.now()
    return Wave.objects.filter(published_at__isnull=False, opens_at__lte=now).aggregate(last=Max("opens_at"))["last"]


def enrollment_exists(*, user: User) -> bool:
    return Enrollment.objects.filter(user=user).exists()


def selection_progress(*, run: SelectionRun) -> Progress | None:
    """A running run's progress by phase, published outside its transaction (waves/progress.py); None once it
    has ended (its row then holds the phases) or before it has reported."""
    if run.status != RunStatus.RUNNING:
        return None
    return progress_read(run_id=run.pk)


def selection_run_in_flight(*, wave: Wave) -> SelectionRun | None:
    return SelectionRun.objects.filter(wave=wave, status=RunStatus.RUNNING).order_by("-pk").first()


# --- "Gagal 3 kali" (DESIGN §5) ---------------------------------------------------------------------------

FAILED_SELECTIONS_TO_COMPLAIN = 3


def failed_selections(*, user: User, now: datetime | None = None) -> list[Result]:
    """The applicant's failed selections, newest first: announced results of standing runs in which they were
    a candidate and were not selected (waves.reasons.FAILED_SELECTION). One query."""
    now = now or timezone.now()
    return list(
        Result.objects.filter(
            _announced(now, "run__wave__"),
            enrollment__user=user,
            run__status=RunStatus.SUCCEEDED,
            selected=False,
            reason__in=FAILED_SELECTION,
        )
        .select_related("run__wave")
        .order_by("-run__wave__announce_at", "-run__wave__number")
    )


@dataclass(frozen=True)
class ComplaintState:
    """Where an applicant stands with "gagal 3 kali": what the dashboard and the complaint page show."""

    failed: list  # failed selections, newest first: Result rows (or HistoryEntry, complaint_state_from_history)
    latest: Complaint | None  # the latest complaint, whatever its status
    recipient: bool
    fresh_failures: int  # failed selections no earlier complaint cited

    @property
    def open(self) -> Complaint | None:
        """The pending or approved complaint (at most one), which stops another from being filed."""
        return self.latest if self.latest and self.latest.status in OPEN_COMPLAINT_STATUSES else None

    @property
    def refusal(self) -> WaveErrorCode | None:
        """Why the applicant may not file now, or None: three failed selections, none open, and after a
        rejection a further failed selection."""
        if self.recipient:
            return WaveErrorCode.COMPLAINT_RECIPIENT
        if self.open is not None:
            return WaveErrorCode.COMPLAINT_OPEN
        if self.failures_needed:
            return WaveErrorCode.COMPLAINT_TOO_EARLY
        if self.latest is not None and not self.fresh_failures and not self.latest.fixable:
            # A letter rejected for a reason the applicant can correct (waves.rejections) may be sent again now.
            return WaveErrorCode.COMPLAINT_NEEDS_NEW_FAILURE
        return None

    @property
    def may_file(self) -> bool:
        return self.refusal is None

    @property
    def waves_to_cite(self) -> list[Wave]:
        """The waves the letter names: the latest three failed ones."""
        return [result.run.wave for result in self.failed[:FAILED_SELECTIONS_TO_COMPLAIN]]

    @property
    def failures_needed(self) -> int:
        return max(FAILED_SELECTIONS_TO_COMPLAIN - len(self.failed), 0)


def complaint_state(*, user: User, now: datetime | None = None, recipient: bool | None = None) -> ComplaintState:
    """Two to four queries: failed selections, the latest complaint, after a rejection the waves cited before,
    and (unless the caller knows, as the dashboard does) whether the applicant holds an announced card."""
    now = now or timezone.now()
    failed = failed_selections(user=user, now=now)
    if recipient is None:
        # Only an announced card counts, so nothing here tells an applicant their result before the announcement.
        recipient = bool(failed) and card_for(user=user, now=now) is not None
    return _complaint_state(user=user, failed=failed, wave_ids=[r.run.wave_id for r in failed], recipient=recipient)


def complaint_state_from_history(*, user: User, history: list[HistoryEntry], recipient: bool) -> ComplaintState:
    """``complaint_state`` for a caller that has read ``wave_history`` already (the dashboard): the failed
    selections are its announced, not selected entries for a FAILED_SELECTION reason (the same results
    ``failed_selections`` reads), so only the latest complaint is one more query (two after a rejection).
    ``failed`` holds those history entries, newest first, not ``Result`` rows."""
    failed = [
        entry for entry in history if entry.announced and entry.selected is False and entry.reason in FAILED_SELECTION
    ]
    wave_ids = [entry.enrollment.wave_id for entry in failed]
    return _complaint_state(user=user, failed=failed, wave_ids=wave_ids, recipient=recipient)


def _complaint_state(*, user: User, failed: list, wave_ids: list[int], recipient: bool) -> ComplaintState:
    latest = Complaint.objects.filter(user=user).order_by("-submitted_at", "-id").first()
    fresh = len(failed)
    if latest is not None and latest.status == ComplaintStatus.REJECTED:
        cited = set(Complaint.waves.through.objects.filter(complaint__user=user).values_list("wave_id", flat=True))
        fresh = sum(1 for wave_id in wave_ids if wave_id not in cited)
    return ComplaintState(failed=failed, latest=latest, recipient=recipient, fresh_failures=fresh)


def statement_text_current() -> StatementText | None:
    return StatementText.objects.filter(is_current=True).first()


def statement_text_current_shown() -> StatementText | None:
    """The current statement text for the letter page, from the shared cache (a complaint reads it fresh)."""
    return shared_read("texts", "waves.StatementText", statement_text_current)


def complaint_for_viewer(*, pk: int, viewer: User) -> Complaint | None:
    """The complaint ``pk`` if ``viewer`` may see it and its letter: its owner, or a reviewer. Anyone else gets
    None, exactly as for a complaint that does not exist, so guessing ids reveals nothing."""
    complaint = Complaint.objects.filter(pk=pk).first()
    if complaint is None:
        return None
    if complaint.user_id == viewer.pk or viewer.has_perm("waves.view_complaint"):
        return complaint
    return None


# --- "Data saya" ------------------------------------------------------------------------------------------


class CitedComplaint(NamedTuple):
    complaint: Complaint
    cited_wave_numbers: list[int]  # the waves the letter names, in order


@dataclass(frozen=True)
class WavesRecord:
    """What the waves app holds about an applicant, as far as they may know it now: every wave joined with its
    result once announced, the cards of announced waves (revoked ones too), and their complaints; each list
    newest first."""

    history: list[HistoryEntry]
    cards: list[Card]
    complaints: list[CitedComplaint]


# What the history shows of a wave, and what ``Wave.status_at`` reads (a result is shown once announced).
_HISTORY_WAVE_FIELDS = (
    "wave__number",
    "wave__status",
    "wave__published_at",
    "wave__opens_at",
    "wave__closes_at",
    "wave__announce_at",
)


def waves_record_for(*, user: User, now: datetime | None = None) -> WavesRecord:
    """In one query, however long the history: the account row with three JSON lists (prakerja/json_rows.py),
    the enrollments with their waves and standing results (as ``wave_history`` reads them), the cards and the
    complaints, each with the waves its letter names."""
    now = now or timezone.now()
    joined = Enrollment.objects.filter(user=OuterRef("pk"))
    announced_cards = Card.objects.filter(
        user=OuterRef("pk"), wave__announce_at__lte=now, wave__status__in=[WaveStatus.SELECTED, WaveStatus.ANNOUNCED]
    )
    filed = Complaint.objects.filter(user=OuterRef("pk"))
    cited = Complaint.waves.through.objects.filter(complaint=OuterRef("pk"))
    row = (
        User.objects.filter(pk=user.pk)
        .values(
            enrollment_rows=json_rows(
                joined, "joined_at", "province_id", *_HISTORY_WAVE_FIELDS, result_figures=_result_figures()
            ),
            card_rows=json_rows(
                announced_cards,
                "number",
                "wave__number",
                "balance",
                "issued_at",
                "first_training_deadline",
                "revoked_at",
            ),
            complaint_rows=json_rows(
                filed,
                "submitted_at",
                "status",
                "decided_at",
                "rejection_reason",
                "decision_reason",
                cited=json_rows(cited, "wave__number"),
            ),
        )
        .get()
    )
    enrollments = rows_from_json(Enrollment, row["enrollment_rows"], order_by=HISTORY_ORDER)
    complaints = rows_from_json(Complaint, row["complaint_rows"], order_by=("-submitted_at", "-pk"))
    return WavesRecord(
        history=_history_entries(enrollments, now=now),
        cards=rows_from_json(Card, row["card_rows"], order_by=("-issued_at", "-pk")),
        complaints=[
            CitedComplaint(complaint, sorted(wave["wave__number"] for wave in complaint.cited or []))
            for complaint in complaints
        ],
    )


# --- The operator console (console/) ----------------------------------------------------------------------


def enrollments_per_province(*, wave: Wave) -> dict[str, int]:
    """How many joined ``wave`` in each province (one grouped query on the enrollments' (wave, province) index)."""
    rows = Enrollment.objects.filter(wave=wave).values("province_id").annotate(n=Count("pk")).order_by()
    return {row["province_id"]: row["n"] for row in rows}


def selection_run_standing(*, wave: Wave) -> SelectionRun | None:
    """The run whose results stand for ``wave`` (at most one succeeded run: a new seed needs a void first)."""
    return SelectionRun.objects.filter(wave=wave, status=RunStatus.SUCCEEDED).order_by("-pk").first()


def selection_runs_standing(*, waves) -> dict[int, int]:
    """The standing run's id of each of ``waves`` that has one (one query)."""
    return dict(SelectionRun.objects.filter(wave__in=waves, status=RunStatus.SUCCEEDED).values_list("wave_id", "pk"))


def selection_runs_latest(*, wave: Wave | None = None, limit: int = 5) -> list[SelectionRun]:
    """The latest runs (of ``wave``, or of every wave), newest first, with their waves, in one query."""
    runs = SelectionRun.objects.select_related("wave").order_by("-started_at", "-pk")
    if wave is not None:
        runs = runs.filter(wave=wave)
    return list(runs[:limit])


def province_quotas_of(*, wave_ids) -> dict[int, dict[str, int]]:
    """Each wave's quota per province, for the waves ``wave_ids`` (one query)."""
    quotas: dict[int, dict[str, int]] = {}
    for wave_id, province_id, quota in ProvinceQuota.objects.filter(wave_id__in=list(wave_ids)).values_list(
        "wave_id", "province_id", "quota"
    ):
        quotas.setdefault(wave_id, {})[province_id] = quota
    return quotas


def result_rows_for_export(*, run: SelectionRun, chunk_size: int = 2000):
    """Every result of ``run`` as (enrollment id, province code, selected, from pool, reason, NIK token, card
    number), in enrollment order, read through a server-side cursor ``chunk_size`` rows at a time (PostgreSQL; on
    SQLite in chunks of the same size), so a million rows never sit in memory. The NIK is its stored token: the
    caller masks it (a deleted applicant's results stay, without it)."""
    return (
        Result.objects.filter(run=run)
        .order_by("enrollment_id")
        .values_list(
            "enrollment_id",
            "province_id",
            "selected",
            "from_pool",
            "reason",
            "user__identity__nik_encrypted",
            "card__number",
        )
        .iterator(chunk_size=chunk_size)
    )


# --- An operator's action on a wave (waves.actions) ------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceLine:
    name: str
    quota: int
    enrolled: int


@dataclass(frozen=True)
class WaveConsequence:
    """What a confirmation page states: the wave, its province quotas and enrollments, and the standing run."""

    wave: Wave
    status: str
    provinces: list[ProvinceLine]
    quota: int
    enrolled: int
    run: SelectionRun | None
    selected: int | None


def wave_consequence(*, wave: Wave, action: str, now: datetime | None = None) -> WaveConsequence:
    """Three queries: the quotas by province name, the enrollments per province, the standing run."""
    from django.db.models import Count

    now = now or timezone.now()
    enrolled = dict(
        Enrollment.objects.filter(wave=wave)
        .values_list("province_id")
        .annotate(n=Count("pk"))
        .values_list("province_id", "n")
    )
    quotas = wave.province_quotas.select_related("province").order_by("province_id")
    lines = [ProvinceLine(name=q.province.name, quota=q.quota, enrolled=enrolled.get(q.province_id, 0)) for q in quotas]
    run = (
        SelectionRun.objects.filter(wave=wave, status__in=[RunStatus.RUNNING, RunStatus.SUCCEEDED])
        .order_by("-pk")
        .first()
    )
    return WaveConsequence(
        wave=wave,
        status=WaveStatus(wave.status_at(now)).label,
        provinces=lines,
        quota=wave.quota,
        enrolled=sum(enrolled.values()),
        run=run,
        selected=(run.counts or {}).get("selected") if run else None,
    )


@dataclass(frozen=True)
class RunProvince:
    name: str
    quota: int | None
    enrolled: int
    candidates: int | None
    selected: int


def selection_run_provinces(*, run: SelectionRun) -> list[RunProvince]:
    """A run's counts per province, by name, with the wave's quota and (while its results stand) its candidates:
    those through every rule. Three queries; the candidates one reads the run's results grouped by province."""
    from django.db.models import Count

    from regions.models import Province

    per_province = (run.counts or {}).get("provinces") or {}
    names = dict(Province.objects.filter(pk__in=per_province).values_list("pk", "name"))
    quotas = dict(run.wave.province_quotas.values_list("province_id", "quota"))
    candidates = {}
    if run.status == RunStatus.SUCCEEDED:
        candidates = dict(
            Result.objects.filter(run=run)
            .filter(Q(reason__isnull=True) | Q(reason__in=FAILED_SELECTION))
            .values_list("province_id")
            .annotate(n=Count("pk"))
            .values_list("province_id", "n")
        )
    return [
        RunProvince(
            name=names.get(code, code),
            quota=quotas.get(code),
            enrolled=entry.get("enrollments", 0),
            candidates=candidates.get(code) if candidates else None,
            selected=entry.get("selected", 0),
        )
        for code, entry in sorted(per_province.items(), key=lambda item: names.get(item[0], item[0]))
    ]


# --- The reviewer's workbench ------------------------------------------------------------------------------------


def complaint_next_pending(*, after: Complaint | None = None) -> Complaint | None:
    """The oldest pending complaint other than ``after``: the case a reviewer opens next ("Berikutnya")."""
    pending = Complaint.objects.filter(status=ComplaintStatus.PENDING).order_by("submitted_at", "id")
    if after is not None:
        pending = pending.exclude(pk=after.pk)
    return pending.first()


def complaint_cited_results(*, complaint: Complaint) -> list[Result]:
    """The waves the letter cites with the applicant's result in each (newest first), for the reviewer to compare
    with the letter."""
    return list(
        Result.objects.filter(
            enrollment__user_id=complaint.user_id,
            run__status=RunStatus.SUCCEEDED,
            run__wave__in=complaint.waves.all(),
        )
        .select_related("run__wave")
        .order_by("-run__wave__number")
    )


@dataclass(frozen=True)
class ReviewParticulars:
    """What a reviewer compares with the letter: the name in full (recorded in the audit log by the admin), the
    NIK masked (its first and last four digits are enough to compare), the domicile's city, the email. Never the
    KTP photo, the address's street or the phone number (docs/SECURITY.md)."""

    full_name: str
    nik_masked: str
    city: str
    email: str


def complaint_particulars(*, complaint: Complaint) -> ReviewParticulars | None:
    from verification.identifiers import identifier_mask
    from verification.selectors import applicant_particulars

    particulars = applicant_particulars(user=complaint.user)
    if particulars is None:
        return None
    return ReviewParticulars(
        full_name=particulars.full_name,
        nik_masked=identifier_mask(particulars.nik),
        city=particulars.city,
        email=particulars.email,
    )
