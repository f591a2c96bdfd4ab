import pytest

from chartwell.domain.npi import is_valid_npi, npi_check_digit, npi_problem


@pytest.mark.parametrize(
    "npi, valid",
    [
        ("1234567893", True),  # the CMS worked example
        ("1234567890", False),  # same digits, wrong check digit
        ("123456789", False),  # nine digits
        ("12345678931", False),
        ("3234567893", False),  # must start with 1 or 2
        ("12345A7893", False),
        ("", False),
    ],
)
def test_npi_check_digit(npi, valid):
    assert is_valid_npi(npi) is valid
    assert (npi_problem(npi) is None) is valid


def test_check_digit_of_cms_example():
    assert npi_check_digit("123456789") == 3
    with pytest.raises(ValueError):
        npi_check_digit("12345")
