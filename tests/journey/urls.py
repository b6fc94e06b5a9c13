"""A test-only URLconf: the project's URLs plus a page guarded as a later step, to exercise the guard."""

from django.http import HttpResponse
from django.urls import path

from journey.guards import step_required
from prakerja.urls import urlpatterns as project_urlpatterns


@step_required("account")
def account_step(request):
    return HttpResponse("account step")


@step_required("ktp")
def ktp_step(request):
    return HttpResponse(f"ktp step {request.journey.current.number}")


@step_required("phone")
def phone_step(request):
    return HttpResponse("phone step")


urlpatterns = [
    path("test-step/account/", account_step),
    path("test-step/ktp/", ktp_step),
    path("test-step/phone/", phone_step),
    *project_urlpatterns,
]
