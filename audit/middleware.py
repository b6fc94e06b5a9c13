from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import client_address_set
from prakerja.ratelimits import client_ip


class ClientAddressMiddleware:
    """Makes the request's client address the one audit entries record while it is handled (audit/context.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client_address_set(client_ip(request)):
            return self.get_response(request)
