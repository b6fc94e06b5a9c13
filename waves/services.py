"""Every write of the waves app: moving a wave through its states, and joining one."""

from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import applicant_lock
from audit.context import client_address
from audit.models import Action
from audit.services import audit_record, user_roles
from notifications.models import Channel
from notifications.services import message_enqueue
from prakerja.crypto import IdentifierKind, pii_digest
from prakerja.erasure import FilesToErase, admin_log_scrub
from prakerja.versioning import text_version_publish
from uploads import ProcessedDocument
from verification.models import IdentityVerification, PhoneNumber
from verification.selectors import domicile_province_id
from waves.actions import WaveAction, action_refusal, quota_refusal
from waves.errors import WaveError, WaveErrorCode
from waves.lottery import seed_commitment, seed_new
from waves.models import (
    AgreementText,
    Card,
    Complaint,
    ComplaintStatus,
    Enrollment,
    ProvinceQuota,
    Result,
    RunStatus,
    SeedCommitment,
    SelectionRun,
    StatementText,
    Wave,
    WaveEvent,
    WaveStatus,
)
from waves.rejections import CheckItem, RejectionReason
from waves.rules import adult_at_close, rule_failures
from waves.selectors import complaint_state
from waves.states import transition_allowed


@transaction.atomic
def wave_transition(
    *, wave: Wave, to: str, acting_user: User | None, now: datetime | None = None, note: str = ""
) -> Wave:
    """Move ``wave`` to ``to`` if the state machine allows it from its status at ``now``; record who did.

    Time-driven moves the wave has already made when read (an open wave past its closing time is closed)
    are recorded first, by the schedule, so the audit trail shows each step once.
    """
    now = now or timezone.now()
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    _record_time_moves(wave, now)
    if not transition_allowed(wave.status, to):
        raise WaveError(WaveErrorCode.TRANSITION_NOT_ALLOWED, current=wave.status, to=to)
    _move(wave, to, acting_user=acting_user, now=now, note=note)
    return wave


def _move(wave: Wave, to: str, *, acting_user: User | None, now: datetime, note: str = "") -> None:
    """Every move of every wave goes through here: the wave's own event, and the audit log's entry (no acting
    user for the schedule's moves and for a run that ended by itself)."""
    event = WaveEvent.objects.create(
        wave=wave, from_status=wave.status, to_status=to, actor=acting_user, note=note, at=now
    )
    audit_record(
        acting_user=acting_user,
        action=Action.WAVE_MOVE,
        target=wave,
        details={"from": wave.status, "to": to, "at": now, "event": event.pk},
    )
    wave.status = to
    wave.save(update_fields=["status"])
    if to == WaveStatus.OPEN:
        # Publishing drew the seed already; a wave published without one (before seeds were committed) gets
        # it now, the moment its opening is recorded, so no wave is selected from a seed nobody saw committed.
        seed_commitment_ensure(wave=wave, now=now)
    if to == WaveStatus.ANNOUNCED:
        # Results are out: the applicants of this wave may join the next one.
        Enrollment.objects.filter(wave=wave, pending=True).update(pending=False)


# The moves time makes by itself: from this status, to that one, at the wave's time of that name.
TIME_MOVES = {
    WaveStatus.DRAFT: (WaveStatus.OPEN, "opens_at"),
    WaveStatus.OPEN: (WaveStatus.CLOSED, "closes_at"),
    WaveStatus.SELECTED: (WaveStatus.ANNOUNCED, "announce_at"),
}


def _record_time_moves(wave: Wave, now: datetime) -> None:
    """Make permanent what time already did (a locked wave): the schedule acts, so no acting user."""
    while wave.status_at(now) != wave.status:
        step, time_field = TIME_MOVES[wave.status]
        _move(wave, step, acting_user=None, now=getattr(wave, time_field), note="jadwal")


@transaction.atomic
def wave_publish(*, wave: Wave, acting_user: User, now: datetime | None = None) -> Wave:
    """Publish a draft: from now on it opens by itself at ``opens_at``. The province quotas must add up."""
    now = now or timezone.now()
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != WaveStatus.DRAFT:
        raise WaveError(WaveErrorCode.TRANSITION_NOT_ALLOWED, current=wave.status, to=WaveStatus.OPEN)
    total = ProvinceQuota.objects.filter(wave=wave).aggregate(total=Sum("quota"))["total"] or 0
    if total != wave.quota:
        raise WaveError(WaveErrorCode.QUOTAS_DO_NOT_ADD_UP, total=total, quota=wave.quota, why=quota_refusal(wave))
    wave.published_at = now
    wave.save(update_fields=["published_at"])
    seed_commitment_ensure(wave=wave, now=now)
    WaveEvent.objects.create(
        wave=wave, from_status=wave.status, to_status=wave.status, actor=acting_user, note="dipublikasikan", at=now
    )
    audit_record(acting_user=acting_user, action=Action.WAVE_PUBLISH, target=wave)
    return wave


@transaction.atomic
def wave_open_now(*, wave: Wave, acting_user: User, now: datetime | None = None) -> Wave:
    """An operator opens a draft before its time (publishing it if needed): the opening time becomes now."""
    now = now or timezone.now()
    _refuse_unless_allowed(wave, WaveAction.OPEN, now)
    if Wave.objects.filter(pk=wave.pk, published_at__isnull=True).exists():
        wave_publish(wave=wave, acting_user=acting_user, now=now)
    return _move_now(wave, WaveStatus.DRAFT, acting_user=acting_user, now=now, note="dibuka operator")


@transaction.atomic
def wave_close_now(*, wave: Wave, acting_user: User, now: datetime | None = None) -> Wave:
    """An operator closes an open wave before its time: the closing time becomes now."""
    now = now or timezone.now()
    _refuse_unless_allowed(wave, WaveAction.CLOSE, now)
    return _move_now(wave, WaveStatus.OPEN, acting_user=acting_user, now=now, note="ditutup operator")


def _refuse_unless_allowed(wave: Wave, action: WaveAction, now: datetime) -> Wave:
    """Lock the wave and refuse ``action`` with the sentence the pages show (waves.actions), if it is refused."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    refusal = action_refusal(wave=locked, action=action, now=now)
    if refusal is not None:
        raise WaveError(WaveErrorCode.TRANSITION_NOT_ALLOWED, current=locked.status_at(now), why=refusal)
    return locked


def _move_now(wave: Wave, source: str, *, acting_user: User, now: datetime, note: str) -> Wave:
    """Make the move time would make from ``source`` (TIME_MOVES) now: its time becomes now, the operator acts."""
    to, time_field = TIME_MOVES[source]
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if not (source == WaveStatus.DRAFT and locked.status == WaveStatus.DRAFT):
        # A draft the operator has just published with its opening time past would otherwise be "opened by the
        # schedule" at a time before it was published; the opening is the operator's, now.
        _record_time_moves(locked, now)
    if locked.status != source:
        raise WaveError(WaveErrorCode.TRANSITION_NOT_ALLOWED, current=locked.status, to=to)
    setattr(locked, time_field, now)
    locked.save(update_fields=[time_field])
    _move(locked, to, acting_user=acting_user, now=now, note=note)
    return locked


def seed_commitment_ensure(*, wave: Wave, now: datetime | None = None) -> SeedCommitment:
    """The wave's current seed commitment, drawn now if it has none (waves/lottery.py, docs/LOTTERY.md).

    The seed is 32 bytes from the operating system's cryptographic generator; it is stored encrypted and shown
    nowhere until the announcement, while its SHA-256 is public on /transparansi/ from this moment. Called when
    a wave is published, which is before it opens (a published draft opens by itself at its time)."""
    current = SeedCommitment.objects.filter(wave=wave, voided_at__isnull=True).first()
    if current is not None:
        return current
    return _seed_commit(wave, now or timezone.now())


def _seed_commit(wave: Wave, now: datetime) -> SeedCommitment:
    seed = seed_new()
    return SeedCommitment.objects.create(wave=wave, seed=seed, commitment=seed_commitment(seed), committed_at=now)


def _seed_recommit(wave: Wave, *, acting_user: User, now: datetime) -> SeedCommitment:
    """After a void: the seed that run used is retired (when, and by whom in the sense of their role, shown to
    the public; the operator's name is not) and a new one is drawn and committed, for the next run."""
    SeedCommitment.objects.filter(wave=wave, voided_at__isnull=True).update(
        voided_at=now, voided_by_role=user_roles(acting_user)
    )
    return _seed_commit(wave, now)


def _earlier_announcement_record(*, user: User, now: datetime) -> None:
    """If the wave the applicant is waiting on has been announced by time but the schedule has not recorded
    it yet, record it now, so a late job never blocks joining the next wave."""
    pending = Enrollment.objects.filter(user=user, pending=True).values_list("wave_id", flat=True).first()
    if pending is None:
        return
    with transaction.atomic():
        _record_time_moves(Wave.objects.select_for_update().get(pk=pending), now)


@transaction.atomic
def selection_void(*, run: SelectionRun, acting_user: User, now: datetime | None = None, note: str = "") -> None:
    """Void a run before its announcement (a new seed needs this first): its results and cards are discarded
    (on PostgreSQL its partition is dropped: instant at any size), its unsent announcement messages cancelled,
    the wave closed again, and who did it recorded. The seed's commitment is retired and a new seed drawn and
    committed, publicly (docs/LOTTERY.md): the next run cannot reuse a seed staff may have seen the outcome of."""
    from notifications.services import messages_cancel
    from waves.selection import announcement_key_prefix, results_discard

    now = now or timezone.now()
    wave = Wave.objects.select_for_update().get(pk=run.wave_id)
    _record_time_moves(wave, now)
    run = SelectionRun.objects.select_for_update().get(pk=run.pk)
    refusal = action_refusal(wave=wave, action=WaveAction.VOID, now=now, run=run)
    if refusal is None and run.status != RunStatus.SUCCEEDED:
        refusal = gettext("Proses seleksi ini tidak berhasil, jadi tidak punya hasil untuk dibatalkan.")
    if refusal is not None:
        raise WaveError(WaveErrorCode.TRANSITION_NOT_ALLOWED, current=wave.status, to=WaveStatus.CLOSED, why=refusal)
    messages_cancel(key_prefix=announcement_key_prefix(run))
    results_discard(run)
    # An account deleted while these results stood kept its enrollment as part of them (waves_erase_for); with
    # them gone it is withdrawn, as it would have been before the selection. Only an erased account's
    # enrollment has no identity behind it (joining needs one), and the next run could not rank it.
    Enrollment.objects.filter(wave=wave, pending=True, user__identity__isnull=True).delete()
    run.status = RunStatus.VOIDED
    run.save(update_fields=["status"])
    audit_record(acting_user=acting_user, action=Action.SELECTION_VOID, target=run, details={"wave": wave.pk})
    _seed_recommit(wave, acting_user=acting_user, now=now)
    _move(wave, WaveStatus.CLOSED, acting_user=acting_user, now=now, note=note or f"run {run.pk} dibatalkan")


def waves_record_schedule(*, now: datetime | None = None) -> int:
    """Make permanent every move time has made (beat runs this every minute); returns how many waves moved."""
    now = now or timezone.now()
    moved = 0
    for wave in Wave.objects.exclude(status=WaveStatus.ANNOUNCED).only("pk"):
        with transaction.atomic():
            locked = Wave.objects.select_for_update().get(pk=wave.pk)
            before = locked.status
            _record_time_moves(locked, now)
            moved += locked.status != before
    return moved


INTERRUPTED_ERROR = "Terputus: proses seleksi berhenti sebelum selesai (dihentikan, worker hilang, atau koneksi putus)."


@transaction.atomic
def selection_interrupted_record(
    *, run: SelectionRun, status: str = RunStatus.INTERRUPTED, error: str = "", note: str = ""
) -> None:
    """Record that ``run`` ended without results (``status`` failed or interrupted) and close its wave again.

    Nothing of the run was written (its work is one transaction), so the wave simply returns to "closed" and
    a new run may start. The caller holds the wave's selection lock, or is the run's own process."""
    locked = SelectionRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.RUNNING:
        return  # already recorded
    locked.status = status
    locked.finished_at = timezone.now()
    locked.error = error or INTERRUPTED_ERROR
    locked.save(update_fields=["status", "finished_at", "error"])
    # Recorded by the run's own process or by recovery, not by a person: no acting user.
    audit_record(
        acting_user=None,
        action=Action.SELECTION_END,
        target=run,
        details={"wave": run.wave_id, "status": status},
    )
    wave = Wave.objects.select_for_update().get(pk=run.wave_id)
    if wave.status == WaveStatus.SELECTING:
        word = "gagal" if status == RunStatus.FAILED else "terputus"
        _move(
            wave,
            WaveStatus.CLOSED,
            acting_user=None,
            now=locked.finished_at,
            note=f"run {run.pk} {word}" + (f": {note}" if note else ""),
        )


def selections_recover(*, wave: Wave | None = None) -> list[int]:
    """Find runs (of ``wave``, or of every wave) whose process died (still "running", their wave's selection
    lock free) and record them as interrupted, closing their waves again; returns their ids. Beat runs it every
    minute, and every way of starting a selection runs it first, so a killed run never leaves a wave stuck."""
    from waves.selection.dialect import dialect

    running = SelectionRun.objects.filter(status=RunStatus.RUNNING)
    if wave is not None:
        running = running.filter(wave=wave)
    recovered = []
    for run in running.only("pk", "wave_id"):
        lock = dialect().lock(run.wave_id)
        if not lock.acquire():
            continue  # its process is alive and working
        try:
            selection_interrupted_record(run=run, note="prosesnya tidak lagi berjalan")
            recovered.append(run.pk)
        finally:
            lock.release()
    return recovered


@transaction.atomic
def selection_queue(*, wave: Wave, acting_user: User | None, now: datetime | None = None) -> bool:
    """Queue the selection of a wave closed by ``now`` on the selection queue (after commit); returns whether it
    was queued. Refused (False) while a run is in flight or once one has succeeded. The wave row is locked, so
    two callers at once queue it once."""
    from waves.tasks import selection_run_task  # tasks import this module

    now = now or timezone.now()
    selections_recover(wave=wave)  # a run whose process died must not keep the wave from being selected
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if action_refusal(wave=locked, action=WaveAction.SELECT, now=now) is not None:
        return False
    locked.selection_queued_at = now
    locked.save(update_fields=["selection_queued_at"])
    audit_record(acting_user=acting_user, action=Action.SELECTION_QUEUE, target=locked)
    acting_user_id = acting_user.pk if acting_user else None
    # The worker records the run's start and end as this operator's, from the address they queued it from.
    address = client_address()
    transaction.on_commit(lambda: selection_run_task.delay(locked.pk, acting_user_id, client_address=address))
    return True


def selections_schedule(*, now: datetime | None = None) -> list[int]:
    """Queue the selection of every wave that selects itself (DESIGN §4: "or on schedule"): closed by time, its
    policy ``select_automatically``, never run and not already queued. A wave whose run failed or was voided is
    left to an operator, who sees why in the run's record. Beat runs this every minute; returns the waves queued.
    """
    now = now or timezone.now()
    selections_recover()
    # The stored status may still be draft or open: time closed the wave (Wave.status_at), beat records it.
    due = Wave.objects.filter(
        select_automatically=True,
        closes_at__lte=now,
        selection_queued_at__isnull=True,
        status__in=[WaveStatus.DRAFT, WaveStatus.OPEN, WaveStatus.CLOSED],
    ).exclude(Exists(SelectionRun.objects.filter(wave=OuterRef("pk"))))
    queued = []
    for wave in due.only("pk"):
        with transaction.atomic():
            # Checked again under the lock: another tick or an operator may have queued it meanwhile.
            locked = Wave.objects.select_for_update().get(pk=wave.pk)
            if locked.selection_queued_at or SelectionRun.objects.filter(wave=locked).exists():
                continue
            if selection_queue(wave=locked, acting_user=None, now=now):
                queued.append(locked.pk)
    return queued


def enrollment_join(*, user: User, wave: Wave, agreement: AgreementText, now: datetime | None = None) -> Enrollment:
    """Join ``wave`` having accepted ``agreement`` ("Saya Menyetujui").

    The journey's guard has checked that every earlier step is done; here the wave's own rules are applied:
    it is open now, it has a quota for the applicant's domicile province, the applicant has no other wave
    pending, and every eligibility rule (waves/rules.py) lets them through. The two database constraints on
    Enrollment settle double submits and concurrent joins.
    """
    now = now or timezone.now()
    if wave.status_at(now) != WaveStatus.OPEN:
        raise WaveError(WaveErrorCode.WAVE_NOT_OPEN)
    _earlier_announcement_record(user=user, now=now)
    if not agreement.is_current:
        raise WaveError(WaveErrorCode.AGREEMENT_OUTDATED)
    province_id = domicile_province_id(user=user)
    if province_id is None:
        raise WaveError(WaveErrorCode.JOURNEY_INCOMPLETE)
    if not ProvinceQuota.objects.filter(wave=wave, province_id=province_id, quota__gt=0).exists():
        raise WaveError(WaveErrorCode.NOT_FOR_YOUR_PROVINCE)
    # Outside the join's transaction: a relinked card stays relinked when the join is refused (by the KK cap).
    cards_relink(user=user)
    with transaction.atomic():
        # The rules read the declaration and the phone number, which the applicant may still change until this
        # join is stored: the change waits for the lock, or this waits for the change and reads it.
        applicant_lock(user=user)
        failures = rule_failures(user_id=user.pk, wave=wave)
        if failures:
            raise WaveError(WaveErrorCode.NOT_ELIGIBLE, rules=tuple(rule.code for rule in failures))
        try:
            with transaction.atomic():
                return Enrollment.objects.create(
                    wave=wave,
                    user=user,
                    province_id=province_id,
                    agreement=agreement,
                    joined_at=now,
                    # The age rule let them through for this close (rule_failures); the selection recounts it if
                    # the close moves.
                    adult_at_close=True,
                    adult_counted_for=wave.closes_at,
                )
        except IntegrityError:
            if Enrollment.objects.filter(wave=wave, user=user).exists():
                raise WaveError(WaveErrorCode.ALREADY_JOINED) from None
            raise WaveError(WaveErrorCode.ALREADY_PENDING) from None


def cards_relink(*, user: User) -> int:
    """Give the cards of the applicant's KK whose holders deleted their accounts back their KK index under the
    current key, before the KK cap is applied to the applicant.

    Such a card keeps its holder's KK index, but ``pii_reindex`` cannot recompute it (the KK is gone with the
    account): it moves it along while a relative's account holds the KK, and otherwise empties it. The card's
    seal of the KK (prakerja/crypto.py, "Seals"), matched here with the applicant's KK in hand, finds it again.
    Every joiner passes here, so every candidate of a selection has their family's cards counted. Returns how
    many cards were relinked (almost always none)."""
    identity = IdentityVerification.objects.filter(user=user).only("kk_encrypted").first()
    if identity is None:
        return 0
    field = Card._meta.get_field("kk_seal")
    digest = pii_digest(identity.kk, kind=IdentifierKind.KK)
    return Card.objects.filter(field.matching(identity.kk)).exclude(kk_digest=digest).update(kk_digest=digest)


def enrollment_ages_count(*, wave: Wave, batch_size: int = 1000) -> int:
    """Count, for every enrollment of ``wave`` not yet counted for its present close, whether the applicant is 18
    by then (``Enrollment.adult_at_close``); returns how many rows were counted.

    The selection's age rule reads that fact, since the birth date is encrypted and cannot be compared in SQL. A
    join counts it for the close the wave had then; a wave closed early (``wave_close_now``), or rows written
    without it, are counted here, by the selection, before its rules are read: decrypting the birth dates in
    batches, the adults and the others each written with one UPDATE per batch. Usually no row is due, and this
    is one read of the wave's enrollments."""
    due = Enrollment.objects.filter(wave=wave).exclude(adult_counted_for=wave.closes_at)
    counted = 0
    while True:
        batch = list(due.order_by("pk").values_list("pk", "user__identity__birth_date")[:batch_size])
        adults = [pk for pk, born in batch if adult_at_close(born, wave.closes_at)]
        others = [pk for pk, born in batch if not adult_at_close(born, wave.closes_at)]
        for pks, adult in ((adults, True), (others, False)):
            if pks:
                Enrollment.objects.filter(pk__in=pks).update(adult_at_close=adult, adult_counted_for=wave.closes_at)
        counted += len(batch)
        if len(batch) < batch_size:
            return counted


@transaction.atomic
def agreement_text_publish(
    *, title: str, clauses: str, acting_user: User | None = None, now: datetime | None = None
) -> AgreementText:
    """Publish a new Persetujuan; it is the one applicants accept from now on (enrollments keep theirs)."""
    text = text_version_publish(AgreementText, acting_user=acting_user, now=now, title=title, clauses=clauses)
    audit_record(acting_user=acting_user, action=Action.TEXT_PUBLISH, target=text, details={"version": text.version})
    return text


@transaction.atomic
def statement_text_publish(
    *, title: str, opening: str, body: str, acting_user: User | None = None, now: datetime | None = None
) -> StatementText:
    """Publish a new "gagal 3 kali" statement text; letters are printed from it from now on (complaints keep
    the version they were filed with)."""
    text = text_version_publish(
        StatementText, acting_user=acting_user, now=now, title=title, opening=opening, body=body
    )
    audit_record(acting_user=acting_user, action=Action.TEXT_PUBLISH, target=text, details={"version": text.version})
    return text


# --- "Gagal 3 kali" (DESIGN §5) ---------------------------------------------------------------------------


def complaint_submit(
    *, user: User, letter: ProcessedDocument, text: StatementText, now: datetime | None = None
) -> Complaint:
    """File a "gagal 3 kali" complaint with the signed statement ``letter``, printed from ``text``.

    Allowed after three failed selections, with no complaint pending or approved, and after a rejection only
    once a further selection has failed. The letter has been through the portal's one set of upload checks
    (``uploads.document_process``) and is kept in private storage; the partial unique constraint
    on open complaints settles a double submit. The applicant gets an email that it arrived.
    """
    now = now or timezone.now()
    state = complaint_state(user=user, now=now)
    if state.refusal is not None:
        raise WaveError(state.refusal)
    complaint = Complaint(
        user=user,
        text=text,
        failed_selections=len(state.failed),
        letter_kind=letter.kind,
        letter_bytes=len(letter.content),
        submitted_at=now,
    )
    # The file is written before the row; if the row cannot be written, the file goes.
    complaint.letter.save("surat", ContentFile(letter.content), save=False)
    try:
        with transaction.atomic():
            complaint.save()
            complaint.waves.set(state.waves_to_cite)
            message_enqueue(
                channel=Channel.EMAIL,
                recipient=user.email,
                template="waves/complaint_received",
                context={"complaint": complaint, "complaint_url": _complaint_url()},
                idempotency_key=f"complaint:{complaint.pk}:received",
                user=user,
            )
    except IntegrityError:
        complaint.letter.delete(save=False)
        raise WaveError(WaveErrorCode.COMPLAINT_OPEN) from None
    except BaseException:
        complaint.letter.delete(save=False)
        raise
    return complaint


def complaint_decide(
    *,
    complaint: Complaint,
    acting_user: User,
    approve: bool,
    rejection: str | None = None,
    reason: str = "",
    checklist: dict[str, bool] | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Approve or reject a pending complaint, recording ``acting_user`` as its reviewer, the time, the reviewer's
    checks of the letter (``checklist``, waves.rejections.CheckItem) and their note (``reason``); the applicant is
    told by email and SMS (in Indonesian, whatever language the reviewer's admin is in). A rejection has a reason
    from the list (``rejection``, waves.rejections.RejectionReason; "lainnya" when none is given), and "lainnya"
    needs the reviewer's words. An approval puts the applicant in the priority tier of every selection until they
    are selected; a rejection for a fixable reason lets them upload a corrected letter at once."""
    if not acting_user.has_perm("waves.review_complaint"):
        raise WaveError(WaveErrorCode.NOT_A_REVIEWER)
    reason = reason.strip()
    code = ""
    if not approve:
        code = RejectionReason(rejection or RejectionReason.OTHER)
        if code == RejectionReason.OTHER and not reason:
            raise WaveError(WaveErrorCode.REJECTION_NEEDS_REASON)
    checks = {item.value: bool(checklist.get(item.value)) for item in CheckItem} if checklist is not None else {}
    now = now or timezone.now()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status != ComplaintStatus.PENDING:
            raise WaveError(WaveErrorCode.COMPLAINT_DECIDED)
        locked.status = ComplaintStatus.APPROVED if approve else ComplaintStatus.REJECTED
        locked.reviewer = acting_user
        locked.decided_at = now
        locked.rejection_reason = code
        locked.decision_reason = reason
        locked.checklist = checks
        locked.save(
            update_fields=["status", "reviewer", "decided_at", "rejection_reason", "decision_reason", "checklist"]
        )
        # The reviewer's note stays on the complaint: written to the applicant, it may name them. The reason's code
        # names nobody.
        details = {"decision": locked.status}
        if code:
            details["reason"] = str(code)
        audit_record(acting_user=acting_user, action=Action.COMPLAINT_DECIDE, target=locked, details=details)
        _decision_notify(locked)
    return locked


def _decision_notify(complaint: Complaint) -> None:
    template = (
        "waves/complaint_approved" if complaint.status == ComplaintStatus.APPROVED else "waves/complaint_rejected"
    )
    context = {"complaint": complaint, "complaint_url": _complaint_url()}
    key = f"complaint:{complaint.pk}:decision"
    phone = PhoneNumber.objects.filter(user_id=complaint.user_id).values_list("number", flat=True).first()
    with translation.override(settings.LANGUAGE_CODE):
        message_enqueue(
            channel=Channel.EMAIL,
            recipient=complaint.user.email,
            template=template,
            context=context,
            idempotency_key=f"{key}:email",
            user=complaint.user,
        )
        if phone:
            message_enqueue(
                channel=Channel.SMS,
                recipient=phone,
                template=template + "_sms",
                context=context,
                idempotency_key=f"{key}:sms",
                user=complaint.user,
            )


def _complaint_url() -> str:
    return settings.SITE_URL + reverse("waves:complaint")


# --- Erasure (journey.services.account_delete, docs/PRIVACY.md) ------------------------------------------------


def waves_erase_for(*, user: User, now: datetime | None = None) -> FilesToErase:
    """The waves app's part of deleting ``user``'s account; returns the letters' files for the caller to delete
    at the end of its transaction.

    - A pending enrollment in a wave not yet selected (open, or closed and waiting) is withdrawn: the applicant
      no longer competes. One whose wave is being selected right now refuses the deletion (SELECTION_RUNNING,
      for the minutes a run takes): the run is reading it. One in a selected or announced wave stays, as do all
      enrollments with results: they are the program's record of that selection (wave, province, the lottery
      number, the outcome and its reason), which must add up to the published counts.
    - "Gagal 3 kali" complaints and their signed letters (which print the name, NIK and address) are deleted.
    - Results keep no KK index: it served the run that wrote it. Cards keep theirs (a keyed HMAC of the KK
      number, not the number): the rule "at most two recipients per Kartu Keluarga, ever" counts cards by it,
      and without it the family of a recipient who deleted their account could be given a third card.
    """
    now = now or timezone.now()
    pending = Enrollment.objects.filter(user=user, pending=True).first()
    if pending is not None:
        wave = Wave.objects.select_for_update().get(pk=pending.wave_id)
        _record_time_moves(wave, now)
        if wave.status == WaveStatus.SELECTING:
            raise WaveError(WaveErrorCode.SELECTION_RUNNING)
        if wave.status in (WaveStatus.DRAFT, WaveStatus.OPEN, WaveStatus.CLOSED):
            admin_log_scrub(model=Enrollment, pks=[pending.pk])
            pending.delete()
    files = FilesToErase()
    complaints = Complaint.objects.filter(user=user)
    for complaint in complaints:
        files.add(complaint.letter)
    admin_log_scrub(model=Complaint, pks=complaints.values_list("pk", flat=True))
    complaints.delete()
    # Cards stay with their KK index; their seal lets the index be found again after a key rotation (cards_relink).
    identity = IdentityVerification.objects.filter(user=user).only("kk_encrypted").first()
    if identity is not None:
        Card.objects.filter(user=user).update(**Card._meta.get_field("kk_seal").sealed(identity.kk))
    # Through the enrollments (indexed by user, and results by enrollment): results have no index on the user.
    mine = Enrollment.objects.filter(user=user).values("pk")
    Result.objects.filter(enrollment_id__in=mine).exclude(kk_digest="").update(kk_digest="")
    return files
