"""Masked recipients: recognisable by their owner, useless to anyone harvesting them."""

import pytest

from notifications.masking import mask_email, mask_phone, mask_recipient


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("siti.aminah@gmail.com", "s•••@gmail.com"),
        ("s@gmail.com", "s•••@gmail.com"),
        ("@gmail.com", "•••@gmail.com"),
        ("not-an-email", "•••"),
        ("", "•••"),
    ],
)
def test_an_email_keeps_its_first_letter_and_domain(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+6281212345678", "+62812••••5678"),
        ("+628121234567", "+62812•••4567"),
        ("081212345678", "0812••••5678"),
        ("12345", "•••45"),
        ("", "•••"),
    ],
)
def test_a_phone_keeps_its_operator_prefix_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


def test_a_recipient_is_masked_as_what_it_is():
    assert mask_recipient("budi@example.com") == "b•••@example.com"
    assert mask_recipient("+6281212345678") == "+62812••••5678"
