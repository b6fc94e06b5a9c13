from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("kotak-masuk/", views.inbox, name="inbox"),
]
