from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("wilayah/<str:code>/", views.region_children, name="children"),
]
