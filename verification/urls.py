"""Pages of this app that are not journey steps (the steps are mounted by journey/urls.py, behind the guard)."""

from django.urls import path

from verification import views

app_name = "verification"

urlpatterns = [
    path("verifikasi/foto-ktp/<int:pk>/<str:variant>/", views.ktp_photo_file, name="ktp_photo_file"),
]
