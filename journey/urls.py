"""The applicant's pages. Step pages of other apps are mounted here, behind the step guard, so each app's
views stay plain and only the journey knows the order (no app imports journey)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from assessment import views as assessment_views
from journey import views
from journey.guards import before_joining_a_wave, step_required, until_joining_a_wave
from verification import views as verification_views
from waves import views as waves_views

app_name = "journey"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    # The applicant's own data and account: open at any step after login, not steps themselves.
    path("dashboard/data-saya/", views.own_data, name="own_data"),
    path("dashboard/data-saya/unduh/", views.own_data_download, name="own_data_download"),
    path("dashboard/hapus-akun/", views.account_delete, name="account_delete"),
    path("dashboard/hapus-akun/selesai/", views.account_deleted, name="account_deleted"),
    path("dashboard/verifikasi-ktp/", step_required("ktp")(verification_views.ktp_verify), name="ktp_verify"),
    path(
        "dashboard/data-diri/", step_required("personal_data")(verification_views.personal_data), name="personal_data"
    ),
    path("dashboard/foto-ktp/", step_required("ktp_photo")(verification_views.ktp_photo), name="ktp_photo"),
    path("dashboard/nomor-hp/", step_required("phone")(verification_views.phone_verify), name="phone_verify"),
    path("dashboard/pernyataan/", step_required("declaration")(assessment_views.declaration), name="declaration"),
    # Correcting the declaration: open at any step until the applicant joins a wave (a join and the selection read
    # the declaration in force).
    path(
        "dashboard/pernyataan/ubah/",
        until_joining_a_wave(_("Pernyataan tidak dapat diubah setelah Anda bergabung di gelombang."))(
            assessment_views.declaration_correct
        ),
        name="declaration_correct",
    ),
    # The test's page with the one fact from waves it needs (when the latest wave opened): see views.assessment_start.
    path("dashboard/tes/", step_required("test")(views.assessment_start), name="assessment_start"),
    path("dashboard/nomor-hp/ganti/", before_joining_a_wave(verification_views.phone_change), name="phone_change"),
    path(
        "dashboard/tes/soal/<int:position>/",
        step_required("test")(assessment_views.assessment_question),
        name="assessment_question",
    ),
    path("dashboard/tes/periksa/", step_required("test")(assessment_views.assessment_review), name="assessment_review"),
    path("dashboard/gelombang/", step_required("wave")(waves_views.wave_list), name="wave_list"),
    path(
        "dashboard/gelombang/<int:number>/gabung/", step_required("wave")(waves_views.wave_confirm), name="wave_confirm"
    ),
    path(
        "dashboard/gelombang/<int:number>/persetujuan/",
        step_required("wave")(waves_views.wave_agreement),
        name="wave_agreement",
    ),
]
