"""Settings for the benchmarks: a project settings module, with the few overrides a benchmark needs.

Benchmark tooling only; nothing in the portal imports it. ``BENCH_BASE_SETTINGS`` names the settings to start
from (``prakerja.settings`` by default, read from the environment as in production; the outbox benchmark uses
``prakerja.settings_test``). Then, when set:

- ``BENCH_SMS_BACKEND``: the SMS backend (``prakerja.settings_test`` fixes its own, MemoryBackend, whatever
  ``SMS_BACKEND`` says);
- ``BENCH_ROOT_URLCONF``: the URLconf (the dashboard benchmark adds its floor views to the portal's URLs).
"""

import importlib
import os

# A benchmark measures the settings it states, never a laptop's demo .env (DEBUG on, the demo inbox).
os.environ["PRAKERJA_DOTENV"] = ""
_base = importlib.import_module(os.environ.get("BENCH_BASE_SETTINGS", "prakerja.settings"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

if os.environ.get("BENCH_SMS_BACKEND"):
    SMS_BACKEND = os.environ["BENCH_SMS_BACKEND"]
if os.environ.get("BENCH_ROOT_URLCONF"):
    ROOT_URLCONF = os.environ["BENCH_ROOT_URLCONF"]
