"""Selection of a closed wave (DESIGN §4), set-based: a handful of SQL statements whatever the wave's size.

1. One INSERT … SELECT writes a result row for every enrollment, with the first rule it fails (the same
   expressions as the join-time check, waves/rules.py), its KK's remaining room, its priority tier and its
   lottery number (waves/lottery.py).
2. Province passes: in each province the best-ranked eligible rows up to the quota are selected (one
   window-function UPDATE); then, in each Kartu Keluarga, selected rows beyond the KK's room are set aside
   with reason "kk_cap" (another window UPDATE). Set-aside rows free their places, so the passes repeat
   until no KK is over its room. A selected row is never deselected by a later pass (removing rows only
   moves the others up), so a row is capped only when its KK is really full: nobody is left out by the cap
   while their KK has room.
3. If the wave pools unused quota, the best-ranked remaining rows nationwide fill the places provinces
   could not use, with the same KK check (pool picks yield to rows selected in their province).
4. Every eligible row not selected gets reason "quota".
Everything happens in one transaction: a run that fails leaves no result behind.
"""

import logging
import secrets
import time
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.db.models import Count, F, Value
from django.utils import timezone

from accounts.models import User
from notifications.models import Channel, Message, Status
from notifications.services import message_render
from verification.models import PhoneNumber
from waves.cards import card_number_sql
from waves.lottery import lottery_expression
from waves.models import Card, Enrollment, ProvinceQuota, Result, RunStatus, SelectionRun, Wave, WaveStatus
from waves.rules import first_failure, kk_room, priority_tier
from waves.services import wave_transition

logger = logging.getLogger(__name__)

QUOTA = "quota"
KK_CAP = "kk_cap"
# Safety bound on the passes; each pass sets aside at least one row, and real data converges in a few.
MAX_PASSES = 1000


class SelectionFailed(Exception):
    pass


def selection_run(*, wave: Wave, operator: User | None, seed: int | None = None, now: datetime | None = None) -> SelectionRun:
    """Select ``wave``; returns the run. A wave already selected or announced is left as it is (the standing
    run is returned), so running twice changes nothing."""
    now = now or timezone.now()
    standing = SelectionRun.objects.filter(wave=wave, status=RunStatus.SUCCEEDED).first()
    if standing is not None:
        return standing
    seed = seed if seed is not None else secrets.randbits(62)
    wave_transition(wave=wave, to=WaveStatus.SELECTING, actor=operator, now=now, note=f"seleksi, benih {seed}")
    run = SelectionRun.objects.create(wave=wave, seed=seed, operator=operator, started_at=now)
    try:
        with transaction.atomic():
            phases, counts = _select(run, wave)
            SelectionRun.objects.filter(pk=run.pk).update(
                status=RunStatus.SUCCEEDED, finished_at=timezone.now(), phases=phases, counts=counts
            )
            wave_transition(wave=wave, to=WaveStatus.SELECTED, actor=operator, note=f"run {run.pk}")
    except Exception as error:
        logger.exception("selection of wave %s failed (run %s)", wave.number, run.pk)
        SelectionRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:2000]
        )
        wave_transition(wave=wave, to=WaveStatus.CLOSED, actor=operator, note=f"run {run.pk} gagal")
        raise SelectionFailed(str(error)) from error
    run.refresh_from_db()
    return run


def _select(run: SelectionRun, wave: Wave) -> tuple[list[dict], dict]:
    phases: list[dict] = []

    def phase(name: str, work) -> None:
        started = time.perf_counter()
        work()
        phases.append({"name": name, "seconds": round(time.perf_counter() - started, 3)})

    phase("rules_and_lottery", lambda: _results_insert(run, wave))
    phase("province_quotas", lambda: _fill(run, wave, pool=False))
    if wave.pool_unused_quota:
        phase("national_pool", lambda: _fill(run, wave, pool=True))
    phase("not_selected", lambda: Result.objects.filter(run=run, reason__isnull=True, selected=False).update(reason=QUOTA))
    phase("cards", lambda: _cards_issue(run, wave))
    phase("announcement_messages", lambda: _announcement_enqueue(run, wave))
    return phases, _counts(run)


def _cards_issue(run: SelectionRun, wave: Wave) -> None:
    """A card for every selected row, numbered in SQL (waves/cards.py), dated from the announcement."""
    cards, results = Card._meta.db_table, Result._meta.db_table
    deadline = wave.announce_at + timedelta(days=settings.FIRST_TRAINING_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {cards} (result_id, user_id, wave_id, number, kk_digest, balance, issued_at,
                                     first_training_deadline)
                SELECT r.id, r.user_id, %s, {card_number_sql(str(int(wave.number)), "r.id")}, r.kk_digest, %s, %s, %s
                FROM {results} r WHERE r.run_id = %s AND r.selected""",
            [wave.pk, settings.CARD_BALANCE, wave.announce_at, deadline, run.pk],
        )


ANNOUNCEMENTS = (
    # (channel, template, who): selected applicants get an SMS and an email, the others an email.
    (Channel.EMAIL, "waves/result_selected", True),
    (Channel.SMS, "waves/result_selected", True),
    (Channel.EMAIL, "waves/result_not_selected", False),
)


def _announcement_enqueue(run: SelectionRun, wave: Wave) -> None:
    """The announcement's messages, written now with "not before announce_at", in one INSERT per kind.

    The text names no personal data (the card number is on the dashboard), so each kind is rendered once and
    written for all its recipients; the sweep sends them in bulk once the announcement time has come.
    """
    messages, results = Message._meta.db_table, Result._meta.db_table
    users, phones = User._meta.db_table, PhoneNumber._meta.db_table
    context = {"wave": wave, "dashboard_url": settings.SITE_URL + reverse("journey:dashboard")}
    now = timezone.now()
    for channel, template, selected in ANNOUNCEMENTS:
        rendered = message_render(channel=channel, template=template, context=context)
        recipient = "u.email" if channel == Channel.EMAIL else "p.number"
        phone_join = f"JOIN {phones} p ON p.user_id = r.user_id" if channel == Channel.SMS else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {messages} (channel, recipient, template, subject, body, html_body, sensitive,
                        idempotency_key, user_id, not_before, status, attempts, next_attempt_at, last_error, created_at)
                    SELECT %s, {recipient}, %s, %s, %s, %s, %s,
                           'result:' || r.run_id || ':' || r.user_id || ':' || %s, r.user_id, %s, %s, 0, %s, '', %s
                    FROM {results} r JOIN {users} u ON u.id = r.user_id {phone_join}
                    WHERE r.run_id = %s AND r.selected = %s""",
                [channel.value, template, rendered.subject, rendered.body, rendered.html_body, False,
                 channel.value, wave.announce_at, Status.PENDING, wave.announce_at, now, run.pk, selected],
            )


def _results_insert(run: SelectionRun, wave: Wave) -> None:
    rows = (
        Enrollment.objects.filter(wave=wave)
        .annotate(
            r_run=Value(run.pk),
            r_kk=F("user__identity__kk_digest"),
            r_room=kk_room("user__"),
            r_priority=priority_tier("user__"),
            r_lottery=lottery_expression(run.seed),
            r_reason=first_failure(wave, "user__"),
            r_selected=Value(False),
            r_pool=Value(False),
        )
        .values_list("r_run", "pk", "user_id", "province_id", "r_kk", "r_room", "r_priority", "r_lottery",
                     "r_reason", "r_selected", "r_pool")
    )
    sql, params = rows.query.sql_with_params()
    table = Result._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (run_id, enrollment_id, user_id, province_id, kk_digest, kk_room, priority, "
            f"lottery, reason, selected, from_pool) {sql}",
            params,
        )


def _fill(run: SelectionRun, wave: Wave, *, pool: bool) -> None:
    for _pass in range(MAX_PASSES):
        _select_pass(run, wave, pool=pool)
        if not _cap_pass(run):
            return
    raise SelectionFailed("the KK cap did not converge")


def _select_pass(run: SelectionRun, wave: Wave, *, pool: bool) -> None:
    results = Result._meta.db_table
    quotas = ProvinceQuota._meta.db_table
    order = "r.priority DESC, r.lottery, r.id"
    with connection.cursor() as cursor:
        if not pool:
            # The best-ranked open rows of each province, up to its quota.
            cursor.execute(
                f"""UPDATE {results} SET selected = TRUE WHERE id IN (
                    SELECT id FROM (
                        SELECT r.id, ROW_NUMBER() OVER (PARTITION BY r.province_id ORDER BY {order}) AS place,
                               q.quota - COALESCE(t.n, 0) AS free
                        FROM {results} r
                        JOIN {quotas} q ON q.wave_id = %s AND q.province_id = r.province_id
                        LEFT JOIN (
                            SELECT province_id, COUNT(*) AS n FROM {results}
                            WHERE run_id = %s AND selected GROUP BY province_id
                        ) t ON t.province_id = r.province_id
                        WHERE r.run_id = %s AND r.reason IS NULL AND NOT r.selected
                    ) ranked WHERE place <= free)""",
                [wave.pk, run.pk, run.pk],
            )
            return
        # The national pool: places the provinces left empty, to the best-ranked open rows anywhere.
        cursor.execute(
            f"""SELECT COALESCE(SUM(CASE WHEN q.quota > COALESCE(s.n, 0) THEN q.quota - COALESCE(s.n, 0) ELSE 0 END), 0)
                FROM {quotas} q LEFT JOIN (
                    SELECT province_id, COUNT(*) AS n FROM {results}
                    WHERE run_id = %s AND selected AND NOT from_pool GROUP BY province_id
                ) s ON s.province_id = q.province_id
                WHERE q.wave_id = %s""",
            [run.pk, wave.pk],
        )
        unused = cursor.fetchone()[0]
        taken = Result.objects.filter(run=run, selected=True, from_pool=True).count()
        cursor.execute(
            f"""UPDATE {results} SET selected = TRUE, from_pool = TRUE WHERE id IN (
                SELECT id FROM (
                    SELECT r.id, ROW_NUMBER() OVER (ORDER BY {order}) AS place
                    FROM {results} r WHERE r.run_id = %s AND r.reason IS NULL AND NOT r.selected
                ) ranked WHERE place <= %s)""",
            [run.pk, max(unused - taken, 0)],
        )


def _cap_pass(run: SelectionRun) -> int:
    """Set aside selected rows beyond their KK's room; returns how many. Rows selected in their province
    rank before pool picks, so a pool pick never displaces a province selection."""
    results = Result._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {results} SET selected = FALSE, from_pool = FALSE, reason = %s WHERE id IN (
                SELECT id FROM (
                    SELECT r.id, r.kk_room,
                           ROW_NUMBER() OVER (PARTITION BY r.kk_digest
                                              ORDER BY r.from_pool, r.priority DESC, r.lottery, r.id) AS place
                    FROM {results} r WHERE r.run_id = %s AND r.selected
                ) ranked WHERE place > kk_room)""",
            [KK_CAP, run.pk],
        )
        return cursor.rowcount


def _counts(run: SelectionRun) -> dict:
    per_province: dict[str, dict[str, int]] = {}
    rows = Result.objects.filter(run=run).values("province_id", "selected").annotate(n=Count("pk"))
    for province, selected, n in rows.values_list("province_id", "selected", "n"):
        entry = per_province.setdefault(province, {"enrollments": 0, "selected": 0})
        entry["enrollments"] += n
        if selected:
            entry["selected"] += n
    reasons = Counter(
        dict(Result.objects.filter(run=run, reason__isnull=False).values("reason").annotate(n=Count("pk")).values_list("reason", "n"))
    )
    return {
        "enrollments": sum(entry["enrollments"] for entry in per_province.values()),
        "selected": sum(entry["selected"] for entry in per_province.values()),
        "from_pool": Result.objects.filter(run=run, from_pool=True).count(),
        "provinces": per_province,
        "reasons": dict(reasons),
    }
