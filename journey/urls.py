from django.urls import path

from journey import views

app_name = "journey"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
