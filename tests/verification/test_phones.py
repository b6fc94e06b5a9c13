"""verification.phones.phone_normalize: anything typed is an E.164 Indonesian mobile number or a PhoneError."""

import re
import subprocess
import sys

import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from verification.phones import PhoneError, PhoneErrorCode, phone_normalize

E164_INDONESIAN = re.compile(r"\+62[0-9]{8,13}")
MOBILE_PREFIXES = [
    "0811",
    "0812",
    "0813",
    "0821",
    "0822",
    "0852",
    "0853",
    "0857",
    "0858",
    "0877",
    "0878",
    "0895",
    "0896",
    "0881",
    "0882",
    "0817",
    "0818",
    "0819",
    "0859",
]

typed_text = st.text(
    alphabet=st.one_of(st.characters(codec=None), st.sampled_from("+0123456789 -().\t\x00\u200b\u202e０８٠")),
    max_size=40,
)
local_mobile = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(MOBILE_PREFIXES),
    st.text(alphabet="0123456789", min_size=6, max_size=9),
)


@hypothesis_settings(max_examples=500, deadline=None)
@given(typed_text)
def test_anything_typed_is_either_a_normalised_number_or_a_phone_error(typed):
    try:
        number = phone_normalize(typed)
    except PhoneError as error:
        assert error.code in PhoneErrorCode  # noqa: PT017 - either outcome is valid; a refusal must be the typed error
    else:
        assert E164_INDONESIAN.fullmatch(number)
        assert phone_normalize(number) == number


@hypothesis_settings(max_examples=300, deadline=None)
@given(local_mobile, st.sampled_from(["{}", "+62{}", "62{}", "+62 {}"]), st.sampled_from(["", " ", "-", "."]))
def test_every_usual_way_of_writing_a_mobile_number_gives_the_same_e164(local, shape, separator):
    try:
        expected = phone_normalize(local)
    except PhoneError:
        assume(False)  # not a number in use in Indonesia's plan; the first property covers refusals
    national = local[1:]
    grouped = separator.join([national[:3], national[3:7], national[7:]])
    typed = shape.format(grouped) if shape != "{}" else "0" + grouped

    assert phone_normalize(typed) == expected
    assert expected == "+62" + national
    assert phone_normalize(expected) == expected


@pytest.mark.parametrize(
    "typed", ["", "\x00", "0812\x0034567890", "<script>alert(1)</script>", "9" * 10_000, "+1 202 555 0100"]
)
def test_hostile_or_foreign_numbers_are_refused_with_a_code(typed):
    with pytest.raises(PhoneError):
        phone_normalize(typed)


def test_indonesian_metadata_is_loaded_at_import_not_under_the_first_requests_lock():
    """phonenumbers holds a lock while it loads a region on first use and never releases it if that load
    raises; with Indonesia's loaded at import, no request or worker thread ever takes that path for it. In a
    fresh process: here the other tests have long since loaded it."""
    probe = "import verification.phones, phonenumbers; print(phonenumbers.PhoneMetadata._region_available['ID'])"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)

    assert result.stdout.strip() == "None"  # loaded: no loader left to run on first use
