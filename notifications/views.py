"""The demo inbox ("kotak masuk"): every SMS and email the portal sent, for a person trying the demo."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from notifications.selectors import inbox_messages

INBOX_PAGE_SIZE = 50


@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    # It shows every OTP and verification link to anyone: it exists only where the setting allows it.
    if not settings.DEMO_INBOX_ENABLED:
        raise Http404
    recipient = request.GET.get("to", "").strip()
    page = Paginator(inbox_messages(recipient=recipient), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "recipient": recipient})
