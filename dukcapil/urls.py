"""The mock registry's API, mounted at /dukcapil/api/v1/ (DESIGN §9)."""

from django.urls import path

from dukcapil import views

app_name = "dukcapil"

# Without a trailing slash is the canonical form; with one answers the same, because a redirect would turn
# a client's POST into a GET and lose its body.
urlpatterns = [
    path("verifikasi", views.verify, name="verify"),
    path("verifikasi/", views.verify),
    path("health", views.health, name="health"),
    path("health/", views.health),
]
