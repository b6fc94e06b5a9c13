import unicodedata

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.forms import CurrentPasswordForm
from prakerja.forms import CleanTextField, ErrorSummaryForm, submit_helper
from prakerja.timeutil import wib_today
from regions.models import District
from regions.selectors import district_list, province_list, regency_list
from uploads import UploadError, ktp_photo_process, upload_error_message
from verification.identifiers import (
    IdentifierError,
    IdentifierErrorCode,
    digits_only,
    kk_validate,
    nik_parse,
    nik_validate,
)
from verification.models import SEX_CHOICES, Education, MaritalStatus, TrainingTopic
from verification.phones import PhoneError, PhoneErrorCode, phone_normalize

IDENTIFIER_MESSAGES = {
    IdentifierErrorCode.NIK_FORMAT: _("NIK harus 16 digit angka, sesuai yang tertulis di KTP."),
    IdentifierErrorCode.NIK_REGION: _(
        "Enam digit pertama NIK bukan kode wilayah yang dikenal. Periksa kembali NIK pada KTP Anda."
    ),
    IdentifierErrorCode.NIK_DATE: _(
        "Digit ke-7 sampai ke-12 NIK tidak membentuk tanggal yang benar. Periksa kembali NIK pada KTP Anda."
    ),
    IdentifierErrorCode.NIK_SERIAL: _("Empat digit terakhir NIK tidak mungkin 0000. Periksa kembali NIK Anda."),
    IdentifierErrorCode.NIK_BIRTH_DATE: _(
        "Tanggal lahir tidak cocok dengan NIK. Digit ke-7 sampai ke-12 NIK adalah tanggal lahir "
        "(untuk perempuan, tanggalnya ditambah 40). Periksa keduanya."
    ),
    IdentifierErrorCode.KK_FORMAT: _("Nomor KK harus 16 digit angka, sesuai yang tertulis di Kartu Keluarga."),
    IdentifierErrorCode.KK_REGION: _("Enam digit pertama nomor KK bukan kode wilayah yang dikenal. Periksa kembali."),
    IdentifierErrorCode.KK_SERIAL: _("Empat digit terakhir nomor KK tidak mungkin 0000. Periksa kembali."),
}

# Lists start empty, so nobody sends the first option by not looking.
BLANK = [("", _("— Pilih —"))]

# What people write in names besides letters and spaces: "M. Yusuf", "Nur'aini" (with any of the apostrophes
# phone keyboards type), "Siti-Nur", a stray comma. Digits and other symbols are no part of a KTP name; the
# registry would ignore them and the name would be stored with them.
NAME_PUNCTUATION = frozenset(".,'’‘`´-‐")


def _name_characters_validate(value: str) -> None:
    for ch in value:
        if not (ch == " " or ch in NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LM"):
            raise forms.ValidationError(
                _(
                    "Tulis nama dengan huruf, seperti di KTP. Selain huruf dan spasi, hanya titik, koma, tanda "
                    "petik, dan tanda hubung yang boleh dipakai."
                ),
                code="name_characters",
            )


def _address_markup_validate(value: str) -> None:
    if "<" in value or ">" in value:
        raise forms.ValidationError(_("Alamat tidak boleh berisi tanda < atau >."), code="address_markup")


class KtpVerificationForm(ErrorSummaryForm, forms.Form):
    required_messages = {
        "nik": _("Masukkan NIK Anda: 16 digit di KTP."),
        "kk": _("Masukkan nomor KK Anda: 16 digit di Kartu Keluarga."),
        "birth_date": _("Masukkan tanggal lahir Anda."),
    }
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("16 digit Nomor Induk Kependudukan di KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )
    kk = forms.CharField(
        label=_("Nomor KK"),
        max_length=24,
        help_text=_("16 digit nomor Kartu Keluarga terbaru."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Tanggal Lahir"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        error_messages={"invalid": _("Tulis tanggal lahir seperti di KTP, mis. 31-12-1990.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Lanjutkan"))

    def _identifier(self, field: str, check) -> str:
        value = digits_only(self.cleaned_data[field])
        try:
            check(value)
        except IdentifierError as error:
            raise forms.ValidationError(IDENTIFIER_MESSAGES[error.code], code=error.code) from None
        return value

    def clean_nik(self) -> str:
        return self._identifier("nik", nik_parse)

    def clean_kk(self) -> str:
        return self._identifier("kk", kk_validate)

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > wib_today():
            raise forms.ValidationError(_("Tanggal lahir tidak boleh di masa depan."), code="future")
        return birth_date

    def clean(self) -> dict:
        cleaned = super().clean()
        if "nik" in cleaned and "birth_date" in cleaned:
            try:
                nik_validate(cleaned["nik"], birth_date=cleaned["birth_date"])
            except IdentifierError as error:
                field = "birth_date" if error.code == IdentifierErrorCode.NIK_BIRTH_DATE else "nik"
                self.add_error(field, forms.ValidationError(IDENTIFIER_MESSAGES[error.code], code=error.code))
        return cleaned


class PersonalDataForm(ErrorSummaryForm, forms.Form):
    """DESIGN §2 step 3. Province → regency → district choices narrow as the person picks, with or without
    JavaScript: without it, the "Pilih" buttons send the form back to refresh the lists, keeping every
    other answer."""

    required_messages = {
        "full_name": _("Masukkan nama lengkap Anda sesuai KTP."),
        "mother_name": _("Masukkan nama ibu kandung Anda."),
        "address": _("Masukkan alamat Anda sesuai KTP."),
        "province": _("Pilih provinsi domisili Anda."),
        "sex": _("Pilih jenis kelamin Anda."),
        "education": _("Pilih pendidikan terakhir Anda."),
        "marital_status": _("Pilih status perkawinan Anda."),
        "dependents": _("Masukkan jumlah tanggungan Anda (0 jika tidak ada)."),
        "training_topic": _("Pilih topik pelatihan yang Anda minati."),
    }

    # Cleaned of what nobody sees (prakerja.text) before they are checked, sent to the registry and stored.
    full_name = CleanTextField(
        label=_("Nama lengkap"),
        max_length=150,
        help_text=_("Sesuai KTP, tanpa gelar."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        validators=[_name_characters_validate],
    )
    mother_name = CleanTextField(label=_("Nama ibu kandung"), max_length=150, validators=[_name_characters_validate])
    address = CleanTextField(
        label=_("Alamat sesuai KTP"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Jalan, RT/RW, kelurahan/desa."),
        validators=[_address_markup_validate],
    )
    province = forms.ChoiceField(label=_("Provinsi domisili"))
    # Checked in clean(), where "which regency?" and "which district?" get their own messages; marked as
    # required for the person all the same.
    regency = forms.ChoiceField(label=_("Kabupaten/kota domisili"), required=False)
    district = forms.ChoiceField(label=_("Kecamatan domisili"), required=False)
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=SEX_CHOICES, widget=forms.RadioSelect)
    education = forms.ChoiceField(label=_("Pendidikan terakhir"), choices=BLANK + Education.choices)
    marital_status = forms.ChoiceField(label=_("Status perkawinan"), choices=BLANK + MaritalStatus.choices)
    dependents = forms.IntegerField(
        label=_("Jumlah tanggungan"),
        min_value=0,
        max_value=20,
        help_text=_("Orang yang biaya hidupnya Anda tanggung."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    training_topic = forms.ChoiceField(label=_("Topik pelatihan yang diminati"), choices=BLANK + TrainingTopic.choices)
    truthful = forms.BooleanField(
        label=_("Saya bersedia mengisi seluruh data yang dibutuhkan dengan sejujur-jujurnya"),
        error_messages={"required": _("Centang pernyataan ini untuk melanjutkan.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        placeholder = BLANK
        self.fields["province"].choices = placeholder + [(p.code, p.name) for p in province_list()]
        province = self.data.get("province") or self.initial.get("province")
        regency = self.data.get("regency") or self.initial.get("regency")
        regencies = list(regency_list(province_code=province)) if province else []
        self.fields["regency"].choices = placeholder + [(r.code, r.name) for r in regencies]
        if regency and not any(r.code == regency for r in regencies):
            regency = None  # the province changed since the regency was picked
        districts = list(district_list(regency_code=regency)) if regency else []
        self.fields["district"].choices = placeholder + [(d.code, d.name) for d in districts]
        for name in ("regency", "district"):
            self.fields[name].widget.attrs["required"] = True
        self.helper = submit_helper(_("Simpan dan lanjutkan"))

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("regency"):
            self.add_error("regency", _("Pilih kabupaten/kota domisili Anda."))
        elif not cleaned.get("district"):
            self.add_error("district", _("Pilih kecamatan domisili Anda."))
        else:
            district = District.objects.select_related("regency").filter(pk=cleaned["district"]).first()
            if (
                district is None
                or district.regency_id != cleaned["regency"]
                or district.regency.province_id != cleaned.get("province")
            ):
                self.add_error("district", _("Kecamatan tidak berada di kabupaten/kota yang dipilih."))
            else:
                cleaned["district"] = district
        return cleaned


class KtpPhotoForm(ErrorSummaryForm, forms.Form):
    required_messages = {"photo": _("Pilih foto KTP Anda.")}
    photo = forms.FileField(
        label=_("Foto KTP"),
        # On phones, `capture` opens the camera directly: the portal asks for a photo taken of the card.
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = _(
            "JPG atau PNG, paling besar %(megabytes)s MB. Seluruh kartu terlihat jelas, tidak terpotong, tidak silau."
        ) % {"megabytes": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        self.helper = submit_helper(_("Unggah foto"))

    def clean_photo(self):
        try:
            return ktp_photo_process(self.cleaned_data["photo"])
        except UploadError as error:
            raise forms.ValidationError(upload_error_message(error), code=error.code) from None


PHONE_MESSAGES = {
    PhoneErrorCode.INVALID: _("Nomor HP tidak valid. Tulis seperti 0812 3456 7890 atau +62 812 3456 7890."),
    PhoneErrorCode.NOT_INDONESIAN: _("Gunakan nomor HP Indonesia (+62)."),
    PhoneErrorCode.NOT_MOBILE: _("Ini nomor telepon rumah/kantor. Gunakan nomor HP (seluler) yang bisa menerima SMS."),
}


class PhoneForm(ErrorSummaryForm, forms.Form):
    required_messages = {"number": _("Masukkan nomor HP Anda.")}
    number = forms.CharField(
        label=_("Nomor HP"),
        max_length=24,
        help_text=_("Nomor aktif yang bisa menerima SMS, mis. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Kirim"), name="send")

    def clean_number(self) -> str:
        try:
            return phone_normalize(self.cleaned_data["number"])
        except PhoneError as error:
            raise forms.ValidationError(PHONE_MESSAGES[error.code], code=error.code) from None


class PhoneChangeForm(PhoneForm, CurrentPasswordForm):
    """ "Ganti nomor HP": the new number, and the password, so a session left open on a shared phone cannot
    move the account's codes and results to another number."""

    password_help = _("Kata sandi akun Anda, untuk memastikan Anda sendiri yang mengganti nomor.")
    field_order = ["number", "password"]
    required_messages = {**PhoneForm.required_messages, **CurrentPasswordForm.required_messages}


class OtpResendForm(ErrorSummaryForm, forms.Form):
    """ "Kirim ulang": no field, only the button (id ``resend``), so a refusal has a form to be shown on."""

    summary_anchor = "resend"


class OtpForm(ErrorSummaryForm, forms.Form):
    required_messages = {"code": _("Masukkan kode OTP 6 angka dari SMS.")}
    code = forms.RegexField(
        label=_("Kode OTP"),
        regex=r"^\s*[0-9]{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Kode OTP terdiri dari 6 angka.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Verifikasi"), name="verify")

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()
