from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.signup, name="signup"),
    path("daftar/cek-email/", views.signup_done, name="signup_done"),
    path("verifikasi-email/kirim-ulang/", views.email_verification_resend, name="email_verification_resend"),
    path("verifikasi-email/<str:token>/", views.email_verify, name="email_verify"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("lupa-password/", views.password_reset, name="password_reset"),
    path("lupa-password/terkirim/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "lupa-password/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("lupa-password/selesai/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
