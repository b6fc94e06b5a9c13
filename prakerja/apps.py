from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, with the portal's site as ``admin.site`` so every app's @admin.register lands on it."""

    default_site = "prakerja.admin.PortalAdminSite"
