import pytest
from django.core.exceptions import ValidationError

from renkei.registry.validators import (
    corporate_number_check_digit,
    normalise_corporate_number,
    normalise_domains,
    validate_corporate_number,
    validate_domains,
)


@pytest.mark.parametrize(
    "number",
    ["7000012050002", "1180301018771", "4000012090001"],  # National Tax Agency, Toyota, Ministry of Finance
)
def test_real_corporate_numbers_pass(number):
    validate_corporate_number(number)


def test_check_digit_rule():
    assert corporate_number_check_digit("000012050002") == 7


@pytest.mark.parametrize("number", ["7000012050003", "1180301018772"])
def test_wrong_check_digit_is_rejected(number):
    with pytest.raises(ValidationError) as exc:
        validate_corporate_number(number)
    assert exc.value.code == "check_digit"


@pytest.mark.parametrize("number", ["123", "70000120500021", "70000120500a2"])
def test_wrong_length_or_letters_are_rejected(number):
    with pytest.raises(ValidationError) as exc:
        validate_corporate_number(number)
    assert exc.value.code == "format"


def test_full_width_and_hyphens_are_normalised():
    assert normalise_corporate_number("７０００-０１２０-５０００２") == "7000012050002"


def test_domains_are_normalised_and_validated():
    assert normalise_domains("https://Example.co.jp/, example.co.jp  mail.example.jp") == "example.co.jp, mail.example.jp"
    validate_domains("example.co.jp, mail.example.jp")
    with pytest.raises(ValidationError):
        validate_domains("not a domain")
