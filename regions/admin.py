"""Read-only admin for the region tables: they are Kemendagri reference data, changed only by
``regions_load`` from the shipped file, never by hand."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from regions.models import District, Province, Regency


class ReadOnlyAdmin(admin.ModelAdmin):
    # "^code" matches from the start, so "32.76" finds Depok and everything in it.
    search_fields = ["^code", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "regency", "province"]
    # A filter over 514 regencies would be a wall of links; search by code ("32.76") narrows to one.
    list_filter = ["regency__province"]
    list_select_related = ["regency__province"]

    @admin.display(description=_("Provinsi"), ordering="regency__province__name")
    def province(self, obj: District) -> str:
        return obj.regency.province.name
