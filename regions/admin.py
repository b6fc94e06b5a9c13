"""Read-only admin for the region tables: they are Kemendagri reference data, changed only by
``regions_load`` from the shipped file, never by hand."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prakerja.admin import ReadOnlyAdmin
from regions.models import District, Province, Regency


class RegionAdmin(ReadOnlyAdmin):
    # "^code" matches from the start, so "32.76" finds Depok and everything in it.
    search_fields = ["^code", "name"]


@admin.register(Province)
class ProvinceAdmin(RegionAdmin):
    list_display = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(RegionAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(RegionAdmin):
    list_display = ["code", "name", "regency", "province"]
    # A filter over 514 regencies would be a wall of links; search by code ("32.76") narrows to one.
    list_filter = ["regency__province"]
    list_select_related = ["regency__province"]

    @admin.display(description=_("Provinsi"), ordering="regency__province__name")
    def province(self, obj: District) -> str:
        return obj.regency.province.name
