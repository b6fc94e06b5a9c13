"""The audit log (DESIGN §8): an append-only record of every staff view of a KTP photo, a complaint letter or
unmasked personal data, and of every staff change.

An entry names who acted (and their roles at the time), what they did, which record (by model and primary key,
never by its content), when, and from which address. It holds no personal data of an applicant, so it can stay
when an applicant's account and data are deleted. Entries are only ever added: the model and its queryset refuse
to change or delete one in Python, and a database trigger (migration 0002) refuses it in SQL.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    # Views of what staff may only see with a reason.
    KTP_PHOTO_VIEW = "ktp_photo_view", _("Melihat foto KTP")
    COMPLAINT_LETTER_VIEW = "complaint_letter_view", _("Melihat surat pengaduan")
    PERSONAL_DATA_VIEW = "personal_data_view", _("Melihat data pribadi tanpa samaran")
    # Staff changes.
    COMPLAINT_DECIDE = "complaint_decide", _("Memutuskan pengaduan")
    WAVE_CHANGE = "wave_change", _("Mengubah data gelombang")
    WAVE_PUBLISH = "wave_publish", _("Memublikasikan gelombang")
    WAVE_MOVE = "wave_move", _("Memindahkan status gelombang")
    QUOTA_CHANGE = "quota_change", _("Mengubah kuota provinsi")
    SELECTION_QUEUE = "selection_queue", _("Mengantrekan seleksi")
    SELECTION_START = "selection_start", _("Memulai seleksi")
    SELECTION_END = "selection_end", _("Seleksi berakhir")
    SELECTION_VOID = "selection_void", _("Membatalkan hasil seleksi")
    TEXT_PUBLISH = "text_publish", _("Menerbitkan versi teks")
    # Downloads from the operator console (counts and masked numbers only, but every copy leaves the portal).
    RESULTS_EXPORT = "results_export", _("Mengunduh hasil seleksi (CSV)")
    FUNNEL_EXPORT = "funnel_export", _("Mengunduh corong pendaftaran (CSV)")


class AppendOnlyError(Exception):
    """An entry of the audit log was about to be changed or deleted; it never is."""


class EntryQuerySet(models.QuerySet):
    """Reads as usual; every bulk change or deletion is refused (the admin's "delete selected" included)."""

    def _refuse(self, *args, **kwargs):
        raise AppendOnlyError("audit log entries are never changed or deleted")

    update = delete = bulk_update = _update = _raw_delete = _refuse


class Entry(models.Model):
    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    # PROTECT: a staff account with entries is deactivated, never deleted, so every entry keeps naming its actor
    # (setting it to NULL would be a change, which the database refuses anyway).
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("petugas"),
        help_text=_("Kosong: jadwal atau proses otomatis."),
    )
    roles = models.CharField(
        _("peran"), max_length=255, blank=True, help_text=_("Grup dan status superuser petugas pada saat itu.")
    )
    action = models.CharField(_("tindakan"), max_length=32, choices=Action.choices)
    target_type = models.CharField(_("jenis sasaran"), max_length=100, blank=True)
    target_id = models.CharField(_("id sasaran"), max_length=64, blank=True, db_index=True)
    client_address = models.GenericIPAddressField(_("alamat klien"), null=True, blank=True)
    details = models.JSONField(_("rincian"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("catatan audit")
        verbose_name_plural = _("log audit")
        ordering = ["-at", "-id"]
        # Only "view": nobody, superusers included, is ever given a permission to add, change or delete.
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.target}"

    def save(self, *args, **kwargs) -> None:
        # Always an INSERT: an entry read from the database is refused here, and an unsaved one given an
        # existing primary key fails on the key rather than overwriting that entry.
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError("audit log entries are never changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit log entries are never deleted")

    @property
    def target(self) -> str:
        if not self.target_type:
            return "—"
        return f"{self.target_type} #{self.target_id}" if self.target_id else self.target_type
