from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("operator/", views.overview, name="overview"),
    path("operator/gelombang/<int:number>/", views.wave_detail, name="wave_detail"),
    path("operator/gelombang/<int:number>/hitung-ulang/", views.funnel_refresh, name="funnel_refresh"),
    path("operator/gelombang/<int:number>/hasil.csv", views.results_csv, name="results_csv"),
    path("operator/gelombang/<int:number>/corong.csv", views.funnel_csv, name="funnel_csv"),
]
