"""A test-only URLconf: the project's URLs with the assessment step pages mounted WITHOUT the journey's guard,
under the names journey/urls.py gives them, so the pages are tested on their own (the guard has its tests)."""

from django.urls import URLResolver, include, path

from assessment import views
from journey import urls as journey_urls
from prakerja.urls import urlpatterns as project_urlpatterns

STEP_PAGES = [
    path("dashboard/pernyataan/", views.declaration, name="declaration"),
    path("dashboard/tes/", views.assessment_start, name="assessment_start"),
    path("dashboard/tes/soal/<int:position>/", views.assessment_question, name="assessment_question"),
    path("dashboard/tes/periksa/", views.assessment_review, name="assessment_review"),
]
_ours = {page.name for page in STEP_PAGES}


def _is(pattern, namespace: str) -> bool:
    return isinstance(pattern, URLResolver) and pattern.namespace == namespace


journey_patterns = STEP_PAGES + [page for page in journey_urls.urlpatterns if getattr(page, "name", None) not in _ours]

urlpatterns = [
    path("", include((journey_patterns, "journey"))),
    path("", include("assessment.urls")),
    *[pattern for pattern in project_urlpatterns if not _is(pattern, "journey") and not _is(pattern, "assessment")],
]
