"""Processing an image takes bounded memory: measured as the peak RSS of a subprocess (security issue #11).

Each case is written to a file, and a fresh interpreter (Django set up, the file read) processes it; the
child reports how far its peak resident memory (VmHWM) rose above what it was just before. Measured here
(2 cores, Pillow 13), growth in MB for the KTP photo / the letter:

| image                                                        | before the fix (#11)  | now                  |
|--------------------------------------------------------------|-----------------------|----------------------|
| the review's 6300 x 6300 PNG, 128-170 KB                     | +367 / +384, accepted | +0, refused (10 MP)  |
| 8000 x 5000 RGBA PNG (a 165 KB one before)                   | +649, accepted        | +12, refused (20 MP) |
| 8000 x 5000 RGB PNG, 3.6 MB (the most pixels accepted)       | +373 (a 127 KB one)   | +224 / +217          |
| 5000 x 4000 RGBA PNG, 2.8 MB (the most transparent pixels)   | -                     | +199 / +210          |
| 6400 x 5000 palette PNG, 3.1 MB                              | -                     | +207 / +220          |
| 4000 x 4000 16-bit grey PNG, 2.5 MB (8000 x 5000 before)     | +458 (an 89 KB one)   | +156 / +156          |
| 3200 x 3100 RGBA PNG, 181 KB (within the free 10 MP)         | -                     | +115 / +126          |
| the catalogue's 4000 x 3000 phone JPEG, 4.8 MB               | +43                   | +43 / +96            |

The bound, 300 MB, is a third above the largest figure, for the allocator's and Pillow's variation between
machines; an image that made one more full-size copy (as flattening transparency before shrinking did) or
a pixel budget that let more through would cross it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.uploads_catalogue import noisy_rows, phone_photo, png_by_rows, review_png

ROOT = Path(__file__).resolve().parents[2]
PEAK_GROWTH_BOUND_MB = 300

CHILD = """
import json, os, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
import uploads

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

path, call = sys.argv[1], sys.argv[2]
upload = SimpleUploadedFile(os.path.basename(path), open(path, "rb").read())
before = peak_mb()
try:
    getattr(uploads, call)(upload)
    result = "accepted"
except uploads.UploadError as error:
    result = error.code.value
print(json.dumps({"growth_mb": peak_mb() - before, "result": result}))
"""


CASES = {
    "the review's 6300 x 6300 PNG": (review_png, "too_many_pixels"),
    "8000 x 5000 RGB PNG of 3 MB": (lambda: png_by_rows(8000, 5000, 2, 8, noisy_rows(24000, 600)), "accepted"),
    "8000 x 5000 RGBA PNG of 3 MB": (lambda: png_by_rows(8000, 5000, 6, 8, noisy_rows(32000, 600)), "too_many_pixels"),
    "5000 x 4000 RGBA PNG of 2 MB": (lambda: png_by_rows(5000, 4000, 6, 8, noisy_rows(20000, 600)), "accepted"),
    "4000 x 4000 16-bit grey PNG of 2 MB": (lambda: png_by_rows(4000, 4000, 0, 16, noisy_rows(8000, 600)), "accepted"),
    "6400 x 5000 palette PNG of 3 MB": (lambda: png_by_rows(6400, 5000, 3, 8, noisy_rows(6400, 600)), "accepted"),
    "3200 x 3100 RGBA PNG of a few KB": (lambda: png_by_rows(3200, 3100, 6, 8, noisy_rows(12800, 1)), "accepted"),
    "4000 x 3000 phone JPEG": (phone_photo, "accepted"),
}


def _measure(tmp_path: Path, content: bytes, call: str) -> dict:
    path = tmp_path / "upload"
    path.write_bytes(content)
    environment = {**os.environ}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings_test")
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), call],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("call", ["ktp_photo_process", "document_process"])
@pytest.mark.parametrize("name", list(CASES))
def test_processing_the_largest_accepted_images_stays_within_the_memory_bound(name, call, tmp_path):
    # Given an image at the edge of what is accepted (or the review's file)
    build, expected = CASES[name]
    content = build()

    # When a fresh process checks and re-encodes it
    measured = _measure(tmp_path, content, call)

    # Then its peak memory rose by less than the bound, and the answer is the expected one
    # Shown with -s: the measured growth, next to the bound.
    print(f"{name} ({len(content) // 1024} KB), {call}: +{measured['growth_mb']:.0f} MB, {measured['result']}")  # noqa: T201
    assert measured["result"] == expected
    assert measured["growth_mb"] < PEAK_GROWTH_BOUND_MB
