"""The landing page, at the site's root and named "home" without a namespace (the logout and the top bar go
there)."""

from django.urls import path

from journey import views

urlpatterns = [path("", views.home, name="home")]
