from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from prakerja.forms import ErrorSummaryForm, submit_helper
from uploads import DOCUMENT_KINDS, UploadError, document_process, upload_error_message


class ComplaintLetterForm(ErrorSummaryForm, forms.Form):
    """The signed "gagal 3 kali" statement: a scan (PDF) or a photo (JPG, PNG) of the printed letter."""

    required_messages = {"letter": _("Pilih file surat pernyataan yang sudah Anda tandatangani.")}
    letter = forms.FileField(
        label=_("Surat pernyataan yang sudah ditandatangani"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter"].help_text = _(
            "PDF, JPG atau PNG, paling besar %(megabytes)s MB. Seluruh halaman terlihat, tanda tangan dan meterai "
            "terbaca."
        ) % {"megabytes": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        self.helper = submit_helper(_("Unggah surat pernyataan"))

    def clean_letter(self):
        try:
            return document_process(self.cleaned_data["letter"], allowed=DOCUMENT_KINDS)
        except UploadError as error:
            raise forms.ValidationError(upload_error_message(error), code=error.code) from None
