"""The outbox in Django admin: read only, recipients masked, failed messages can be sent again."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Message
from notifications.selectors import message_template_names, messages_with_key
from notifications.services import messages_requeue
from prakerja.formats import thousands


class TemplateFilter(admin.SimpleListFilter):
    """The templates on disk, rather than Django's default SELECT DISTINCT over millions of outbox rows."""

    title = _("templat")
    parameter_name = "template"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(name, name) for name in message_template_names()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message]:
        return queryset.filter(template=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "masked_recipient",
        "template",
        "status",
        "attempts",
        "not_before",
        "sent_at",
    )
    list_filter = ("channel", "status", TemplateFilter)
    search_fields = ("idempotency_key",)
    search_help_text = _("Kunci idempotensi lengkap (persis sama).")
    ordering = ("-pk",)
    # Counting millions of rows on every page view is what makes an outbox admin slow.
    show_full_result_count = False
    list_per_page = 50
    actions = ("requeue",)
    # No body: it holds OTP codes and password reset links, which would let any staff member with view
    # access take over an applicant's account. The template and subject say what a message was.
    fields = (
        "channel",
        "masked_recipient",
        "template",
        "subject_shown",
        "idempotency_key",
        "user_link",
        "status",
        "attempts",
        "not_before",
        "next_attempt_at",
        "leased_until",
        "last_error",
        "created_at",
        "sent_at",
        "purged_at",
    )
    readonly_fields = fields

    @admin.display(description=_("penerima"))
    def masked_recipient(self, message: Message) -> str:
        return message.recipient_masked

    @admin.display(description=_("subjek"))
    def subject_shown(self, message: Message) -> str:
        return message.email_subject

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        # The bodies are never shown here (see ``fields``): not loading them spares decrypting them.
        return super().get_queryset(request).defer("body", "html_body")

    @admin.display(description=_("pengguna"))
    def user_link(self, message: Message) -> str:
        # The id, not the user's str(): that is their email, which this page otherwise masks.
        if message.user_id is None:
            return "-"
        opts = Message._meta.get_field("user").related_model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[message.user_id])
        except NoReverseMatch:
            return f"#{message.user_id}"
        return format_html('<a href="{}">#{}</a>', url, message.user_id)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # An exact match uses an index; Django's default icontains would scan the whole outbox.
        search_term = search_term.strip()
        if not search_term:
            return queryset, False
        return messages_with_key(queryset, search_term), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    @admin.action(description=_("Kirim lagi pesan gagal yang dipilih (satu percobaan)"), permissions=["change"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = messages_requeue(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)s pesan dijadwalkan ulang.", "%(count)s pesan dijadwalkan ulang.", count)
            % {"count": thousands(count)},
            messages.SUCCESS,
        )
