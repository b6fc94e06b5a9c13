"""Admin pieces every app shares."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records staff look at but never edit: applicants' data is theirs, reference data is published."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class VersionedTextAdmin(admin.ModelAdmin):
    """A legal text's versions (prakerja/versioning.py): a published version never changes or goes; staff add
    a new version, which ``publish`` makes the current one."""

    list_display = ("version", "title", "is_current", "published_at")
    text_fields: tuple[str, ...] = ()

    def publish(self, request: HttpRequest, obj: Model) -> Model:
        raise NotImplementedError

    def get_fields(self, request: HttpRequest, obj: Model | None = None):
        return ("version", *self.text_fields, "published_at", "is_current") if obj else self.text_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):
        return self.get_fields(request, obj) if obj else ()

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        published = self.publish(request, obj)
        obj.pk, obj.version, obj.published_at, obj.is_current = (
            published.pk, published.version, published.published_at, published.is_current
        )
        obj._state.adding = False
