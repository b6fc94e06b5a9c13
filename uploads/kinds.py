"""The kinds of file an upload can be, told from the content (``uploads.sniff``), never from the name."""

from enum import StrEnum


class FileKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    PDF = "pdf"


PHOTO_KINDS = frozenset({FileKind.JPEG, FileKind.PNG})
DOCUMENT_KINDS = frozenset({FileKind.PDF, FileKind.JPEG, FileKind.PNG})

# How messages name each kind.
KIND_LABELS = {FileKind.PDF: "PDF", FileKind.JPEG: "JPG", FileKind.PNG: "PNG"}
