from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Wilayah")

    def ready(self) -> None:
        from prakerja.shared_cache import shared_invalidate_on
        from regions.models import District, Province, Regency

        shared_invalidate_on("regions", (Province, Regency, District))
