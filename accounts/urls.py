from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.signup, name="signup"),
    path("daftar/cek-email/", views.signup_done, name="signup_done"),
    path("kebijakan-privasi/", views.privacy_policy, name="privacy_policy"),
    path("syarat-dan-ketentuan/", views.terms, name="terms"),
    path("verifikasi-email/kirim-ulang/", views.email_verification_resend, name="email_verification_resend"),
    path("verifikasi-email/<str:token>/", views.email_verify, name="email_verify"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("masuk/kode/", views.login_code, name="login_code"),
    path("masuk/kode/kirim-ulang/", views.login_code_resend, name="login_code_resend"),
    path("masuk/autentikator/", views.staff_otp, name="staff_otp"),
    path("masuk/autentikator/pasang/", views.staff_otp_setup, name="staff_otp_setup"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", views.password_change, name="password_change"),
    path("akun/konfirmasi-kata-sandi/", views.password_confirm, name="password_confirm"),
    path("akun/email/", views.email_change, name="email_change"),
    path("akun/email/konfirmasi/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("lupa-password/", views.password_reset, name="password_reset"),
    path("lupa-password/terkirim/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "lupa-password/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("lupa-password/selesai/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
