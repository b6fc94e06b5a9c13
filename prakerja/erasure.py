"""What every app's part of deleting an account shares (journey.services.account_delete, docs/PRIVACY.md).

Each app erases its own rows (``*_erase_for(user=...)``, called by the journey, which alone knows every app);
these helpers cover what belongs to no app: the admin's history, which names the objects it touched, and files
in private storage, which are deleted once the rows no longer point at them.
"""

from collections.abc import Iterable

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

ERASED_REPR = "[dihapus]"


def admin_log_scrub(*, model: type[models.Model], pks: Iterable[int]) -> int:
    """Blank what the admin's history wrote of these objects: its ``object_repr`` is the object's ``str()`` at
    the time (a name, an email), and its change message may quote field values. The entry itself stays (who
    changed which row, when). Returns how many entries."""
    pks = [str(pk) for pk in pks]
    if not pks:
        return 0
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return LogEntry.objects.filter(content_type=content_type, object_id__in=pks).update(
        object_repr=ERASED_REPR, change_message=""
    )


class FilesToErase:
    """Private files of the rows being erased, deleted together at the end of the erasure's transaction.

    Last, so that an erasure that fails on the way deletes none of them; inside the transaction, so that a file
    is never left on disk by a process that dies after the commit (a deletion that failed after some files went
    leaves rows pointing at nothing, which the next attempt erases: storage's delete of a missing file is quiet).
    """

    def __init__(self) -> None:
        self._files: list[tuple[object, str]] = []

    def add(self, file: FieldFile | None) -> None:
        if file:
            self._files.append((file.storage, file.name))

    def extend(self, other: "FilesToErase") -> None:
        self._files.extend(other._files)

    def __len__(self) -> int:
        return len(self._files)

    def delete(self) -> None:
        for storage, name in self._files:
            storage.delete(name)
        self._files.clear()
