from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_HELP": settings.PORTAL_HELP_CONTACTS,  # the header and footer show them on every page
        "DEMO_INBOX_ENABLED": settings.DEMO_INBOX_ENABLED,
        "SESSION_IDLE_SECONDS": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
    }
