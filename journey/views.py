from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from journey.selectors import journey_for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    journey = journey_for(request.user)
    return render(request, "journey/dashboard.html", {"journey": journey, "current": journey.current})
