import re

from csp.decorators import csp_update
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models as db_models
from django.db.models import Count, Sum
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import UnmaskedDataAdmin
from audit.models import Action
from audit.services import audit_record
from prakerja.admin import LabelledRowsFormSet, LabelledSplitDateTime, ReadOnlyAdmin, VersionedTextAdmin
from prakerja.crypto import IdentifierKind, pii_decrypt, pii_digests
from prakerja.formats import thousands
from verification.identifiers import full_number
from waves import services
from waves.actions import WaveAction, action_refusal, available_actions, standing_run
from waves.errors import WaveError, WaveErrorCode
from waves.models import (
    AgreementText,
    Complaint,
    ComplaintStatus,
    Enrollment,
    ProvinceQuota,
    RunStatus,
    SelectionRun,
    StatementText,
    Wave,
    WaveEvent,
    WaveStatus,
)
from waves.progress import PhaseTiming
from waves.reasons import reason_label
from waves.rejections import CheckItem, RejectionReason
from waves.selectors import (
    complaint_cited_results,
    complaint_next_pending,
    complaint_particulars,
    selection_progress,
    selection_run_in_flight,
    selection_run_provinces,
    wave_consequence,
)


class ProvinceQuotaRows(LabelledRowsFormSet):
    def row_name(self, instance: ProvinceQuota) -> str:
        return instance.province.name


class ProvinceQuotaInline(admin.TabularInline):
    """Editable until results exist; then fixed (the model refuses too: ProvinceQuota.save)."""

    model = ProvinceQuota
    formset = ProvinceQuotaRows
    extra = 0
    autocomplete_fields = ("province",)

    def has_add_permission(self, request, obj=None) -> bool:
        return not (obj and obj.has_results()) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not (obj and obj.has_results()) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not (obj and obj.has_results()) and super().has_delete_permission(request, obj)


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
        "",
        "<li>{}</li>",
        (
            (gettext("%(phase)s: %(seconds)s detik") % {"phase": phase.label, "seconds": f"{phase.seconds:.1f}"},)
            for phase in phases
        ),
    )


def run_progress_html(run: SelectionRun):
    """ "Sedang berjalan: fase X (n/m)" and the phases done with their seconds for a running run; the phases and
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
            service(wave=wave, acting_user=request.user, now=timezone.now())
        except WaveError as error:
            why = error.params.get("why") or error.code
            messages.error(request, _("Gelombang %(number)s: %(code)s") % {"number": wave.number, "code": why})
        else:
            messages.success(request, done % {"number": wave.number})


# Wave fields edited on its page that its results were drawn with (waves.models.LOCKED_WAVE_FIELDS).
LOCKED_FIELDS = ("opens_at", "closes_at", "announce_at", "quota", "other_aid_allowed", "pool_unused_quota")


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    """Waves with their province quotas. The far-reaching moves — open now, close now, run the selection, void its
    results — are buttons on a wave's page, each leading to a confirmation page that states the consequence
    (``action_view``; the operator console links to the same pages by their URL names, waves.actions)."""

    # Fits a 1366 px screen: the times other than the close, and the policies, are on the wave's page.
    list_display = ("number", "name", "status_now", "closes_at", "quota_shown", "enrolled")
    list_display_links = ("number", "name")
    readonly_fields = ("status", "selection_in_flight", "selection_queued_at", "published_at", "created_at")
    inlines = [ProvinceQuotaInline, WaveEventInline]
    actions = ["publish"]
    search_fields = ("name", "=number")
    formfield_overrides = {db_models.DateTimeField: {"widget": LabelledSplitDateTime}}
    change_form_template = "admin/waves/wave/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                quota_sum=Sum("province_quotas__quota", distinct=True),
                enrolled_count=Count("enrollments", distinct=True),
            )
        )

    def get_readonly_fields(self, request, obj: Wave | None = None):
        if obj is not None and obj.has_results():
            return (*LOCKED_FIELDS, "quota_shown", *self.readonly_fields)
        return self.readonly_fields

    def get_fields(self, request, obj: Wave | None = None):
        """Once locked, the quota shows as the list shows it (164.000), in its place."""
        fields = list(super().get_fields(request, obj))
        if "quota_shown" in fields and "quota" in fields:
            fields.remove("quota_shown")
            fields[fields.index("quota")] = "quota_shown"
        return fields

    def has_delete_permission(self, request, obj: Wave | None = None) -> bool:
        if obj is not None and obj.has_results():
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        own = [
            path(
                f"<path:object_id>/{action.value}/",
                self.admin_site.admin_view(self.action_view),
                {"action": action},
                name=action.url_name.removeprefix("admin:"),
            )
            for action in WaveAction
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        wave = self.get_object(request, object_id)
        offers = available_actions(wave=wave, now=timezone.now(), user=request.user) if wave else []
        context = {**(extra_context or {}), "wave_actions": offers, "wave_locked": bool(wave and wave.has_results())}
        return super().change_view(request, object_id, form_url, context)

    def action_view(self, request, object_id: str, action: WaveAction):
        """GET: what ``action`` will do to this wave (or why it cannot be done now); POST (with the CSRF token):
        do it through its service, which decides again under the wave's lock."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        wave = self.get_object(request, object_id)
        if wave is None:
            raise Http404
        if not request.user.has_perm(action.permission):
            raise PermissionDenied
        now = timezone.now()
        refusal = action_refusal(wave=wave, action=action, now=now)
        if request.method == "POST" and refusal is None:
            try:
                done = self._act(request, wave, action, now)
            except WaveError as error:
                refusal = error.params.get("why") or str(error.code)
            else:
                messages.success(request, done)
                return redirect(reverse("admin:waves_wave_change", args=[wave.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("%(action)s: %(wave)s") % {"action": action.label, "wave": wave.label},
            "opts": self.model._meta,
            "original": wave,
            "action": action,
            "refusal": refusal,
            "consequence": wave_consequence(wave=wave, action=action, now=now),
        }
        status = 409 if request.method == "POST" and refusal else 200
        return TemplateResponse(request, "admin/waves/wave/action_confirm.html", context, status=status)

    def _act(self, request, wave: Wave, action: WaveAction, now) -> str:
        label = wave.label
        if action == WaveAction.OPEN:
            services.wave_open_now(wave=wave, acting_user=request.user, now=now)
            return gettext("%(wave)s dibuka.") % {"wave": label}
        if action == WaveAction.CLOSE:
            services.wave_close_now(wave=wave, acting_user=request.user, now=now)
            return gettext("%(wave)s ditutup.") % {"wave": label}
        if action == WaveAction.SELECT:
            if not services.selection_queue(wave=wave, acting_user=request.user, now=now):
                wave.refresh_from_db()
                why = action_refusal(wave=wave, action=action, now=now)
                raise WaveError(WaveErrorCode.TRANSITION_NOT_ALLOWED, why=why)
            return gettext("Seleksi %(wave)s dijalankan; lihat kemajuannya di Proses seleksi.") % {"wave": label}
        run = standing_run(wave)
        if run is None:
            raise WaveError(
                WaveErrorCode.TRANSITION_NOT_ALLOWED, why=action_refusal(wave=wave, action=action, now=now, run=run)
            )
        services.selection_void(run=run, acting_user=request.user, now=now)
        return gettext("Hasil seleksi %(wave)s dibatalkan; gelombang kembali ditutup.") % {"wave": label}

    def save_model(self, request, obj: Wave, form, change: bool) -> None:
        """A wave's times, quota and policies are edited here, not through a service: the audit log records
        which fields changed, from what to what."""
        super().save_model(request, obj, form, change)
        changed = {
            name: [form.initial.get(name) if change else None, form.cleaned_data.get(name)]
            for name in form.changed_data
        }
        if changed:
            audit_record(acting_user=request.user, action=Action.WAVE_CHANGE, target=obj, details={"fields": changed})

    def save_formset(self, request, form, formset, change: bool) -> None:
        """The province quotas are edited in the wave's page; each one added, changed or removed is recorded."""
        if formset.model is not ProvinceQuota:
            return super().save_formset(request, form, formset, change)
        edits = []  # (the row's form, its id before saving, quota before, quota after)
        deleted = formset.deleted_forms if formset.can_delete else []
        for quota_form in formset.forms:
            existing = quota_form.instance.pk
            if quota_form in deleted:
                if existing:
                    edits.append((quota_form, existing, quota_form.initial.get("quota"), None))
            elif quota_form.has_changed():
                before = quota_form.initial.get("quota") if existing else None
                edits.append((quota_form, existing, before, quota_form.cleaned_data.get("quota")))
        super().save_formset(request, form, formset, change)
        for quota_form, existing, before, after in edits:
            quota = quota_form.instance
            audit_record(
                acting_user=request.user,
                action=Action.QUOTA_CHANGE,
                target=ProvinceQuota,
                target_id=existing or quota.pk,
                details={"wave": form.instance.pk, "province": quota.province_id, "from": before, "to": after},
            )
        return None

    @admin.display(description=_("status sekarang"))
    def status_now(self, wave: Wave):
        status = WaveStatus(wave.status_at(timezone.now())).label
        if wave.status != WaveStatus.SELECTING:
            return status
        run = selection_run_in_flight(wave=wave)
        progress = selection_progress(run=run) if run else None
        if progress is None:
            return status
        return gettext("%(status)s — fase %(position)s/%(total)s") % {
            "status": status,
            "position": progress.position,
            "total": progress.total,
        }

    @admin.display(description=_("seleksi berjalan"))
    def selection_in_flight(self, wave: Wave):
        run = selection_run_in_flight(wave=wave) if wave.pk else None
        return run_progress_html(run) if run else "—"

    @admin.display(description=_("kuota"), ordering="quota")
    def quota_shown(self, wave: Wave) -> str:
        """The national quota; ⚠ when the province quotas do not add up to it (hover for their sum)."""
        split = wave.quota_sum or 0
        if split == wave.quota:
            return thousands(wave.quota)
        return format_html(
            '{} <span title="{}">⚠</span>',
            thousands(wave.quota),
            gettext("Jumlah kuota provinsi: %(sum)s") % {"sum": thousands(split)},
        )

    @admin.display(description=_("pendaftar"), ordering="enrolled_count")
    def enrolled(self, wave: Wave) -> str:
        return thousands(wave.enrolled_count)

    @admin.action(description=_("Publikasikan (dibuka otomatis sesuai jadwal)"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        _run(request, queryset, services.wave_publish, _("Gelombang %(number)s dipublikasikan."))


@admin.register(AgreementText)
class AgreementTextAdmin(VersionedTextAdmin):
    text_fields = ("title", "clauses")

    def publish(self, request, obj: AgreementText) -> AgreementText:
        return services.agreement_text_publish(title=obj.title, clauses=obj.clauses, acting_user=request.user)


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "wave", "province", "joined_at", "pending")
    list_filter = ("wave", "pending", "province")
    list_select_related = ("wave", "province")


@admin.register(SelectionRun)
class SelectionRunAdmin(ReadOnlyAdmin):
    """Each run with what explains its results: seed, operator, phases with timings, and its counts as tables
    (per province by name: quota, candidates, selected; per reason by label). Voiding goes through the wave's
    confirmation page (``WaveAdmin.action_view``), linked from here."""

    list_display = ("id", "wave", "status", "seed_shown", "operator", "started_at", "selected_count")
    list_filter = ("status", "wave")
    list_select_related = ("wave", "operator")
    fields = (
        "wave",
        "status",
        "progress",
        "seed_shown",
        "commitment_shown",
        "operator",
        "started_at",
        "finished_at",
        "void_link",
        "province_table",
        "reason_table",
        "error",
    )
    readonly_fields = fields

    @admin.display(description=_("kemajuan per fase"))
    def progress(self, run: SelectionRun):
        return run_progress_html(run)

    @admin.display(description=_("benih undian"))
    def seed_shown(self, run: SelectionRun):
        """The seed is secret until the wave's announcement, for staff too (docs/LOTTERY.md): whoever knows it
        before then could tell an applicant's place, or, before a run, try seeds against a list."""
        if run.wave.status_at(timezone.now()) != WaveStatus.ANNOUNCED:
            return _("dirahasiakan sampai pengumuman")
        return run.seed

    @admin.display(description=_("komitmen benih (SHA-256)"))
    def commitment_shown(self, run: SelectionRun):
        return run.commitment.commitment if run.commitment_id else _("tidak ada (benih diberikan manual)")

    @admin.display(description=_("terpilih"))
    def selected_count(self, run: SelectionRun):
        return thousands((run.counts or {}).get("selected"))

    @admin.display(description=_("batalkan hasil"))
    def void_link(self, run: SelectionRun):
        if run.status != RunStatus.SUCCEEDED:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse(WaveAction.VOID.url_name, args=[run.wave_id]), WaveAction.VOID.label + "…"
        )

    @admin.display(description=_("per provinsi"))
    def province_table(self, run: SelectionRun):
        rows = selection_run_provinces(run=run)
        if not rows:
            return "—"
        head = format_html(
            "<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
            _("Provinsi"),
            _("Kuota"),
            _("Pendaftar"),
            _("Kandidat"),
            _("Terpilih"),
        )
        body = format_html_join(
            "",
            '<tr><td>{}</td><td class="number">{}</td><td class="number">{}</td>'
            '<td class="number">{}</td><td class="number">{}</td></tr>',
            (
                (
                    row.name,
                    thousands(row.quota),
                    thousands(row.enrolled),
                    thousands(row.candidates),
                    thousands(row.selected),
                )
                for row in rows
            ),
        )
        return format_html('<table class="province-table">{}<tbody>{}</tbody></table>', head, body)

    @admin.display(description=_("tidak terpilih, per alasan"))
    def reason_table(self, run: SelectionRun):
        reasons = (run.counts or {}).get("reasons") or {}
        if not reasons:
            return "—"
        rows = sorted(reasons.items(), key=lambda item: -item[1])
        body = format_html_join(
            "",
            '<tr><td>{}</td><td class="number">{}</td></tr>',
            ((reason_label(code), thousands(n)) for code, n in rows),
        )
        return format_html('<table class="province-table"><tbody>{}</tbody></table>', body)


@admin.register(StatementText)
class StatementTextAdmin(VersionedTextAdmin):
    text_fields = ("title", "opening", "body")

    def publish(self, request, obj: StatementText) -> StatementText:
        return services.statement_text_publish(
            title=obj.title, opening=obj.opening, body=obj.body, acting_user=request.user
        )


# A NIK as the admin shows it: the first and last four digits, the eight between hidden by any mark or space.
MASKED_NIK = re.compile(r"(\d{4})[^\d]{1,24}(\d{4})")


def _shows_as(nik: str, region: str, serial: str) -> bool:
    """Is ``nik`` the one the admin masks as region••••••••serial?"""
    return nik[:4] == region and nik[-4:] == serial


class DecisionForm(forms.Form):
    """A reviewer's decision on one letter (the workbench) or many (the list's actions): for a rejection a reason
    from the list, and the reviewer's words when it is "lainnya"; on the workbench also the checks of the letter."""

    checklist = forms.MultipleChoiceField(
        label=_("Daftar periksa"), choices=CheckItem.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    rejection = forms.ChoiceField(
        label=_("Alasan penolakan"),
        choices=[("", "—"), *RejectionReason.choices],
        required=False,
        help_text=_("Alasan yang dapat diperbaiki membuat pendaftar bisa langsung mengunggah surat baru."),
    )
    reason = forms.CharField(
        label=_("Catatan untuk pendaftar"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_('Wajib untuk alasan "Lainnya"; dikirim kepada pendaftar lewat email dan tampil di dasbornya.'),
    )

    def __init__(self, *args, approve: bool | None, checks: bool = False, **kwargs) -> None:
        """``checks``: the form carries the checklist (the workbench), so its answers are stored, unticked ones too."""
        super().__init__(*args, **kwargs)
        self.approve = approve
        self.checks = checks

    def clean(self):
        data = super().clean()
        if self.approve is False:
            if not data.get("rejection"):
                self.add_error(
                    "rejection", _("Pilih alasan penolakan: pendaftar perlu tahu apa yang harus diperbaiki.")
                )
            elif data["rejection"] == RejectionReason.OTHER and not (data.get("reason") or "").strip():
                self.add_error("reason", _("Tulis alasan penolakan: pendaftar perlu tahu apa yang harus diperbaiki."))
        return data

    def decide(self, complaint: Complaint, acting_user) -> Complaint:
        return services.complaint_decide(
            complaint=complaint,
            acting_user=acting_user,
            approve=bool(self.approve),
            rejection=self.cleaned_data.get("rejection") or None,
            reason=self.cleaned_data.get("reason") or "",
            checklist=dict.fromkeys(self.cleaned_data.get("checklist") or (), True) if self.checks else None,
        )


@admin.register(Complaint)
class ComplaintAdmin(UnmaskedDataAdmin, ReadOnlyAdmin):
    """The reviewer's workbench for "gagal 3 kali" complaints (DESIGN §5). Nothing here can be edited. A complaint's
    page shows the letter beside the applicant's particulars and the three waves it cites, with the checklist and
    the decision (``decide_view``), which then opens the oldest pending case ("Berikutnya"); the list, oldest first,
    shows how long each case has waited, and its two actions decide many at once after a confirmation page. Each
    decision is recorded with the reviewer and the time by ``waves.services.complaint_decide``."""

    list_display = ("applicant", "nik", "status", "waiting", "submitted_at")
    list_display_links = ("applicant",)
    list_filter = ("status", "rejection_reason", "submitted_at", "decided_at")
    list_select_related = ("user", "user__identity", "reviewer")
    ordering = ("submitted_at", "id")
    search_fields = ("user__email",)
    search_help_text = _(
        "Email pendaftar, NIK lengkap 16 digit, atau NIK tersamar seperti di daftar (3273••••••••0001)."
    )
    actions = ["approve", "reject"]
    change_form_template = "admin/waves/complaint/change_form.html"
    fields = (
        "applicant",
        "nik",
        "full_name",
        "cited_waves",
        "failed_selections",
        "text",
        "letter_preview",
        "submitted_at",
        "status",
        "reviewer",
        "decided_at",
        "rejection_reason",
        "decision_reason",
    )
    readonly_fields = fields
    # The reviewer compares the letter's name with the applicant's, so the complaint's page shows it in full.
    unmasked_in_record = ("full_name",)

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("waves.review_complaint")

    def get_urls(self):
        decide = path(
            "<path:object_id>/putuskan/",
            self.admin_site.admin_view(self.decide_view),
            name="waves_complaint_decide",
        )
        return [decide, *super().get_urls()]

    @method_decorator(csp_update({"frame-src": ["'self'"]}))
    def change_view(self, request, object_id, form_url="", extra_context=None):
        complaint = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if complaint is not None:
            following = complaint_next_pending(after=complaint)
            context.update(
                {
                    "decision_form": DecisionForm(approve=None),
                    "particulars": complaint_particulars(complaint=complaint),
                    "cited": complaint_cited_results(complaint=complaint),
                    "next_case": following,
                    "waited": self.waiting(complaint),
                    "checked": [(label, complaint.checklist.get(item)) for item, label in CheckItem.choices]
                    if complaint.checklist
                    else [],
                }
            )
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request, object_id: str):
        """POST only: the decision on one complaint from its page; then the oldest pending case ("Berikutnya")."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("waves.review_complaint"):
            raise PermissionDenied
        complaint = self.get_object(request, object_id)
        if complaint is None:
            raise Http404
        here = reverse("admin:waves_complaint_change", args=[complaint.pk])
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            messages.error(request, gettext("Pilih Setujui atau Tolak."))
            return redirect(here)
        form = DecisionForm(request.POST, approve=decision == "approve", checks=True)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(here)
        try:
            decided = form.decide(complaint, request.user)
        except WaveError as error:
            if error.code != WaveErrorCode.COMPLAINT_DECIDED:
                raise
            messages.warning(
                request, gettext("Pengaduan #%(id)s sudah diputuskan peninjau lain.") % {"id": complaint.pk}
            )
            return redirect(here)
        done = gettext("Pengaduan #%(id)s disetujui.") if form.approve else gettext("Pengaduan #%(id)s ditolak.")
        messages.success(request, done % {"id": decided.pk})
        following = complaint_next_pending(after=decided)
        if following is None:
            messages.info(request, gettext("Tidak ada lagi pengaduan yang menunggu."))
            return redirect(reverse("admin:waves_complaint_changelist"))
        return redirect(reverse("admin:waves_complaint_change", args=[following.pk]))

    @admin.display(description=_("lama menunggu"), ordering="submitted_at")
    def waiting(self, complaint: Complaint) -> str:
        """How long the case has waited: until now while pending, until its decision once decided."""
        end = complaint.decided_at or timezone.now()
        return timesince(complaint.submitted_at, end, depth=2)

    def get_search_results(self, request, queryset, search_term):
        """A full NIK through the blind index; a masked one ("3273••••••••0001", as the list shows it) by its
        region and serial among the complaints' applicants; else the email."""
        number = full_number(search_term)
        if number:
            return queryset.filter(user__identity__nik_digest__in=pii_digests(number, kind=IdentifierKind.NIK)), False
        masked = MASKED_NIK.fullmatch(search_term.strip())
        if masked:
            region, serial = masked.groups()
            matching = [
                pk
                for pk, encrypted in queryset.values_list("pk", "user__identity__nik_encrypted")
                if encrypted and _shows_as(pii_decrypt(encrypted), region, serial)
            ]
            return queryset.filter(pk__in=matching), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("pendaftar"), ordering="user__email")
    def applicant(self, complaint: Complaint) -> str:
        return complaint.user.email

    @admin.display(description=_("NIK"))
    def nik(self, complaint: Complaint) -> str:
        identity = getattr(complaint.user, "identity", None)
        return identity.nik_masked if identity else "—"

    @admin.display(description=_("nama lengkap"))
    def full_name(self, complaint: Complaint) -> str:
        personal_data = getattr(complaint.user, "personal_data", None)
        return personal_data.full_name if personal_data else "—"

    @admin.display(description=_("gelombang yang disebut dan hasilnya"))
    def cited_waves(self, complaint: Complaint) -> str:
        results = complaint_cited_results(complaint=complaint)
        return format_html_join(
            "",
            "<div>{} · {}</div>",
            ((result.run.wave, result.get_reason_display() if result.reason else _("terpilih")) for result in results),
        )

    @admin.display(description=_("surat bertanda tangan"))
    def letter_preview(self, complaint: Complaint) -> str:
        url = reverse("waves:complaint_file", args=[complaint.pk])
        size = f"{thousands(round(complaint.letter_bytes / 1024))} KB"
        if complaint.letter_kind == "pdf":
            return format_html('<a href="{}" download>{}</a> (PDF, {})', url, _("Unduh surat"), size)
        return format_html(
            '<img src="{}" alt="{}" class="portal-letter"><div><a href="{}" download>{}</a> (JPG, {})</div>',
            url,
            _("Surat pernyataan bertanda tangan"),
            url,
            _("Unduh surat"),
            size,
        )

    @admin.action(description=_("Setujui pengaduan terpilih"), permissions=["review"])
    def approve(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description=_("Tolak pengaduan terpilih (dengan alasan)"), permissions=["review"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool):
        """First the confirmation page (with the reason), then the decisions, each recorded on its own."""
        pending = list(queryset.filter(status=ComplaintStatus.PENDING).select_related("user"))
        skipped = queryset.count() - len(pending)
        if skipped:
            messages.warning(
                request, _("%(n)s pengaduan dilewati karena sudah diputuskan.") % {"n": thousands(skipped)}
            )
        if not pending:
            return None
        form = DecisionForm(request.POST if "confirm" in request.POST else None, approve=approve)
        if form.is_bound and form.is_valid():
            decided = 0
            for complaint in pending:
                try:
                    form.decide(complaint, request.user)
                except WaveError as error:
                    if error.code != WaveErrorCode.COMPLAINT_DECIDED:
                        raise
                    messages.warning(
                        request, _("Pengaduan #%(id)s sudah diputuskan peninjau lain.") % {"id": complaint.pk}
                    )
                else:
                    decided += 1
            done = _("%(n)s pengaduan disetujui.") if approve else _("%(n)s pengaduan ditolak.")
            messages.success(request, done % {"n": thousands(decided)})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Setujui pengaduan") if approve else _("Tolak pengaduan"),
            "opts": self.model._meta,
            "complaints": pending,
            "form": form,
            "approve": approve,
            "action": "approve" if approve else "reject",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/waves/complaint/decide.html", context)
