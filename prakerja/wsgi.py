import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings")

application = get_wsgi_application()

# gunicorn runs no system checks: a deployment missing an SMS gateway, a shared cache or a registry stops here,
# with the fix, instead of failing silently later.
from prakerja.checks import refuse_to_start  # noqa: E402

refuse_to_start()
