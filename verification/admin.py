"""Staff views of the identity steps. NIK, KK, names and birth dates appear masked in lists; a full NIK, KK or
phone number typed in the search box is found through its blind index, never by decrypting the table (the
columns are encrypted: a name cannot be searched for). What a record's page shows in full (names, the mother's
name, the address, the birth date) is written to the audit log each time it is shown, and every KTP photo these
pages show is recorded by the photo's own view."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import UnmaskedDataAdmin
from prakerja.admin import ReadOnlyAdmin, grouped
from verification.identifiers import birth_date_mask, name_mask
from verification.models import IdentityVerification, KtpPhoto, PersonalData
from verification.selectors import applicants_by_number


class NumberSearchAdmin(ReadOnlyAdmin):
    """Search by email (Django's search on ``search_fields``), or by a full NIK, KK or phone number through their
    blind indexes (``applicants_by_number``)."""

    search_fields = ("user__email",)
    search_help_text = _("Email, atau NIK/nomor KK lengkap (16 digit), atau nomor HP lengkap.")

    def get_search_results(self, request, queryset, search_term):
        by_number = applicants_by_number(search_term, path="user__")
        if by_number is not None:
            return queryset.filter(by_number), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(UnmaskedDataAdmin, NumberSearchAdmin):
    list_display = (
        "user",
        "nik_masked",
        "kk_masked",
        "birth_date_masked",
        "sex",
        "registry_excluded_occupation",
        "verified_at",
    )
    list_filter = ("registry_excluded_occupation", "sex")
    list_select_related = ("user",)
    fields = ("user", "nik_masked", "kk_masked", "birth_date", "sex", "registry_excluded_occupation", "verified_at")
    readonly_fields = fields
    date_hierarchy = "verified_at"
    unmasked_in_record = ("birth_date",)  # the list masks it

    @admin.display(description=_("NIK"))
    def nik_masked(self, obj: IdentityVerification) -> str:
        return obj.nik_masked

    @admin.display(description=_("Nomor KK"))
    def kk_masked(self, obj: IdentityVerification) -> str:
        return obj.kk_masked

    @admin.display(description=_("tanggal lahir"))
    def birth_date_masked(self, obj: IdentityVerification) -> str:
        return birth_date_mask(obj.birth_date)


@admin.register(PersonalData)
class PersonalDataAdmin(UnmaskedDataAdmin, NumberSearchAdmin):
    list_display = ("user", "full_name_masked", "district", "education", "completed_at")
    list_filter = ("education", "district__regency__province")
    list_select_related = ("user", "district")
    unmasked_in_record = ("full_name", "mother_name", "address")

    @admin.display(description=_("nama lengkap"))
    def full_name_masked(self, obj: PersonalData) -> str:
        return name_mask(obj.full_name)


@admin.register(KtpPhoto)
class KtpPhotoAdmin(ReadOnlyAdmin):
    list_display = ("user", "preview", "from_camera", "camera", "width_shown", "height_shown", "uploaded_at")
    list_filter = ("from_camera", "original_kind")
    list_select_related = ("user",)
    search_fields = ("user__email",)

    class Media:
        css = {"all": ["css/admin.css"]}  # the previews' sizes: the CSP allows no inline style

    fields = (
        "user",
        "preview_large",
        "from_camera",
        "camera",
        "width_shown",
        "height_shown",
        "size_bytes_shown",
        "original_bytes_shown",
        "original_kind",
        "uploaded_at",
    )
    readonly_fields = fields
    # Pixels and bytes grouped as staff read numbers (3.000.000), not as the admin prints them (3000000).
    width_shown = grouped(KtpPhoto, "width")
    height_shown = grouped(KtpPhoto, "height")
    size_bytes_shown = grouped(KtpPhoto, "size_bytes")
    original_bytes_shown = grouped(KtpPhoto, "original_bytes")

    @admin.display(description=_("Foto"))
    def preview(self, obj: KtpPhoto) -> str:
        url = reverse("verification:ktp_photo_file", args=[obj.pk, "thumbnail"])
        return format_html('<img src="{}" alt="" class="portal-thumbnail">', url)

    @admin.display(description=_("Foto"))
    def preview_large(self, obj: KtpPhoto) -> str:
        url = reverse("verification:ktp_photo_file", args=[obj.pk, "image"])
        return format_html('<img src="{}" alt="" class="portal-photo">', url)
