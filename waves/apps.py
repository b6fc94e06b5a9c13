from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WavesConfig(AppConfig):
    name = "waves"
    verbose_name = _("Gelombang")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from waves.lottery import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="waves.lottery.sqlite")

        from prakerja.shared_cache import shared_invalidate_on
        from waves.models import AgreementText, ProvinceQuota, StatementText, Wave

        # What waves_for_province and the texts' pages read from the shared cache (prakerja/shared_cache.py).
        shared_invalidate_on("waves", (Wave, ProvinceQuota))
        shared_invalidate_on("texts", (AgreementText, StatementText))
