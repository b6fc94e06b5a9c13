"""The audit log in Django admin, for superusers only and read only; and the mixin that writes an entry for each
admin page showing an applicant's personal data in full."""

import json
import re

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.models import Action, Entry
from audit.services import SUPERUSER, audit_record


class StaffFilter(admin.SimpleListFilter):
    """Staff accounts (and "automatic"), rather than Django's list of every user: applicants number millions."""

    title = _("petugas")
    parameter_name = "petugas"
    AUTOMATIC = "otomatis"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        staff = get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True)).order_by("email")
        return [(self.AUTOMATIC, _("Jadwal / proses otomatis"))] + [(str(user.pk), str(user)) for user in staff]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Entry]) -> QuerySet[Entry]:
        value = self.value()
        if value == self.AUTOMATIC:
            return queryset.filter(acting_user__isnull=True)
        if value and re.fullmatch(r"[0-9]{1,18}", value):  # an id; not "٣٢" nor one too big for the column
            return queryset.filter(acting_user_id=int(value))
        return queryset


class RoleFilter(admin.SimpleListFilter):
    title = _("peran")
    parameter_name = "peran"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        names = [*Group.objects.order_by("name").values_list("name", flat=True), SUPERUSER]
        return [(name, name) for name in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Entry]) -> QuerySet[Entry]:
        return queryset.filter(roles__contains=self.value()) if self.value() else queryset


# "42", or the record's type and id as the list shows them: "waves.complaint #42", "waves.complaint:42".
TARGET_SEARCH = re.compile(r"(?:(?P<type>[a-z_]+\.[a-z0-9_]+)\s*[#:]?\s*)?#?(?P<id>[\w-]{1,64})")


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Superusers read and filter the log; nobody adds, changes or deletes an entry here (or anywhere)."""

    list_display = ("at", "acting_user", "roles", "action", "target", "client_address")
    list_filter = ("action", StaffFilter, RoleFilter)
    list_select_related = ("acting_user",)
    date_hierarchy = "at"
    search_fields = ("target_id",)  # searched by get_search_results, exactly
    search_help_text = _("Id sasaran (persis sama), boleh dengan jenisnya: waves.complaint #42.")
    fields = ("at", "acting_user", "roles", "action", "target_type", "target_id", "client_address", "details_json")
    readonly_fields = fields
    # Counting a long log on every page view is what makes an audit admin slow.
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("sasaran"))
    def target(self, entry: Entry) -> str:
        return entry.target

    @admin.display(description=_("rincian"))
    def details_json(self, entry: Entry) -> str:
        return format_html("<pre>{}</pre>", json.dumps(entry.details, indent=2, ensure_ascii=False, sort_keys=True))

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Entry], search_term: str):
        # Exact, on the indexed column: Django's default would be a case-insensitive scan of the whole log.
        search_term = search_term.strip()
        if not search_term:
            return queryset, False
        found = TARGET_SEARCH.fullmatch(search_term)
        if found is None:
            return queryset.none(), False
        queryset = queryset.filter(target_id=found["id"])
        if found["type"]:
            queryset = queryset.filter(target_type=found["type"])
        return queryset, False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Entry | None = None) -> bool:
        # Superusers only, whatever permission a group may have been given: the log shows what reviewers and
        # operators did, so none of them reads it.
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Entry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Entry | None = None) -> bool:
        return False


class UnmaskedDataAdmin:
    """For an admin whose pages show an applicant's personal data in full (elsewhere it is masked, DESIGN §8):
    each list page and each record it shows is written to the audit log, naming the records and the fields.

    ``unmasked_in_list``: the fields its list shows in full (none: list pages are not recorded);
    ``unmasked_in_record``: those its change page shows.
    """

    unmasked_in_list: tuple[str, ...] = ()
    unmasked_in_record: tuple[str, ...] = ()

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if self.unmasked_in_list and changelist is not None and response.status_code == 200:
            # The page's rows: the list is evaluated here and the template reads the same rows.
            ids = [row.pk for row in changelist.result_list]
            if ids:
                audit_record(
                    acting_user=request.user,
                    action=Action.PERSONAL_DATA_VIEW,
                    target=self.model,
                    details={"ids": ids, "fields": list(self.unmasked_in_list)},
                    request=request,
                )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = (getattr(response, "context_data", None) or {}).get("original")
        if self.unmasked_in_record and shown is not None and response.status_code == 200:
            audit_record(
                acting_user=request.user,
                action=Action.PERSONAL_DATA_VIEW,
                target=shown,
                details={"fields": list(self.unmasked_in_record)},
                request=request,
            )
        return response
