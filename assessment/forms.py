from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessment.eligibility import EXCLUDED_GROUP_QUESTIONS, ExcludedGroup, OtherAid
from assessment.rules import OPTIONS_PER_QUESTION
from prakerja.forms import ErrorSummaryForm
from verification.models import EmploymentStatus

YES, NO = "ya", "tidak"
YES_NO = [(YES, _("Ya")), (NO, _("Tidak"))]
NO_AID = "tidak_menerima"

# "Apakah saat ini Anda menganggur?" answered as the question asks, yes or no, each with the situation in the
# applicant's words. The declaration is the one place employment is asked (Data diri no longer does); no
# eligibility rule reads it (waves/rules.py), the programme records it.
EMPLOYMENT_CHOICES = [
    (EmploymentStatus.LAID_OFF.value, _("Ya, saya terkena PHK")),
    (EmploymentStatus.FURLOUGHED.value, _("Ya, saya dirumahkan")),
    (EmploymentStatus.UNEMPLOYED.value, _("Ya, saya tidak bekerja dan sedang mencari kerja")),
    (EmploymentStatus.EMPLOYED.value, _("Tidak, saya bekerja")),
    (EmploymentStatus.SELF_EMPLOYED.value, _("Tidak, saya punya usaha sendiri")),
]


def _yes_no(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == YES,
        widget=forms.RadioSelect,
        # Named by its question, so the error summary says which one is left.
        error_messages={"required": format_lazy(_("Jawab “{question}”: pilih Ya atau Tidak."), question=label)},
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
        error_messages={"required": _("Jawab “Apakah saat ini Anda menganggur?”: pilih keadaan Anda saat ini.")},
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

    @classmethod
    def initial_from(cls, declaration) -> dict:
        """The form's answers as ``declaration`` gave them, to start a correction from."""
        initial = {
            "employment": declaration.employment,
            "in_formal_education": YES if declaration.in_formal_education else NO,
            "other_aid": list(declaration.other_aid) or [NO_AID],
        }
        for group in ExcludedGroup.values:
            initial[group_field(group)] = YES if group in declaration.excluded_groups else NO
        return initial

    def summary(self) -> list[tuple[str, str]]:
        """Each question and the answer given, in the page's order, for the page that checks them before they
        are stored."""
        data = self.cleaned_data
        yes_no = dict(YES_NO)
        lines = [
            (self.fields["employment"].label, dict(EMPLOYMENT_CHOICES)[data["employment"]]),
            (self.fields["in_formal_education"].label, yes_no[YES if data["in_formal_education"] else NO]),
        ]
        for group in ExcludedGroup.values:
            name = group_field(group)
            lines.append((self.fields[name].label, yes_no[YES if data[name] else NO]))
        aid_labels = dict(OtherAid.choices)
        lines.append(
            (
                self.fields["other_aid"].label,
                ", ".join(str(aid_labels[aid]) for aid in data["other_aid"]) or _("Tidak menerima bantuan lain"),
            )
        )
        return lines

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


class AnswerForm(ErrorSummaryForm, forms.Form):
    """One question's answer: the number of the option as shown (1..4), never a bank id. Leaving it
    empty is allowed: "Berikutnya" then moves on and the question stays unanswered. A number not offered is
    said like every form's error: in the page's error summary, linked to the first option (#id_choice_0)."""

    choice = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Pilih salah satu jawaban yang tersedia.")},
    )

    def __init__(self, *args, option_count: int = OPTIONS_PER_QUESTION, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(str(number), str(number)) for number in range(1, option_count + 1)]
