"""Private files are readable by the portal's own user only, whatever the process umask."""

import os
import stat

from django.core.files.base import ContentFile

from verification.storage import private_storage


def test_private_files_are_written_0600_in_folders_0700(private_media):
    previous = os.umask(0o022)  # the usual umask, which leaves files world-readable
    try:
        name = private_storage().save("ktp/2026/12/foto.jpg", ContentFile(b"\xff\xd8 foto"))
    finally:
        os.umask(previous)

    path = private_media / name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
