from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.eligibility import EXCLUDED_GROUP_QUESTIONS, ExcludedGroup, OtherAid
from prakerja.forms import ErrorSummaryForm
from verification.models import EmploymentStatus

YES, NO = "ya", "tidak"
YES_NO = [(YES, _("Ya")), (NO, _("Tidak"))]
NO_AID = "tidak_menerima"
ANSWER_REQUIRED = _("Pilih Ya atau Tidak.")

# The declaration's employment question lists the situations in the applicant's words.
EMPLOYMENT_CHOICES = [
    (EmploymentStatus.LAID_OFF.value, _("Terkena PHK")),
    (EmploymentStatus.FURLOUGHED.value, _("Dirumahkan")),
    (EmploymentStatus.UNEMPLOYED.value, _("Tidak bekerja dan sedang mencari kerja")),
    (EmploymentStatus.EMPLOYED.value, _("Bekerja")),
    (EmploymentStatus.SELF_EMPLOYED.value, _("Usaha sendiri")),
]


def _yes_no(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == YES,
        widget=forms.RadioSelect,
        error_messages={"required": ANSWER_REQUIRED},
    )


def group_field(group: str) -> str:
    return f"group_{group}"


class DeclarationForm(ErrorSummaryForm, forms.Form):
    """Step 6. Every yes/no is asked explicitly (no pre-ticked answer), each excluded group on its own."""

    # The version the applicant read, so the answers are recorded against exactly that text.
    text_version = forms.IntegerField(widget=forms.HiddenInput)
    employment = forms.ChoiceField(
        label=_("Apakah saat ini Anda menganggur?"),
        choices=EMPLOYMENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih keadaan Anda saat ini.")},
    )
    in_formal_education = _yes_no(_("Apakah saat ini Anda sedang menempuh pendidikan formal (sekolah/kuliah)?"))
    other_aid = forms.MultipleChoiceField(
        label=_("Bantuan pemerintah apa yang sedang atau pernah Anda terima?"),
        help_text=_("Boleh pilih lebih dari satu."),
        choices=[*OtherAid.choices, (NO_AID, _("Tidak menerima bantuan lain"))],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih bantuan yang Anda terima, atau “Tidak menerima bantuan lain”.")},
    )
    truthful = forms.BooleanField(
        label=_("Saya telah membaca dan menyetujui pernyataan di atas, dan seluruh jawaban saya benar."),
        error_messages={"required": _("Centang pernyataan ini untuk melanjutkan.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for group in ExcludedGroup.values:
            self.fields[group_field(group)] = _yes_no(EXCLUDED_GROUP_QUESTIONS[group])
        # The fields in the order of the page.
        order = [
            "text_version",
            "employment",
            "in_formal_education",
            *map(group_field, ExcludedGroup.values),
            "other_aid",
            "truthful",
        ]
        self.order_fields(order)

    def group_fields(self) -> list[forms.BoundField]:
        return [self[group_field(group)] for group in ExcludedGroup.values]

    def clean_other_aid(self) -> list[str]:
        chosen = self.cleaned_data["other_aid"]
        if NO_AID in chosen and len(chosen) > 1:
            raise forms.ValidationError(
                _("“Tidak menerima bantuan lain” tidak bisa dipilih bersama bantuan lainnya."), code="contradiction"
            )
        return [aid for aid in chosen if aid != NO_AID]

    def answers(self) -> dict:
        """The cleaned answers as assessment.services.declaration_submit takes them."""
        data = self.cleaned_data
        return {
            "employment": data["employment"],
            "in_formal_education": data["in_formal_education"],
            "excluded_groups": [group for group in ExcludedGroup.values if data[group_field(group)]],
            "other_aid": data["other_aid"],
            "truthful": data["truthful"],
        }


class AnswerForm(forms.Form):
    """One question's answer: the number of the option as shown (1..4), never a bank id. Leaving it
    empty is allowed: "Berikutnya" then moves on and the question stays unanswered."""

    choice = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, widget=forms.RadioSelect)

    def __init__(self, *args, option_count: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(str(number), str(number)) for number in range(1, option_count + 1)]
