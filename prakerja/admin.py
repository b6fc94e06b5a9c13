"""Admin pieces every app shares."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db.models import Model
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prakerja.formats import thousands
from prakerja.staff import safe_next, staff_door, staff_verified


def grouped(model: type[Model], field_name: str):
    """An admin column or read-only field showing the number in ``field_name`` grouped by thousands as staff read
    numbers (164.000, prakerja/formats.py), labelled and sorted as the field itself: the admin would print 164000."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name, ordering=field_name)
    def shown(model_admin: admin.ModelAdmin, obj: Model) -> str:
        return thousands(getattr(obj, field_name))

    return shown


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with its own accessible name: Django labels the pair with a legend,
    which leaves the two inputs nameless to a screen reader (axe-core: "Form elements must have labels")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        date, time = self.widgets
        date.attrs["aria-label"] = _("Tanggal")
        time.attrs["aria-label"] = _("Jam")


class LabelledRowsFormSet(BaseInlineFormSet):
    """A tabular inline's inputs stand under their column's heading with no <label> of their own, nameless to a
    screen reader (axe-core: "Form elements must have labels"): each is named by its column and, for a saved
    row, by the row ("Kuota: Jawa Barat")."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        row = self.row_name(form.instance) if form.instance.pk else ""
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            column = str(field.label or name)
            # A related field's wrapper (the admin's add/change links) shares its attrs with the widget it was
            # copied from: the name goes on the form's own inner widget.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = f"{column}: {row}" if row else column

    def row_name(self, instance: Model) -> str:
        return str(instance)


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
            published.pk,
            published.version,
            published.published_at,
            published.is_current,
        )
        obj._state.adding = False


class PortalAdminSite(admin.AdminSite):
    """The admin behind the portal's one login path and the staff second factor (prakerja/staff.py)."""

    site_header = settings.PORTAL_NAME
    site_title = settings.PORTAL_NAME

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and staff_verified(request)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # No second login form to defend: /admin/login/ sends everyone to /masuk/ (per-account protection,
        # emailed code), then to the second factor. A POST here checks no password.
        index = reverse("admin:index", current_app=self.name)
        next_url = safe_next(request, request.GET.get(REDIRECT_FIELD_NAME), index)
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        return staff_door(request, next_url)

    def password_change(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The portal's page, which also emails the owner that the password changed.
        return redirect("accounts:password_change")
