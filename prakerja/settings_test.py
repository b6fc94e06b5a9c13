"""Settings for the test suite: the real settings, read from the same environment, with test defaults.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite runs on SQLite/local memory
on a laptop and on PostgreSQL/Redis in CI (.ci/run).
"""

import os

# The suite tests the settings it states here and in the environment, never a laptop's demo .env.
os.environ["PRAKERJA_DOTENV"] = ""
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("PRAKERJA_TASKS_EAGER", "1")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("PRAKERJA_DEMO_INBOX", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("PII_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTMyYis=")
os.environ.setdefault("PII_BLIND_INDEX_KEY", "test-only-blind-index-key")
os.environ.setdefault("PII_RETAINED_INDEX_KEYS", "test-only-retained-index-key")
os.environ.setdefault("DUKCAPIL_API_KEY", "test-dukcapil-key")
os.environ.setdefault("DUKCAPIL_MOCK_ENABLED", "1")  # the suite verifies identities against the mock registry

from prakerja.settings import *  # noqa: F403

# Argon2 costs ~130 ms and most of both cores per hash; tests hash hundreds of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.MemoryBackend"
# The suite keeps what it sends in memory on purpose; the in-thread Celery worker of the worker tests runs
# the deployment checks at start (prakerja/checks.py) and would refuse these two.
SILENCED_SYSTEM_CHECKS = ["prakerja.E001", "prakerja.E003"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
SITE_URL = "http://testserver"
