"""Settings for the Prakerja portal.

Every value that differs between a laptop, CI and production is read here, once, from the environment
(django-environ); the rest of the code reads ``django.conf.settings`` only. docs/CONFIGURATION.md lists
every variable. With nothing set, the portal runs on the embedded default: SQLite, local-memory cache and a
Celery broker on the filesystem (kombu's filesystem transport), so a laptop with only Python can run it.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (written by `python3 dev.py`, never committed) fills in what the environment leaves unset, so
# plain `manage.py` commands on a laptop run with the demo's settings. Production has none. PRAKERJA_DOTENV
# names another file, or none when empty: the test suite and the benchmarks read none, so a demo's .env
# (DEBUG on, no staff second factor) cannot change what they test or measure.
DOTENV = env.str("PRAKERJA_DOTENV", default=str(BASE_DIR / ".env"))
if DOTENV and Path(DOTENV).exists():
    environ.Env.read_env(DOTENV)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Production secrets have no default: a missing one stops the process at start, not at first use.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Where files the portal writes live (SQLite file, the filesystem broker, file backends, private uploads).
VAR_DIR = Path(env.str("PRAKERJA_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "prakerja",  # the project's own checks (prakerja/checks.py)
    # Django's admin with the portal's site as the default one (staff sign in through /masuk/, second factor).
    "prakerja.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The portal's apps. Dependencies point one way (docs/ARCHITECTURE.md):
    # accounts <- verification <- assessment <- waves <- journey; notifications, regions and audit serve all.
    "regions",
    "notifications",
    "audit",
    "accounts",
    "verification",
    "assessment",
    "waves",
    "journey",
    # The operator console: like journey, at the top of the graph, reading the other apps' selectors.
    "console",
    # The mock civil registry: a separate service that happens to share the process. The portal reaches it
    # only through verification.registry (HTTP, or the in-process transport), never through its models.
    "dukcapil",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # early, so that every answer carries the policy, refusals included
    "prakerja.middleware.NulRefusalMiddleware",
    # The client address the audit log records, for whatever the request does (audit/context.py).
    "audit.middleware.ClientAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "prakerja.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the session's user verified by a second factor (django-otp); staff pages read it.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: it ends sessions that idled or lived too long (saying so), and keeps
    # pages seen signed in out of every cache.
    "prakerja.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prakerja.urls"
WSGI_APPLICATION = "prakerja.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prakerja.context_processors.portal",
            ],
            "libraries": {"portal": "prakerja.templatetags.portal"},
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default's SQLite file lives there
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo's web server and Celery worker share the file without
    # "database is locked" errors; IMMEDIATE makes a write transaction take its lock at BEGIN.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="prakerja"),
        },
        # The rate limits' counters, in the same Redis: while it is unreachable they fail closed instead of
        # raising (prakerja/cache.py), so only rate-limited forms are refused and every other page serves.
        "ratelimit": {
            "BACKEND": "prakerja.cache.RateLimitRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="prakerja"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered template fragments that depend only on the code, the language and settings (the footer, the
# dashboard's list of steps for a number of steps done): the same for every applicant, never stale within a
# deploy, so each process keeps its own and no request pays a round trip for them (issue #18).
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}

# With a shared cache (Redis), sessions are read from it and written through to the database (cached_db): a
# signed-in page costs no session query (docs/PERFORMANCE.md, "Applicant dashboard"); while Redis is down they
# come from the database alone (prakerja/sessions.py, Django's cached_db answered 500 then). A per-process cache
# (LocMemCache) would let a session ended in one gunicorn worker live on in another, so there only the database.
SESSION_ENGINE = "prakerja.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"

# --- Accounts, passwords, abuse limits ------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account+IP before a password hash is computed.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "journey:dashboard"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = int(timedelta(hours=2).total_seconds())

# How long an email verification link works, and how long "Kirim ulang" waits between two sends.
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=env.int("EMAIL_VERIFICATION_MAX_AGE_DAYS", default=3))
EMAIL_VERIFICATION_RESEND_COOLDOWN = timedelta(seconds=env.int("EMAIL_VERIFICATION_RESEND_COOLDOWN", default=60))

# Client IPs: the number of reverse proxies in front of the portal that append to X-Forwarded-For.
# 0 means the portal faces clients directly and the header is ignored (it could be forged).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login lockout (django-axes): 5 failures for one account from one address lock that pair for 15 minutes.
# Per-IP limits elsewhere are generous, because a mobile carrier puts thousands of phones behind one address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "prakerja.ratelimits.client_ip"
AXES_USERNAME_CALLABLE = "accounts.forms.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_VERBOSE = False

# Per-account protection without locking the owner out (docs/ARCHITECTURE.md, "Login"). Once an account has
# had LOGIN_STEP_UP_AFTER failed logins in an hour (or three times that in a day), from any addresses, a
# browser that does not hold a "known device" cookie for it must also enter a code emailed to the account.
# A browser the account logged in from before is not slowed by other people's failures, until it fails
# LOGIN_DEVICE_FAILURE_RATE itself.
LOGIN_STEP_UP_AFTER = env.int("LOGIN_STEP_UP_AFTER", default=10)
LOGIN_STEP_UP_RATES = (f"{LOGIN_STEP_UP_AFTER}/h", f"{LOGIN_STEP_UP_AFTER * 3}/d")
LOGIN_DEVICE_FAILURE_RATE = "10/h"
KNOWN_DEVICE_COOKIE_NAME = "prakerja_device"
KNOWN_DEVICE_MAX_AGE = timedelta(days=env.int("KNOWN_DEVICE_DAYS", default=180))
KNOWN_DEVICE_MAX_ACCOUNTS = 5  # accounts one browser remembers (a family sharing a phone)
# The emailed login code ("Kode masuk"): 6 digits, stored as a keyed hash, single use.
LOGIN_CODE_LENGTH = 6
LOGIN_CODE_VALIDITY = timedelta(minutes=env.int("LOGIN_CODE_MINUTES", default=10))
LOGIN_CODE_MAX_GUESSES = 5  # wrong entries before the attempt must start again
LOGIN_CODE_RESEND_AFTER = timedelta(seconds=60)
# Codes per account per hour, whoever asks: someone who has the password cannot flood the owner's inbox.
LOGIN_CODE_MAX_PER_HOUR = env.int("LOGIN_CODE_MAX_PER_HOUR", default=5)

# Staff sign in with a second factor (TOTP through django-otp): required in production, switchable off for
# the demo (dev.py sets it off). Staff pages refuse a session that has not passed it (prakerja/staff.py).
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=not DEBUG)
# django-otp's throttle: after n wrong TOTP codes in a row the next try waits 2^(n-1) seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key

# django-ratelimit: keys by the same client IP as axes. Each action lists its rules as (key, rate); a request
# over any one of them is refused with a clear message and its form kept. "ip" rules are generous (carrier
# NAT), "email"/"user" rules are tight. Rates are "count/period" with period s, m, h or d.
RATELIMIT_IP_META_KEY = "prakerja.ratelimits.client_ip"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "ratelimit" if REDIS_URL else "default"
RATE_LIMITS = {
    "signup": [("ip", "60/h"), ("email", "3/h")],
    # No per-email refusal on login: it would let anyone keep the owner out. Failures per account ask for
    # more instead (LOGIN_STEP_UP_AFTER below).
    "login": [("ip", "300/h")],
    "login_code": [("ip", "300/h")],
    "password_reset": [("ip", "60/h"), ("email", "3/h")],
    "email_verification_resend": [("ip", "120/h"), ("user", "5/h"), ("user", "10/d")],
    # "Ganti email" asks for the password: per account, so a session left open cannot be used to guess it.
    "email_change": [("ip", "60/h"), ("user", "5/h")],
    # The password asked again before "Data saya" and before deleting the account: per account, for the same reason.
    "password_confirm": [("ip", "60/h"), ("user", "5/h")],
    "account_delete": [("ip", "60/h"), ("user", "5/h")],
    # NIK checks: tight per account so the form cannot be used to enumerate NIKs or probe the registry.
    "ktp_verify": [("ip", "120/h"), ("user", "10/h"), ("user", "20/d")],
    "personal_data": [("ip", "120/h"), ("user", "20/h")],
    "ktp_photo": [("ip", "120/h"), ("user", "20/h")],
    "complaint_upload": [("ip", "120/h"), ("user", "20/h")],
    # OTP: the per-number and per-account daily caps are domain rules (OTP_MAX_PER_DAY, counted in WIB);
    # these rates stop bursts and guessing across many numbers from one place.
    "otp_send": [("ip", "60/h"), ("user", "10/h")],
    "otp_verify": [("ip", "300/h"), ("user", "30/h")],
}

# --- Celery -------------------------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    # A broker that needs no server, so the demo still runs a real worker and beat on one laptop.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        # Its exchange tables, which kombu otherwise writes to ./control in whatever folder the process started.
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
        "polling_interval": 0.5,
    }
    # kombu's filesystem transport needs its folders to exist before the first message.
    for _folder in (_broker_dir, VAR_DIR / "celery-processed", VAR_DIR / "celery-control"):
        _folder.mkdir(parents=True, exist_ok=True)
# Tasks run in the calling process when true (tests); otherwise a worker runs them.
CELERY_TASK_ALWAYS_EAGER = env.bool("PRAKERJA_TASKS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Housekeeping, not delivery: it never waits behind a bulk announcement, nor an announcement behind it.
    "notifications.tasks.message_bodies_purge_task": {"queue": "default"},
    "notifications.tasks.*": {"queue": "notifications"},
    "waves.tasks.selection_run_task": {"queue": "selection"},
}
# One-time codes go to their own queue, so a bulk announcement draining "notifications" never delays them.
OTP_QUEUE = "otp"
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.tasks.outbox_sweep_task",
        "schedule": timedelta(seconds=env.int("OUTBOX_SWEEP_SECONDS", default=30)),
    },
    # Records the opening, closing and announcement that time has already made (pages read them from
    # the times; this makes them permanent and audited).
    "waves-record-schedule": {
        "task": "waves.tasks.waves_record_schedule_task",
        "schedule": timedelta(minutes=1),
    },
    # Queues the selection of closed waves whose policy is to select automatically (never retries a failure).
    "waves-select-closed": {
        "task": "waves.tasks.selections_schedule_task",
        "schedule": timedelta(minutes=1),
    },
    # The operator console's funnel snapshots (console/services.py): only the waves whose funnel can have changed.
    "console-funnels-refresh": {
        "task": "console.tasks.funnels_refresh_task",
        "schedule": timedelta(minutes=1),
    },
    # Scores tests whose time ran out. Pages already treat them as finished when read; this makes it
    # permanent for applicants who never come back.
    "assessment-finish-expired": {
        "task": "assessment.tasks.attempts_finish_expired_task",
        "schedule": timedelta(minutes=1),
    },
    # Retention (docs/PRIVACY.md): personal data past its period goes, a short transaction per batch. Hourly,
    # so each run has an hour's worth to do rather than a day's.
    "accounts-purge-unverified": {
        "task": "accounts.tasks.unverified_accounts_purge_task",
        "schedule": timedelta(hours=1),
    },
    "accounts-purge-login-codes": {
        "task": "accounts.tasks.login_codes_purge_task",
        "schedule": timedelta(hours=1),
    },
    "verification-purge-otp-codes": {
        "task": "verification.tasks.otp_codes_purge_task",
        "schedule": timedelta(hours=1),
    },
    "accounts-purge-sessions": {
        "task": "accounts.tasks.sessions_purge_task",
        "schedule": timedelta(hours=1),
    },
    "notifications-purge-bodies": {
        "task": "notifications.tasks.message_bodies_purge_task",
        "schedule": timedelta(hours=1),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "Asia/Jakarta"

# --- Notifications ------------------------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds before a silent SMTP server counts as a failed attempt; a hung send would outlive its outbox lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_FILE_PATH = str(VAR_DIR / "sent-email")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kartu Prakerja <noreply@prakerja.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# No default outside DEBUG: a deployment names its gateway, or refuses to start (prakerja/checks.py).
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.ConsoleBackend" if DEBUG else "")
SMS_FILE_PATH = str(VAR_DIR / "sent-sms")
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="PRAKERJA")
# The generic HTTP gateway (SMS_BACKEND=notifications.sms.HttpBackend): POST JSON, key as Idempotency-Key.
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)

OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
OUTBOX_LEASE = timedelta(seconds=env.int("OUTBOX_LEASE_SECONDS", default=120))
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE = timedelta(seconds=env.int("OUTBOX_RETRY_BASE_SECONDS", default=30))
# The longest wait between two attempts: the doubling backoff stops growing here.
OUTBOX_RETRY_MAX = timedelta(seconds=env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600))

# The demo inbox at /kotak-masuk/ shows every SMS and email the portal sent. Never on in production.
DEMO_INBOX_ENABLED = env.bool("PRAKERJA_DEMO_INBOX", default=False)
if DEMO_INBOX_ENABLED and not DEBUG:
    raise ImproperlyConfigured("PRAKERJA_DEMO_INBOX shows every message sent; it needs DJANGO_DEBUG=1.")

# The address used in links inside emails and SMS (the portal has no request at delivery time).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Language, time ----------------------------------------------------------------------------------

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "prakerja_language"
# The zone times are shown in: templates print them with "WIB" after them. Day-based rules do not read it; they
# count Jakarta's day through prakerja/timeutil.py.
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
# A session ends after SESSION_IDLE_TIMEOUT without a request (a phone left on a table, a shared computer in
# a kiosk) and at the latest SESSION_COOKIE_AGE after the login, however active (prakerja.middleware).
SESSION_COOKIE_AGE = int(timedelta(hours=env.int("SESSION_MAX_HOURS", default=12)).total_seconds())
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
# Pages that show or erase everything the portal holds about an applicant ("Data saya", its download, deleting the
# account) open only this long after the password was last entered (at login, or again on a confirm page), so a
# session left open on a shared phone does not hand them over (accounts/recent_login.py).
RECENT_LOGIN_WINDOW = timedelta(minutes=env.int("RECENT_LOGIN_MINUTES", default=15))
# Content-Security-Policy (django-csp): only the portal's own files; no inline script or style anywhere, so
# no nonce is needed. Bootstrap's CSS draws its form icons as data: SVGs; the region picker fetches JSON.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=int(timedelta(days=365).total_seconds()))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging: no personal data; messages name ids, never NIK, KK, codes or passwords -------------------

# Every handler masks what slips through anyway (prakerja/redaction.py); a new handler must list the filter too
# (tests/prakerja/test_redaction.py). Django's own "django" logger mails errors to ADMINS through the same filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "prakerja.redaction.PersonalDataLogFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
        # runserver's request lines (a query string can hold a number): Django's handler, with the filter.
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["personal_data"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default handlers for it (a console of its own in DEBUG, mail_admins): the root's
        # console prints its records, this mail_admins masks them.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        # The filesystem broker has no host name; kombu warns about it on every publish.
        "kombu.connection": {"level": "WARNING" if REDIS_URL else "ERROR"},
    },
}

# A 500's report (mailed to ADMINS, or the DEBUG page) hides personal form fields and variables on every view and
# masks NIK, KK, phone numbers and emails in the rest (prakerja/redaction.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "prakerja.redaction.PersonalDataReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "prakerja.redaction.PersonalDataExceptionReporter"

# --- Personal data: encrypted at rest, with a keyed blind index (prakerja/crypto.py) -----------------------

# Keys of 32 bytes in urlsafe base64 (as Fernet makes them; prakerja/crypto.py derives its AEAD keys from them),
# newest first: the first encrypts, all decrypt. To rotate, put a new key first and run ``manage.py
# pii_rotate_keys``; drop the old key once it has finished (docs/PRIVACY.md).
# The blind index keys make the HMAC that uniqueness, look-ups and the KK grouping use, newest first: the first
# writes, all are tried by look-ups; ``manage.py pii_reindex`` moves the stored indexes to the first. A single
# key may still be given as PII_BLIND_INDEX_KEY. Neither has a default outside DEBUG.
if DEBUG:
    PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=["ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="])
    PII_BLIND_INDEX_KEYS = env.list("PII_BLIND_INDEX_KEYS", default=[]) or [
        env.str("PII_BLIND_INDEX_KEY", default="demo-only-blind-index-key")
    ]
else:
    PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS")
    PII_BLIND_INDEX_KEYS = env.list("PII_BLIND_INDEX_KEYS", default=[]) or [env.str("PII_BLIND_INDEX_KEY")]
# The keys that seal what an account deletion keeps of a recipient's NIK and KK (prakerja/crypto.py, pii_seal),
# OLDEST first: a seal is a chain of HMACs through every key, so a new key is appended, never swapped in, and
# ``manage.py pii_reindex`` extends the stored seals through it. None of them may ever be removed.
PII_RETAINED_INDEX_KEYS = (
    env.list("PII_RETAINED_INDEX_KEYS", default=["demo-only-retained-index-key"])
    if DEBUG
    else env.list("PII_RETAINED_INDEX_KEYS")
)
# How many rows pii_rotate_keys and pii_reindex rewrite per transaction.
PII_ROTATION_BATCH_SIZE = env.int("PII_ROTATION_BATCH_SIZE", default=1000)

# --- The civil registry (Dukcapil) -------------------------------------------------------------------

# Set DUKCAPIL_URL (e.g. http://127.0.0.1:8000/dukcapil/api/v1/) to reach the registry over HTTP; unset,
# the portal calls the mock in-process, through the same client code.
DUKCAPIL_URL = env.str("DUKCAPIL_URL", default="")
DUKCAPIL_API_KEY = env.str("DUKCAPIL_API_KEY", default="demo-dukcapil-key") if DEBUG else env.str("DUKCAPIL_API_KEY")
DUKCAPIL_TIMEOUT = env.float("DUKCAPIL_TIMEOUT", default=3.0)
DUKCAPIL_RETRIES = env.int("DUKCAPIL_RETRIES", default=2)
DUKCAPIL_RETRY_BACKOFF = env.float("DUKCAPIL_RETRY_BACKOFF", default=0.2)
# The mock registry (dukcapil/) serves its API at /dukcapil/api/v1/ and answers the in-process client only when
# enabled: by default with DEBUG; a deployment that simulates the registry says so (prakerja/checks.py).
DUKCAPIL_MOCK_ENABLED = env.bool("DUKCAPIL_MOCK_ENABLED", default=DEBUG)
# The mock service's keys, and its simulated trouble: added latency and a share of requests that fail (503).
DUKCAPIL_MOCK_API_KEYS = env.list("DUKCAPIL_MOCK_API_KEYS", default=[DUKCAPIL_API_KEY])
DUKCAPIL_MOCK_LATENCY_MS = env.int("DUKCAPIL_MOCK_LATENCY_MS", default=0)
DUKCAPIL_MOCK_FAILURE_RATE = env.float("DUKCAPIL_MOCK_FAILURE_RATE", default=0.0)
# Shown to an applicant whose data the registry does not match (the real contacts, from the seed article).
DUKCAPIL_CONTACTS = {
    "call_center": env.str("DUKCAPIL_CALL_CENTER", default="1500537"),
    "whatsapp_sms": env.str("DUKCAPIL_WHATSAPP", default="08118005373"),
    "email": env.str("DUKCAPIL_EMAIL", default="callcenter@dukcapil.kemendagri.go.id"),
}

# The portal's own help desk, shown where only a person can help (a NIK held by another account).
PORTAL_HELP_CONTACTS = {
    "call_center": env.str("PRAKERJA_HELP_CALL_CENTER", default=""),
    "email": env.str("PRAKERJA_HELP_EMAIL", default="bantuan@prakerja.example"),
}

# --- Phone verification (OTP) ------------------------------------------------------------------------

OTP_LENGTH = 6
OTP_VALIDITY = timedelta(seconds=env.int("OTP_VALIDITY_SECONDS", default=300))
OTP_MAX_GUESSES = env.int("OTP_MAX_GUESSES", default=5)  # wrong guesses before a code is void
OTP_RESEND_AFTER = timedelta(seconds=env.int("OTP_RESEND_AFTER_SECONDS", default=60))
OTP_MAX_PER_DAY = env.int("OTP_MAX_PER_DAY", default=5)  # codes per number and per account per day (WIB)

# --- Retention of personal data (docs/PRIVACY.md, UU PDP 27/2022) --------------------------------------


def _retention_days(name: str, default: int) -> timedelta:
    days = env.int(name, default=default)
    # Codes must outlive the day the daily OTP cap counts (since midnight WIB), and no period may be zero: a
    # zero would purge what was just written (an account seconds after sign-up, a body before it is read).
    if days < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1 (days); it is {days}.")
    return timedelta(days=days)


# An account whose email was never verified goes this long after sign-up and after its last verification link.
UNVERIFIED_ACCOUNT_RETENTION = _retention_days("RETENTION_UNVERIFIED_ACCOUNT_DAYS", 7)
# Phone OTP codes and emailed login codes, used or not, go this long after they expired.
CODE_RETENTION = _retention_days("RETENTION_CODE_DAYS", 7)
# The text of a sent (or finally failed) SMS or email goes this long after it was sent (or last tried); the
# row stays, for delivery accounting.
MESSAGE_BODY_RETENTION = _retention_days("RETENTION_MESSAGE_BODY_DAYS", 30)
# Rows per transaction of a purge: small enough that no lock is held for long on a large table.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
if RETENTION_BATCH_SIZE < 1:
    raise ImproperlyConfigured(f"RETENTION_BATCH_SIZE must be at least 1; it is {RETENTION_BATCH_SIZE}.")

# --- The motivation and basic-ability test ------------------------------------------------------------

# 0 lets every finished test pass (demos); the real threshold is a policy decision, hence a variable.
TEST_PASS_SCORE = env.int("PRAKERJA_TEST_PASS_SCORE", default=60)
TEST_DURATION = timedelta(minutes=env.int("PRAKERJA_TEST_MINUTES", default=25))
TEST_QUESTION_COUNT = 18

# --- Waves and cards --------------------------------------------------------------------------------

CARD_BALANCE = env.int("PRAKERJA_CARD_BALANCE", default=1_000_000)  # saldo pelatihan, in rupiah
FIRST_TRAINING_DAYS = env.int(
    "PRAKERJA_FIRST_TRAINING_DAYS", default=30
)  # to buy a first training, from the announcement

# --- Uploads ------------------------------------------------------------------------------------------

# Private files (KTP photos, signed statements) live here, outside any public URL; views serve them to
# their owner and to staff only.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
# Phones take photos of 3-8 MB: accept up to 10 MB, store a re-encoded copy of at most 2 MB.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
KTP_PHOTO_STORED_MAX_BYTES = env.int("KTP_PHOTO_STORED_MAX_BYTES", default=2 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- The portal's own constants -----------------------------------------------------------------------

PORTAL_NAME = "Kartu Prakerja"
OTP_TOTP_ISSUER = PORTAL_NAME  # the name authenticator apps show beside the code
