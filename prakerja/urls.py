from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from prakerja import views

urlpatterns = [
    path("", include("journey.public_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sesi/perpanjang/", views.session_keepalive, name="session_keepalive"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("accounts.urls")),
    path("", include("journey.urls")),
    path("", include("notifications.urls")),
    path("", include("verification.urls")),
    path("", include("assessment.urls")),
    path("", include("waves.urls")),
    path("", include("regions.urls")),
    path("", include("console.urls")),
    path("admin/", admin.site.urls),
]
if settings.DUKCAPIL_MOCK_ENABLED:
    # The mock civil registry's API; never mounted in a deployment that did not ask for the mock.
    urlpatterns.append(path("dukcapil/api/v1/", include("dukcapil.urls")))
