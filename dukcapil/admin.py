"""The mock registry in Django admin: read only, for superusers only, NIK and KK masked in the lists.

The registry is a separate service; staff of the portal have no business in it. A superuser can look a
resident up by their full NIK or KK (exact search) to see what the registry holds for a demo identity.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dukcapil.models import Family, Resident

BULLET = "•"


def mask_number(number: str) -> str:
    """``3273010101900001`` → ``3273••••••••0001``: the regency and the serial, not the rest."""
    number = number or ""
    if len(number) < 12:
        return BULLET * len(number)
    return number[:4] + BULLET * (len(number) - 8) + number[-4:]


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    # Counting a million rows on every page view is what makes a registry's admin slow.
    show_full_result_count = False
    list_per_page = 50

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class MemberInline(admin.TabularInline):
    model = Resident
    fields = ("masked_nik", "relationship", "full_name", "birth_date", "sex", "occupation")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    @admin.display(description=_("NIK"))
    def masked_nik(self, resident: Resident) -> str:
        return mask_number(resident.nik)


@admin.register(Family)
class FamilyAdmin(SuperuserReadOnlyAdmin):
    list_display = ("pk", "masked_kk", "district_code", "address")
    search_fields = ("=kk",)
    search_help_text = _("Nomor KK lengkap (16 digit, persis sama).")
    ordering = ("pk",)
    fields = ("kk", "address", "district_code")
    inlines = (MemberInline,)

    @admin.display(description=_("nomor KK"), ordering="kk")
    def masked_kk(self, family: Family) -> str:
        return mask_number(family.kk)


@admin.register(Resident)
class ResidentAdmin(SuperuserReadOnlyAdmin):
    list_display = (
        "pk",
        "masked_nik",
        "masked_kk",
        "full_name",
        "birth_date",
        "sex",
        "occupation",
        "district_code",
    )
    list_filter = ("sex", "relationship", "occupation")
    search_fields = ("=nik", "=family__kk")
    search_help_text = _("NIK atau nomor KK lengkap (16 digit, persis sama).")
    ordering = ("pk",)
    fields = (
        "nik",
        "family",
        "relationship",
        "full_name",
        "birth_place",
        "birth_date",
        "sex",
        "mother_name",
        "occupation",
        "address",
        "district_code",
    )

    @admin.display(description=_("NIK"), ordering="nik")
    def masked_nik(self, resident: Resident) -> str:
        return mask_number(resident.nik)

    @admin.display(description=_("nomor KK"), ordering="family_id")
    def masked_kk(self, resident: Resident) -> str:
        return mask_number(resident.family_id)
