"""National Provider Identifier check digit.

Source: CMS, "Requirements for National Provider Identifier (NPI) and NPI Enumerator Check
Digit Calculation": the Luhn formula (ISO/IEC 7812) over the 9 identifier digits prefixed with
the card issuer prefix 80840, so the constant 24 is added to the doubled-digit sum.
"""

from __future__ import annotations


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # rightmost of the 9 digits is doubled (check digit excluded)
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def npi_check_digit(first_nine: str) -> int:
    """The tenth digit that makes ``first_nine`` a valid NPI."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("an NPI check digit needs exactly 9 digits")
    total = 24 + _luhn_sum(first_nine)
    return (10 - total % 10) % 10


def npi_problem(npi: str) -> str | None:
    """Why ``npi`` is not a valid NPI, or None when it is."""
    if len(npi) != 10 or not npi.isdigit():
        return "an NPI is 10 digits"
    if npi[0] not in "12":
        return "an NPI starts with 1 or 2"
    if npi_check_digit(npi[:9]) != int(npi[9]):
        return "the NPI check digit does not match (Luhn with prefix 80840)"
    return None


def is_valid_npi(npi: str) -> bool:
    return npi_problem(npi) is None
