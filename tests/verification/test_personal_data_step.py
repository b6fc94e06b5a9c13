"""Step 3, "Data diri": names checked against the registry, domicile from real regions, with or without JS."""

import pytest

from tests.factories import personal_data
from verification.models import PersonalData

pytestmark = pytest.mark.django_db

URL = "/dashboard/data-diri/"


def test_complete_data_is_saved_and_the_journey_moves_to_the_photo(client, identified_applicant):
    response = client.post(URL, personal_data())

    assert response.status_code == 302
    saved = PersonalData.objects.get(user=identified_applicant)
    assert saved.district.code == "32.76.01"
    assert saved.district.regency.province.name == "Jawa Barat"
    assert 'data-step="ktp_photo" data-state="current"' in client.get("/dashboard/").content.decode()


@pytest.mark.parametrize(
    ("full_name", "mother_name"),
    [("SITI AMINAH", "nurhayati"), ("  Siti   Aminah ", "Nurhayati."), ("siti aminah,", "NURHAYATI")],
)
def test_names_match_whatever_the_case_spacing_and_punctuation(client, identified_applicant, full_name, mother_name):
    client.post(URL, personal_data(full_name=full_name, mother_name=mother_name))

    assert PersonalData.objects.filter(user=identified_applicant).exists()


def test_a_wrong_mothers_name_is_marked_on_that_field_with_the_dukcapil_contacts(client, identified_applicant):
    response = client.post(URL, personal_data(mother_name="Aminah"))

    form = response.context["form"]
    assert "Nama ibu kandung tidak sesuai dengan data Dukcapil." in form.errors["mother_name"]
    assert "full_name" not in form.errors
    html = response.content.decode()
    assert "1500537" in html
    assert 'value="Jl. Merdeka' in html or "Jl. Merdeka No. 1" in html
    assert not PersonalData.objects.exists()


def test_both_names_wrong_marks_both(client, identified_applicant):
    response = client.post(URL, personal_data(full_name="Sitti Aminah", mother_name="Suharti"))

    assert {"full_name", "mother_name"} <= set(response.context["form"].errors)


def test_the_sex_must_be_the_one_in_the_nik(client, identified_applicant):
    response = client.post(URL, personal_data(sex="L"))

    assert "Jenis kelamin tidak sesuai dengan NIK Anda." in response.content.decode()


def test_a_district_outside_the_chosen_regency_is_refused(client, identified_applicant):
    response = client.post(URL, personal_data(district="31.71.01"))

    assert response.context["form"].errors["district"]
    assert not PersonalData.objects.exists()


def test_the_truthfulness_tick_is_required(client, identified_applicant):
    data = personal_data()
    del data["truthful"]

    response = client.post(URL, data)

    assert "Centang pernyataan ini untuk melanjutkan." in response.content.decode()


def test_without_javascript_pilih_refreshes_the_regencies_and_keeps_every_answer(client, identified_applicant):
    data = personal_data(province="31", regency="", district="")
    data["refresh"] = "province"

    response = client.post(URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.errors
    regencies = [label for code, label in form.fields["regency"].choices if code]
    assert "Kota Administrasi Jakarta Selatan" in regencies
    html = response.content.decode()
    assert 'value="Jl. Merdeka' in html or "Jl. Merdeka No. 1" in html
    assert not PersonalData.objects.exists()


def test_changing_the_province_drops_a_regency_of_the_old_one(client, identified_applicant):
    data = personal_data(province="31", regency="32.76", district="32.76.01")
    data["refresh"] = "province"

    form = client.post(URL, data).context["form"]

    assert [code for code, _label in form.fields["district"].choices if code] == []


def test_the_region_lists_are_served_as_json_for_the_picker(client):
    regencies = client.get("/wilayah/32/").json()["children"]
    districts = client.get("/wilayah/32.76/").json()["children"]

    assert {"code": "32.76", "name": "Kota Depok"} in regencies
    assert {"code": "32.76.01", "name": "Pancoran Mas"} in districts
    assert client.get("/wilayah/32.76.01/").status_code == 404


def test_registry_down_keeps_the_form(client, identified_applicant, settings):
    settings.DUKCAPIL_MOCK_FAILURE_RATE = 1.0

    response = client.post(URL, personal_data())

    assert response.status_code == 503
    assert "sedang tidak dapat dihubungi" in response.content.decode()
    assert response.context["form"].data["full_name"] == "Siti Aminah"


def test_invisible_and_control_characters_are_removed_before_the_names_are_matched_and_stored(
    client, identified_applicant
):
    client.post(
        URL,
        personal_data(
            full_name="\u202eSiti\u200b Amin\u00adah\x07",  # right-to-left override, zero-width space, soft hyphen, BEL
            mother_name="\ufeffNur\u200dhayati\u2067",  # byte-order mark, zero-width joiner, right-to-left isolate
            address="Jl. Merdeka\u200f No. 1\r\nRT 001/RW 002\x1b[2J",  # right-to-left mark, new line, escape
        ),
    )

    saved = PersonalData.objects.get(user=identified_applicant)
    assert (saved.full_name, saved.mother_name) == ("Siti Aminah", "Nurhayati")
    assert saved.address == "Jl. Merdeka No. 1 RT 001/RW 002[2J"


def test_the_service_cleans_names_itself_whoever_calls_it(identified_applicant):
    from regions.models import District
    from verification.services import PersonalDataInput, personal_data_save

    saved = personal_data_save(
        user=identified_applicant,
        data=PersonalDataInput(
            full_name="Siti\u202e Aminah",
            mother_name="Nurhayati\u200b",
            address="\u2066Jl. Merdeka 1\u2069",
            district=District.objects.get(pk="32.76.01"),
            sex="P",
            education="sma",
            marital_status="kawin",
            dependents=0,
            training_topic="kuliner",
        ),
    )

    assert (saved.full_name, saved.mother_name, saved.address) == ("Siti Aminah", "Nurhayati", "Jl. Merdeka 1")


@pytest.mark.parametrize("field", ["full_name", "mother_name"])
@pytest.mark.parametrize("suffix", ['"><', " <>", " =", "; --", " (1)"])
def test_a_name_with_markup_symbols_or_digits_is_refused_on_its_field_and_nothing_is_stored(
    client, identified_applicant, field, suffix
):
    # The registry compares letters only, so "Siti Aminah\"><" matches SITI AMINAH: the form must refuse it.
    typed = personal_data()[field] + suffix

    response = client.post(URL, personal_data(**{field: typed}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        (
            "Tulis nama dengan huruf, seperti di KTP. Selain huruf dan spasi, hanya titik, koma, tanda petik, "
            "dan tanda hubung yang boleh dipakai."
        )
    ]
    assert not PersonalData.objects.exists()


def test_an_address_with_markup_is_refused_and_what_was_typed_is_kept(client, identified_applicant):
    response = client.post(URL, personal_data(address="Jl. Merdeka 1 <script>alert(1)</script>"))

    assert response.context["form"].errors["address"] == ["Alamat tidak boleh berisi tanda < atau >."]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
    assert not PersonalData.objects.exists()


@pytest.mark.parametrize(
    "name", ["Nur'aini", "Nur’aini", "M. Yusuf", "Siti-Nur Aini", "ＳＩＴＩ", "Sítì", "Cut Nyak Dhien,"]
)
def test_names_with_the_punctuation_people_write_pass_the_character_rule(name):
    from verification.forms import PersonalDataForm

    form = PersonalDataForm(personal_data(full_name=name, mother_name=name))
    form.is_valid()

    assert "full_name" not in form.errors and "mother_name" not in form.errors
