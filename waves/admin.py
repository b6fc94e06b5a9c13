from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _

from prakerja.admin import ReadOnlyAdmin
from waves import services
from waves.errors import WaveError
from waves.models import AgreementText, Enrollment, ProvinceQuota, RunStatus, SelectionRun, Wave, WaveEvent, WaveStatus
from waves.progress import PhaseTiming
from waves.selectors import selection_progress, selection_run_in_flight


class ProvinceQuotaInline(admin.TabularInline):
    model = ProvinceQuota
    extra = 0
    autocomplete_fields = ("province",)


class WaveEventInline(admin.TabularInline):
    model = WaveEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "note", "at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _phases_html(phases: list[PhaseTiming]):
    return format_html_join(
        "", "<li>{}</li>",
        ((gettext("%(phase)s: %(seconds)s detik") % {"phase": phase.label, "seconds": f"{phase.seconds:.1f}"},)
         for phase in phases),
    )


def run_progress_html(run: SelectionRun):
    """"Sedang berjalan: fase X (n/m)" and the phases done with their seconds for a running run; the phases and
    their seconds once it has ended."""
    if run.status == RunStatus.RUNNING:
        progress = selection_progress(run=run)
        if progress is None:
            return gettext("Sedang berjalan; kemajuannya belum tercatat.")
        current = progress.current_label or gettext("di antara fase")
        return format_html(
            "<strong>{}</strong><ul>{}</ul>",
            gettext("Sedang berjalan: fase %(phase)s (%(position)s/%(total)s)")
            % {"phase": current, "position": progress.position, "total": progress.total},
            _phases_html(list(progress.done)),
        )
    phases = [PhaseTiming(phase["name"], phase["seconds"]) for phase in run.phases or []]
    return format_html("<ul>{}</ul>", _phases_html(phases)) if phases else "—"


def _run(request, queryset, service, done: str) -> None:
    for wave in queryset:
        try:
            service(wave=wave, actor=request.user, now=timezone.now())
        except WaveError as error:
            messages.error(request, _("Gelombang %(number)s: %(code)s") % {"number": wave.number, "code": error.code})
        else:
            messages.success(request, done % {"number": wave.number})


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "status_now", "opens_at", "closes_at", "announce_at", "quota", "quota_split", "enrolled")
    readonly_fields = ("status", "selection_in_flight", "selection_queued_at", "published_at", "created_at")
    inlines = [ProvinceQuotaInline, WaveEventInline]
    actions = ["publish", "open_now", "close_now", "run_selection"]
    search_fields = ("name", "=number")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            quota_sum=Sum("province_quotas__quota", distinct=True), enrolled_count=Count("enrollments", distinct=True)
        )

    @admin.display(description=_("status sekarang"))
    def status_now(self, wave: Wave):
        status = dict(Wave._meta.get_field("status").choices)[wave.status_at(timezone.now())]
        if wave.status != WaveStatus.SELECTING:
            return status
        run = selection_run_in_flight(wave=wave)
        progress = selection_progress(run=run) if run else None
        if progress is None:
            return status
        return gettext("%(status)s — fase %(position)s/%(total)s") % {
            "status": status, "position": progress.position, "total": progress.total,
        }

    @admin.display(description=_("seleksi berjalan"))
    def selection_in_flight(self, wave: Wave):
        run = selection_run_in_flight(wave=wave) if wave.pk else None
        return run_progress_html(run) if run else "—"

    @admin.display(description=_("jumlah kuota provinsi"))
    def quota_split(self, wave: Wave) -> str:
        return f"{wave.quota_sum or 0:,}" + ("" if (wave.quota_sum or 0) == wave.quota else " ⚠")

    @admin.display(description=_("pendaftar"))
    def enrolled(self, wave: Wave) -> int:
        return wave.enrolled_count

    @admin.action(description=_("Publikasikan (dibuka otomatis sesuai jadwal)"))
    def publish(self, request, queryset) -> None:
        _run(request, queryset, services.wave_publish, _("Gelombang %(number)s dipublikasikan."))

    @admin.action(description=_("Buka sekarang"))
    def open_now(self, request, queryset) -> None:
        _run(request, queryset, services.wave_open_now, _("Gelombang %(number)s dibuka."))

    @admin.action(description=_("Tutup sekarang"))
    def close_now(self, request, queryset) -> None:
        _run(request, queryset, services.wave_close_now, _("Gelombang %(number)s ditutup."))

    @admin.action(description=_("Jalankan seleksi"))
    def run_selection(self, request, queryset) -> None:
        """Queue the selection of each closed wave on the selection queue; its run page shows the phases."""
        for wave in queryset:
            if not services.selection_queue(wave=wave, actor=request.user, now=timezone.now()):
                messages.error(request, _("Gelombang %(number)s belum ditutup atau sudah diseleksi.") % {"number": wave.number})
                continue
            messages.success(request, _("Seleksi gelombang %(number)s dijalankan; lihat kemajuannya di Proses seleksi.") % {"number": wave.number})


@admin.register(AgreementText)
class AgreementTextAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "is_current", "published_at")
    readonly_fields = ("is_current",)


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "wave", "province", "joined_at", "pending")
    list_filter = ("wave", "pending", "province")
    list_select_related = ("wave", "province")


@admin.register(SelectionRun)
class SelectionRunAdmin(ReadOnlyAdmin):
    """Each run with what explains its results: seed, operator, phases with timings, counts."""

    list_display = ("id", "wave", "status", "seed", "operator", "started_at", "finished_at", "selected_count")
    list_filter = ("status", "wave")
    list_select_related = ("wave", "operator")
    fields = ("wave", "status", "progress", "seed", "operator", "started_at", "finished_at", "phases", "counts", "error")
    readonly_fields = fields
    actions = ["void"]

    @admin.display(description=_("kemajuan per fase"))
    def progress(self, run: SelectionRun):
        return run_progress_html(run)

    @admin.display(description=_("terpilih"))
    def selected_count(self, run: SelectionRun):
        return (run.counts or {}).get("selected", "—")

    @admin.action(description=_("Batalkan hasil (sebelum pengumuman)"))
    def void(self, request, queryset) -> None:
        for run in queryset.filter(status=RunStatus.SUCCEEDED):
            try:
                services.selection_void(run=run, actor=request.user)
            except WaveError:
                messages.error(request, _("Proses %(id)s tidak bisa dibatalkan: hasilnya sudah diumumkan.") % {"id": run.pk})
            else:
                messages.success(request, _("Proses %(id)s dibatalkan.") % {"id": run.pk})
