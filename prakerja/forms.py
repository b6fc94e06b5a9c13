"""Form helpers every app's forms share."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit


def submit_helper(label: str) -> FormHelper:
    """crispy-forms rendering of a form's fields and one full-width submit button; the template writes <form>."""
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit("submit", label, css_class="btn-primary w-100 btn-lg"))
    return helper
