from django.urls import path

from waves import views

app_name = "waves"

urlpatterns = [
    path("dashboard/gelombang/selesai/", views.joined, name="joined"),
    path("dashboard/riwayat/", views.history, name="history"),
]
