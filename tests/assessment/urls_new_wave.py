"""tests/assessment/urls.py, with the test's start page told that a new wave has opened since any moment,
as journey/urls.py will pass the waves app's answer."""

from django.urls import include, path

from assessment import views
from tests.assessment.urls import journey_patterns
from tests.assessment.urls import urlpatterns as base_urlpatterns


def a_wave_opened_after(moment) -> bool:
    return True


pages = [
    path(
        "dashboard/tes/",
        views.assessment_start,
        {"new_wave_opened_after": a_wave_opened_after},
        name="assessment_start",
    ),
    *[page for page in journey_patterns if page.name != "assessment_start"],
]

urlpatterns = [path("", include((pages, "journey"))), *base_urlpatterns[1:]]
