"""tests/assessment/urls.py, with the test's start page told that a wave opened half an hour after T0, as
journey.views.assessment_start passes the waves app's answer (waves.selectors.wave_last_opened_at)."""

from django.urls import include, path

from assessment import views
from tests.assessment.urls import journey_patterns
from tests.assessment.urls import urlpatterns as base_urlpatterns
from tests.clock import MINUTE, T0

A_WAVE_OPENED_AT = T0 + 30 * MINUTE

pages = [
    path(
        "dashboard/tes/", views.assessment_start, {"latest_wave_opened_at": A_WAVE_OPENED_AT}, name="assessment_start"
    ),
    *[page for page in journey_patterns if page.name != "assessment_start"],
]

urlpatterns = [path("", include((pages, "journey"))), *base_urlpatterns[1:]]
