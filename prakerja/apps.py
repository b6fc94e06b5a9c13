from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrakerjaConfig(AppConfig):
    """The project itself as an app: the deployment checks (prakerja/checks.py) need an app to register."""

    name = "prakerja"
    verbose_name = _("Portal Kartu Prakerja")

    def ready(self) -> None:
        from prakerja import checks  # noqa: F401  (registers the checks)
