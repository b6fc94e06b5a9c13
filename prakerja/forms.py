"""Form helpers every app's forms share."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from prakerja.text import text_clean


def submit_helper(label: str) -> FormHelper:
    """crispy-forms rendering of a form's fields and one full-width submit button; the template writes <form>."""
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit("submit", label, css_class="btn-primary w-100 btn-lg"))
    return helper


class CleanTextField(forms.CharField):
    """A CharField for what a person types about themselves (a name, an address): cleaned by ``text_clean``
    before it is validated, its length included, so what is checked, matched and stored is what they see."""

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return value if value in self.empty_values else text_clean(value)
