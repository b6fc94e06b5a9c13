from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PrakerjaConfig(AppConfig):
    """The project itself as an app: the deployment checks (prakerja/checks.py) need an app to register."""

    name = "prakerja"
    verbose_name = _("Portal Kartu Prakerja")
    default = True

    def ready(self) -> None:
        from prakerja import checks  # noqa: F401  (registers the checks)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the portal's site as ``admin.site`` so every app's @admin.register lands on it.

    Named in INSTALLED_APPS in place of django.contrib.admin; not this module's default config (that is the
    project's own, above), hence ``default = False`` (AdminConfig's is True).
    """

    default = False
    default_site = "prakerja.admin.PortalAdminSite"
