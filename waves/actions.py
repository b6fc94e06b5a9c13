"""The operator's far-reaching actions on a wave — open now, close now, run the selection, void its results — and,
for each, whether the wave's state allows it now and, if not, why, in words an operator reads.

One place decides: the services (``wave_open_now``, ``wave_close_now``, ``selection_queue``, ``selection_void``)
ask ``action_refusal`` under the wave's lock and refuse with its sentence, and the admin's buttons, confirmation
pages and the operator console ask ``available_actions`` (the same function), so a page never offers what the
service would refuse, and a refusal always says the same thing as the page.

Whether results exist (``Wave.has_results``) locks the wave's quotas and times and forbids deleting it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prakerja.timeutil import wib_moment
from waves.models import ProvinceQuota, RunStatus, SelectionRun, Wave, WaveStatus


class WaveAction(StrEnum):
    """The value is the last part of the action's admin URL (``/admin/waves/wave/<id>/<value>/``)."""

    OPEN = "buka"
    CLOSE = "tutup"
    SELECT = "seleksi"
    VOID = "batalkan-seleksi"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])

    @property
    def permission(self) -> str:
        """The named permission (on the operator's group, accounts/roles.py) the action needs."""
        return ACTION_PERMISSIONS[self]

    @property
    def url_name(self) -> str:
        """Its confirmation page, for ``reverse(url_name, args=[wave.pk])``."""
        return f"admin:waves_wave_{self.name.lower()}"


ACTION_LABELS = {
    WaveAction.OPEN: _("Buka sekarang"),
    WaveAction.CLOSE: _("Tutup sekarang"),
    WaveAction.SELECT: _("Jalankan seleksi"),
    WaveAction.VOID: _("Batalkan hasil seleksi"),
}

ACTION_PERMISSIONS = {
    WaveAction.OPEN: "waves.open_wave",
    WaveAction.CLOSE: "waves.close_wave",
    WaveAction.SELECT: "waves.run_selection",
    WaveAction.VOID: "waves.void_selectionrun",
}


def standing_run(wave: Wave) -> SelectionRun | None:
    """The wave's running or succeeded run (at most one, a database constraint)."""
    return (
        SelectionRun.objects.filter(wave=wave, status__in=[RunStatus.RUNNING, RunStatus.SUCCEEDED])
        .order_by("-pk")
        .first()
    )


def quota_refusal(wave: Wave) -> str | None:
    """Why a draft cannot be published or opened: its province quotas do not add up to the national quota."""
    total = ProvinceQuota.objects.filter(wave=wave).aggregate(total=Sum("quota"))["total"] or 0
    if total == wave.quota:
        return None
    from prakerja.formats import thousands

    return gettext(
        "Jumlah kuota provinsi (%(total)s) belum sama dengan kuota nasional (%(quota)s); perbaiki kuotanya dulu."
    ) % {"total": thousands(total), "quota": thousands(wave.quota)}


def action_refusal(*, wave: Wave, action: WaveAction, now: datetime, run: SelectionRun | None = None) -> str | None:
    """Why ``action`` may not be done on ``wave`` at ``now`` (a sentence), or None when it may.

    ``run`` is the wave's standing run if the caller has it (locked); else it is read."""
    status = wave.status_at(now)
    closes, opens, announce = wib_moment(wave.closes_at), wib_moment(wave.opens_at), wib_moment(wave.announce_at)
    if action == WaveAction.OPEN:
        if status == WaveStatus.DRAFT:
            if wave.closes_at <= now:
                return gettext("Waktu tutup gelombang (%(closes)s) sudah lewat; ubah dulu jadwalnya.") % {
                    "closes": closes
                }
            return quota_refusal(wave)
        if status == WaveStatus.OPEN:
            return gettext("Gelombang sudah dibuka sejak %(opens)s.") % {"opens": opens}
        return gettext("Gelombang sudah ditutup pada %(closes)s; gelombang yang ditutup tidak dibuka lagi.") % {
            "closes": closes
        }
    if action == WaveAction.CLOSE:
        if status == WaveStatus.OPEN:
            return None
        if status == WaveStatus.DRAFT:
            return gettext(
                "Gelombang belum dibuka (jadwal buka %(opens)s); hanya gelombang yang dibuka dapat ditutup."
            ) % {"opens": opens}
        return gettext("Gelombang sudah ditutup pada %(closes)s.") % {"closes": closes}
    run = run if run is not None else standing_run(wave)
    if action == WaveAction.SELECT:
        if status == WaveStatus.DRAFT:
            return gettext("Gelombang belum dibuka; seleksi dapat dijalankan setelah ditutup pada %(closes)s.") % {
                "closes": closes
            }
        if status == WaveStatus.OPEN:
            return gettext("Gelombang masih dibuka sampai %(closes)s; seleksi dapat dijalankan setelah ditutup.") % {
                "closes": closes
            }
        if status == WaveStatus.SELECTING or (run is not None and run.status == RunStatus.RUNNING):
            return gettext("Seleksi gelombang ini sedang berjalan; lihat kemajuannya di Proses seleksi.")
        if status == WaveStatus.ANNOUNCED:
            return gettext("Hasil seleksi sudah diumumkan pada %(announce)s; seleksi tidak dapat diulang.") % {
                "announce": announce
            }
        if status == WaveStatus.SELECTED or run is not None:
            return gettext(
                "Hasil seleksi sudah ada. Untuk menyeleksi ulang dengan benih baru, batalkan dulu hasilnya "
                "(hanya sebelum pengumuman pada %(announce)s)."
            ) % {"announce": announce}
        return None
    # WaveAction.VOID
    if status == WaveStatus.ANNOUNCED:
        return gettext(
            "Hasil seleksi sudah diumumkan pada %(announce)s; hasil yang diumumkan tidak dapat dibatalkan."
        ) % {"announce": announce}
    if status == WaveStatus.SELECTING or (run is not None and run.status == RunStatus.RUNNING):
        return gettext("Seleksi gelombang ini sedang berjalan; hasilnya baru dapat dibatalkan setelah selesai.")
    if status != WaveStatus.SELECTED or run is None:
        return gettext("Gelombang ini belum punya hasil seleksi untuk dibatalkan.")
    return None


@dataclass(frozen=True)
class ActionOffer:
    """One action as a page shows it: allowed or not (and why), whether this user may do it, and where its
    confirmation page is."""

    action: WaveAction
    label: str
    refusal: str | None
    permitted: bool
    url: str

    @property
    def allowed(self) -> bool:
        return self.refusal is None and self.permitted

    @property
    def why(self) -> str:
        if self.refusal:
            return self.refusal
        return "" if self.permitted else gettext("Anda tidak punya izin untuk tindakan ini.")


def available_actions(*, wave: Wave, now: datetime, user=None) -> list[ActionOffer]:
    """Every action on ``wave`` with whether it is allowed at ``now`` and why not (and, given ``user``, whether
    they hold its permission); a page offers the allowed ones and may show the others' reasons."""
    run = standing_run(wave)
    return [
        ActionOffer(
            action=action,
            label=action.label,
            refusal=action_refusal(wave=wave, action=action, now=now, run=run),
            permitted=user is None or user.has_perm(action.permission),
            url=reverse(action.url_name, args=[wave.pk]),
        )
        for action in WaveAction
    ]
