"""Form helpers every app's forms share."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms.utils import ErrorList

from prakerja.text import text_clean


def submit_helper(label: str, *, name: str = "submit") -> FormHelper:
    """crispy-forms rendering of a form's fields and one full-width submit button; the template writes <form>.

    ``name`` names the button and, through crispy, its id (``submit-id-<name>``): a page with two forms gives
    each its own, so no two elements share an id."""
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit(name, label, css_class="btn-primary w-100 btn-lg"))
    return helper


class ErrorSummaryForm:
    """What every applicant-facing form shares so that each error says what to do (the GOV.UK error summary):

    - ``required_messages``: a message of its own for each required field left empty ("Masukkan nama ibu
      kandung Anda", not Django's "Bidang ini tidak boleh kosong"); tests/prakerja/test_error_summary.py checks
      that every required field of every such form has one;
    - ``error_summary()``: one (anchor, message) per error, in the page's order, for ``_error_summary.html``
      (crispy's errors template includes it, and the pages that lay out their fields by hand include it above
      them): the heading "Ada masalah" and a link to each field at fault;
    - ``mark_invalid()``: a form-wide error that concerns some fields (a registry mismatch on the NIK or KK)
      marks them ``aria-invalid`` and red, and its summary link leads to the first of them.

    Django itself marks a field with its own error ``aria-invalid="true"`` (BoundField.build_widget_attrs).
    A mixin rather than a base class, because some forms extend Django's auth forms.
    """

    required_messages: dict = {}
    # Where a form-wide error leads when the form has no visible field (a button-only form names its button).
    summary_anchor = "main"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_fields: list[str] = []
        for name, message in self.required_messages.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    def mark_invalid(self, *names: str) -> None:
        for name in names:
            if name in self.fields and name not in self.invalid_fields:
                self.invalid_fields.append(name)
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def field_anchor(self, name: str) -> str:
        """The id a summary link leads to: the field's input, or a list's first option (a radio group's
        label points at no single input)."""
        field = self[name]
        return field.id_for_label or f"{field.auto_id}_0"

    def _first_visible_anchor(self) -> str:
        visible = self.visible_fields()
        return self.field_anchor(visible[0].name) if visible else self.summary_anchor

    def error_summary(self) -> list[tuple[str, str]]:
        non_field_anchor = (
            self.field_anchor(self.invalid_fields[0]) if self.invalid_fields else self._first_visible_anchor()
        )
        items = [(non_field_anchor, message) for message in self.non_field_errors()]
        for name in self.fields:
            errors: ErrorList | None = self.errors.get(name) if self.is_bound else None
            if not errors:
                continue
            anchor = self._first_visible_anchor() if self[name].is_hidden else self.field_anchor(name)
            items.extend((anchor, message) for message in errors)
        return items


class CleanTextField(forms.CharField):
    """A CharField for what a person types about themselves (a name, an address): cleaned by ``text_clean``
    before it is validated, its length included, so what is checked, matched and stored is what they see."""

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return value if value in self.empty_values else text_clean(value)
