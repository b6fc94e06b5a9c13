from django.urls import path

from waves import views

app_name = "waves"

urlpatterns = [
    path("dashboard/gelombang/selesai/", views.joined, name="joined"),
    path("dashboard/riwayat/", views.history, name="history"),
    path("dashboard/gagal-3-kali/", views.complaint, name="complaint"),
    path("dashboard/gagal-3-kali/surat-pernyataan.pdf", views.complaint_letter, name="complaint_letter"),
    path("dashboard/gagal-3-kali/<int:pk>/berkas/", views.complaint_file, name="complaint_file"),
    path("transparansi/", views.transparency, name="transparency"),
    path("transparansi/cara-memeriksa/", views.lottery_explained, name="lottery_explained"),
    path("transparansi/gelombang/<int:number>/", views.transparency_wave_page, name="transparency_wave"),
    path("transparansi/gelombang/<int:number>/undian.csv", views.transparency_csv, name="transparency_csv"),
]
