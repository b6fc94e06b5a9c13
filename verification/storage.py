"""Private file storage: KTP photos and other personal uploads, never under a public URL."""

import os

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse


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

    # Readable by the portal's own user only, whatever the process umask or FILE_UPLOAD_PERMISSIONS say:
    # another account on the machine has no business reading KTP photos.
    @property
    def file_permissions_mode(self) -> int:
        return 0o600

    @property
    def directory_permissions_mode(self) -> int:
        return 0o700


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def private_file_response(file: File, *, content_type: str, filename: str, framed: bool = False) -> FileResponse:
    """A private file (KTP photo, signed letter) for a viewer the caller has already checked.

    Always an attachment, kept by no cache, and under ``Content-Security-Policy: sandbox``: should a browser
    or a PDF viewer render it anyway, nothing in it runs with the portal's origin (no script, no forms, no
    cookies). ``nosniff`` keeps an image an image. ``framed``: shown inline inside a page of the portal's own
    (the reviewer's workbench), still sandboxed, and framed by no other site.
    """
    response = FileResponse(file, content_type=content_type, as_attachment=not framed, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; frame-ancestors 'self'" if framed else "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    if framed:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response
