"""Staff views of the identity steps. NIK and KK appear masked; a full NIK or KK typed in the search box is
found through its blind index, never by decrypting the table. What these pages do show in full (names, the
mother's name, the address, the birth date) is written to the audit log each time it is shown, and every KTP
photo they show is recorded by the photo's own view."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import UnmaskedDataAdmin
from prakerja.admin import ReadOnlyAdmin
from prakerja.crypto import IdentifierKind, pii_digest
from verification.identifiers import full_number
from verification.models import IdentityVerification, KtpPhoto, PersonalData


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(UnmaskedDataAdmin, ReadOnlyAdmin):
    list_display = (
        "user",
        "nik_masked",
        "kk_masked",
        "birth_date",
        "sex",
        "registry_excluded_occupation",
        "verified_at",
    )
    list_filter = ("registry_excluded_occupation", "sex")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    search_help_text = _("Email, atau NIK/nomor KK lengkap (16 digit).")
    fields = ("user", "nik_masked", "kk_masked", "birth_date", "sex", "registry_excluded_occupation", "verified_at")
    readonly_fields = fields
    date_hierarchy = "verified_at"
    unmasked_in_list = unmasked_in_record = ("birth_date",)

    @admin.display(description=_("NIK"))
    def nik_masked(self, obj: IdentityVerification) -> str:
        return obj.nik_masked

    @admin.display(description=_("Nomor KK"))
    def kk_masked(self, obj: IdentityVerification) -> str:
        return obj.kk_masked

    def get_search_results(self, request, queryset, search_term):
        number = full_number(search_term)
        if number:
            digests = [pii_digest(number, kind=IdentifierKind.NIK), pii_digest(number, kind=IdentifierKind.KK)]
            matches = queryset.filter(nik_digest=digests[0]) | queryset.filter(kk_digest=digests[1])
            return matches, False
        return super().get_search_results(request, queryset, search_term)


@admin.register(PersonalData)
class PersonalDataAdmin(UnmaskedDataAdmin, ReadOnlyAdmin):
    list_display = ("user", "full_name", "district", "education", "employment_status", "completed_at")
    list_filter = ("employment_status", "education", "district__regency__province")
    list_select_related = ("user", "district")
    search_fields = ("user__email", "full_name")
    unmasked_in_list = ("full_name",)
    unmasked_in_record = ("full_name", "mother_name", "address")


@admin.register(KtpPhoto)
class KtpPhotoAdmin(ReadOnlyAdmin):
    list_display = ("user", "preview", "from_camera", "camera", "width", "height", "uploaded_at")
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
        "width",
        "height",
        "size_bytes",
        "original_bytes",
        "original_kind",
        "uploaded_at",
    )
    readonly_fields = fields

    @admin.display(description=_("Foto"))
    def preview(self, obj: KtpPhoto) -> str:
        url = reverse("verification:ktp_photo_file", args=[obj.pk, "thumbnail"])
        return format_html('<img src="{}" alt="" class="portal-thumbnail">', url)

    @admin.display(description=_("Foto"))
    def preview_large(self, obj: KtpPhoto) -> str:
        url = reverse("verification:ktp_photo_file", args=[obj.pk, "image"])
        return format_html('<img src="{}" alt="" class="portal-photo">', url)
