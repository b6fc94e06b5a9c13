from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DukcapilConfig(AppConfig):
    name = "dukcapil"
    verbose_name = _("Dukcapil (tiruan)")
