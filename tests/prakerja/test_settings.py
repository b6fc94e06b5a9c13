"""The settings a process runs with: a laptop's demo .env fills gaps for manage.py, never for tests or benchmarks.

`python3 dev.py` writes the demo's .env (DEBUG on, staff without a second factor) on every fresh checkout,
before it runs the suite; a suite that read it would test the demo's settings instead of its own.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.STAFF_OTP_REQUIRED, settings.DEBUG, settings.DEMO_INBOX_ENABLED)"
)


@pytest.fixture
def demo_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("DJANGO_DEBUG=1\nPRAKERJA_DEMO_INBOX=1\nSTAFF_OTP_REQUIRED=0\nSECRET_KEY=from-the-demo-dotenv\n")
    return dotenv


def settings_read(settings_module: str, dotenv: Path, tmp_path: Path) -> list[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PRAKERJA_DOTENV": str(dotenv),
        "PRAKERJA_VAR_DIR": str(tmp_path),
        "BENCH_BASE_SETTINGS": "prakerja.settings",
        # What production settings need without a .env (the suite's settings bring their own).
        "SECRET_KEY": "a-secret-from-the-environment-" + "x" * 40,
        "PII_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTMyYis=",
        "PII_BLIND_INDEX_KEY": "a-blind-index-key-from-the-environment",
        "PII_RETAINED_INDEX_KEYS": "a-retained-index-key-from-the-environment",
        "DUKCAPIL_API_KEY": "a-registry-key-from-the-environment",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_manage_py_on_a_laptop_reads_the_demo_dotenv(demo_dotenv, tmp_path):
    assert settings_read("prakerja.settings", demo_dotenv, tmp_path) == ["False", "True", "True"]


@pytest.mark.parametrize("settings_module", ["prakerja.settings_test", "benchmarks.bench_settings"])
def test_the_suite_and_the_benchmarks_ignore_it(settings_module, demo_dotenv, tmp_path):
    assert settings_read(settings_module, demo_dotenv, tmp_path) == ["True", "False", "False"]
