"""Staff views of the assessment app: the question bank (editable), declaration texts (new versions only),
and applicants' declarations and tests (read-only; the answer key is visible here, to staff only)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from assessment import services
from assessment.eligibility import exclusion_reason_message
from assessment.models import Attempt, AttemptItem, Declaration, DeclarationText, Option, Question
from assessment.rules import ABILITY_KINDS, OPTIONS_PER_QUESTION, OptionData, question_problems
from prakerja.admin import ReadOnlyAdmin, VersionedTextAdmin

# --- The question bank --------------------------------------------------------------------------------


class OptionFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kind = self.instance.kind
        options = [
            OptionData(
                text=form.cleaned_data.get("text", ""),
                correct=form.cleaned_data.get("is_correct", False),
                points=form.cleaned_data.get("points", 0),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        # The same rules as the question file (assessment.rules.question_problems).
        problems = question_problems(kind=kind, options=options)
        if problems:
            raise forms.ValidationError("; ".join(problems))


class OptionInline(admin.TabularInline):
    model = Option
    formset = OptionFormSet
    fields = ("position", "text", "is_correct", "points")
    extra = 0
    min_num = max_num = OPTIONS_PER_QUESTION
    can_delete = False  # attempts point at options; change their text instead


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("key", "kind", "short_text", "active", "updated_at")
    list_filter = ("kind", "active")
    list_editable = ("active",)
    search_fields = ("key", "text", "passage")
    fields = ("key", "kind", "passage", "text", "active")
    inlines = (OptionInline,)

    @admin.display(description=_("pertanyaan"))
    def short_text(self, obj: Question) -> str:
        return Truncator(obj.text).chars(80)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Drawn questions are part of applicants' records; retire a question by making it inactive.
        return False


# --- Declarations ---------------------------------------------------------------------------------------


@admin.register(DeclarationText)
class DeclarationTextAdmin(VersionedTextAdmin):
    text_fields = ("title", "intro", "clauses")

    def publish(self, request, obj: DeclarationText) -> DeclarationText:
        return services.declaration_text_publish(
            title=obj.title, intro=obj.intro, clauses=obj.clauses, acting_user=request.user
        )


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = (
        "user",
        "revision",
        "in_force",
        "text_version",
        "employment",
        "in_formal_education",
        "eligible",
        "submitted_at",
    )
    list_filter = ("employment", "in_formal_education", "text__version")
    list_select_related = ("user", "text")
    search_fields = ("user__email",)
    date_hierarchy = "submitted_at"
    fields = (
        "user",
        "revision",
        "current_for",
        "text",
        "employment",
        "in_formal_education",
        "excluded_groups",
        "other_aid",
        "truthful",
        "reasons",
        "submitted_at",
    )
    readonly_fields = fields

    @admin.display(description=_("berlaku"), boolean=True)
    def in_force(self, obj: Declaration) -> bool:
        return obj.current_for_id is not None

    @admin.display(description=_("versi"), ordering="text__version")
    def text_version(self, obj: Declaration) -> int:
        return obj.text.version

    @admin.display(description=_("memenuhi syarat"), boolean=True)
    def eligible(self, obj: Declaration) -> bool:
        return not obj.exclusion_reasons

    @admin.display(description=_("alasan tidak memenuhi syarat"))
    def reasons(self, obj: Declaration) -> str:
        return " ".join(exclusion_reason_message(code) for code in obj.exclusion_reasons) or "—"


# --- Attempts ---------------------------------------------------------------------------------------------


class AttemptItemInline(admin.TabularInline):
    model = AttemptItem
    fields = ("position", "question", "kind", "chosen", "right", "points", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "chosen_option")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("jenis"))
    def kind(self, item: AttemptItem) -> str:
        return item.question.get_kind_display()

    @admin.display(description=_("jawaban"))
    def chosen(self, item: AttemptItem) -> str:
        return item.chosen_option.text if item.chosen_option else "—"

    @admin.display(description=_("benar"))
    def right(self, item: AttemptItem) -> str:
        if item.question.kind not in ABILITY_KINDS or item.chosen_option is None:
            return "—"
        return format_html("{}", "✔" if item.chosen_option.is_correct else "✘")

    @admin.display(description=_("poin"))
    def points(self, item: AttemptItem) -> str:
        if item.question.kind in ABILITY_KINDS or item.chosen_option is None:
            return "—"
        return str(item.chosen_option.points)


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("user", "started_at", "deadline", "submitted_at", "finished_reason", "score", "passed")
    list_filter = ("passed", "finished_reason")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    date_hierarchy = "started_at"
    fields = (
        "user",
        "seed",
        "started_at",
        "deadline",
        "submitted_at",
        "finished_reason",
        "score",
        "pass_score",
        "passed",
    )
    readonly_fields = fields
    inlines = (AttemptItemInline,)
