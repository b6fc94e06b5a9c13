"""With DEBUG off the portal refuses to start on settings that would fail silently, and says how to fix them.

Each case runs the real commands in a subprocess with a production-like environment and the real settings, which
read no .env (PRAKERJA_DOTENV is empty), as in production.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **changes) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "prakerja.settings",
        "PRAKERJA_DOTENV": "",
        "SECRET_KEY": "x" * 64 + "production-like-secret-for-the-check",
        "ALLOWED_HOSTS": "prakerja.example",
        "PRAKERJA_VAR_DIR": str(tmp_path),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/check.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # not connected to by the checks
        "PII_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGhlLWNoZWNr",
        "PII_BLIND_INDEX_KEY": "production-like-blind-index-key",
        "PII_RETAINED_INDEX_KEYS": "production-like-retained-index-key",
        "DUKCAPIL_API_KEY": "production-like-registry-key",
        "DUKCAPIL_URL": "https://registry.example/api/v1/",
        "SMS_BACKEND": "notifications.sms.HttpBackend",
        "SMS_HTTP_URL": "https://sms-gateway.example/send",
        "SMS_HTTP_TOKEN": "production-like-token",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example",
        "DJANGO_DEBUG": "0",
        "PRAKERJA_DEMO_INBOX": "0",
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run(production_env(tmp_path), sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("changes", "code", "fix"),
    [
        ({"SMS_BACKEND": ""}, "prakerja.E001", "SMS_BACKEND=notifications.sms.HttpBackend"),
        ({"SMS_BACKEND": "notifications.sms.FileBackend"}, "prakerja.E001", "SMS_HTTP_URL"),
        ({"SMS_BACKEND": "notifications.sms.ConsoleBackend"}, "prakerja.E001", "SMS_HTTP_URL"),
        ({"SMS_HTTP_URL": ""}, "prakerja.E002", "SMS_HTTP_URL"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "prakerja.E003", "EMAIL_HOST"),
        ({"REDIS_URL": None}, "prakerja.E004", "REDIS_URL"),
        ({"DUKCAPIL_URL": None}, "prakerja.E005", "DUKCAPIL_MOCK_ENABLED=1"),
    ],
)
def test_a_setting_that_would_fail_silently_stops_every_command_with_its_fix(tmp_path, changes, code, fix):
    result = run(production_env(tmp_path, **changes), sys.executable, "manage.py", "check")

    assert result.returncode != 0
    assert code in result.stderr and fix in result.stderr


def test_a_private_folder_others_can_read_stops_the_portal(tmp_path):
    (tmp_path / "private").mkdir(mode=0o755)
    (tmp_path / "private").chmod(0o755)

    result = run(production_env(tmp_path), sys.executable, "manage.py", "check")

    assert result.returncode != 0 and "prakerja.E006" in result.stderr and "chmod 700" in result.stderr


def test_the_mock_registry_may_serve_a_simulated_deployment_when_asked_for(tmp_path):
    env = production_env(tmp_path, DUKCAPIL_URL=None, DUKCAPIL_MOCK_ENABLED="1")

    result = run(env, sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr


def test_the_mock_registry_api_is_not_mounted_in_production_unless_asked_for(tmp_path):
    probe = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/dukcapil/api/v1/health')\n    print('mounted')\n"
        "except Resolver404:\n    print('absent')"
    )

    absent = run(production_env(tmp_path), sys.executable, "-c", probe)
    mounted = run(production_env(tmp_path, DUKCAPIL_MOCK_ENABLED="1"), sys.executable, "-c", probe)

    assert absent.stdout.strip() == "absent", absent.stderr
    assert mounted.stdout.strip() == "mounted", mounted.stderr


def test_the_wsgi_application_refuses_to_start(tmp_path):
    result = run(production_env(tmp_path, REDIS_URL=None), sys.executable, "-c", "import prakerja.wsgi")

    assert result.returncode != 0
    assert "The portal refuses to start" in result.stderr and "REDIS_URL" in result.stderr


def test_a_celery_worker_refuses_to_start(tmp_path):
    # No Redis here, so the broker is the filesystem one; the worker must stop at its start, not serve.
    env = production_env(tmp_path, REDIS_URL=None)

    result = run(
        env,
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "prakerja",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "WARNING",
        timeout=90,
    )

    assert result.returncode != 0
    assert "The portal refuses to start" in result.stdout + result.stderr


def test_a_demo_with_debug_on_starts_with_its_laptop_settings(tmp_path):
    env = production_env(
        tmp_path,
        DJANGO_DEBUG="1",
        REDIS_URL=None,
        SMS_BACKEND="notifications.sms.FileBackend",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        DUKCAPIL_URL=None,
    )

    result = run(env, sys.executable, "manage.py", "check")

    assert result.returncode == 0, result.stderr


def test_a_check_silenced_by_name_does_not_stop_the_start(settings):
    from prakerja.checks import refuse_to_start

    settings.DEBUG = False
    settings.SMS_BACKEND = "notifications.sms.FileBackend"
    # (E004: without REDIS_URL the suite's cache is per process)
    settings.SILENCED_SYSTEM_CHECKS = ["prakerja.E001", "prakerja.E003", "prakerja.E004"]

    refuse_to_start()  # nothing else is wrong in the test settings

    settings.SILENCED_SYSTEM_CHECKS = []
    with pytest.raises(ImproperlyConfigured, match=r"prakerja\.E001"):
        refuse_to_start()
