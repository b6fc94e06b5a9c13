"""Private file storage: KTP photos and other personal uploads, never under a public URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, with no URL: nothing can link to a file by accident; views that
    check who is asking serve them. The root is read from settings on each use, not frozen at start."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None


def private_storage() -> PrivateStorage:
    return PrivateStorage()
