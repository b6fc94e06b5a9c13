"""The portal's URLs plus the floors of benchmarks/dashboard_throughput.py (benchmark tooling only).

Served only when ``BENCH_ROOT_URLCONF`` points here (benchmarks/bench_settings.py); the portal never imports
it.

- ``/bench/floor/``: a minimal logged-in Django page, the floor DESIGN §10 names: login required, database
  sessions and the project's middleware, 5 queries in all (the session, the user, and three look-ups by the
  user's key), a small template rendered with the same context processors (and a CSRF token, as every
  portal page with a form or the logout button has);
- ``/bench/bare/``: a bare ``HttpResponse``, through the same middleware, no session or query.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from accounts.models import User
from prakerja.urls import urlpatterns as portal_urlpatterns

FLOOR_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Floor · {{ PORTAL_NAME }}</title></head>
<body><main><h1>{{ user.email }}</h1><ul>{% for row in rows %}<li>{{ row }}</li>{% endfor %}</ul>
<form method="post" action="/keluar/">{% csrf_token %}<button type="submit">Keluar</button></form></main></body></html>"""
)


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    users = User.objects.filter(pk=request.user.pk)
    rows = [
        users.values_list("email", flat=True).first(),
        users.values_list("date_joined", flat=True).first(),
        users.values_list("last_login", flat=True).first(),
    ]
    return HttpResponse(FLOOR_TEMPLATE.render({"rows": rows}, request))


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/bare/", bare, name="bench-bare"),
    *portal_urlpatterns,
]
