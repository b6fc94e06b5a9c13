"""The assessment pages that are not journey steps. The step pages (declaration, test start, questions) are
mounted by journey/urls.py behind the step guard; the result stays reachable after the step is done."""

from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("dashboard/tes/hasil/", views.assessment_result, name="assessment_result"),
]
