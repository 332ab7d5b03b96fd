"""Identifier codes of the catalogue: UPC/EAN for products, ISRC for tracks."""

import re

from django.core.exceptions import ValidationError

ISRC_PATTERN = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")
UPC_PATTERN = re.compile(r"[0-9]{12,13}")


def normalize_isrc(value: str) -> str:
    """Return an ISRC upper-cased and without hyphens or spaces.

    >>> normalize_isrc("us-rc1-76-07839")
    'USRC17607839'
    """
    return value.replace("-", "").replace(" ", "").upper()


def shown(value: str) -> str:
    """Return a value as error messages quote it: long ones cut short.

    An error must not send a 10 MB attribute back to the client.
    """
    return value if len(value) <= 32 else f"{value[:32]}..."


def validate_isrc(value: str) -> None:
    if not ISRC_PATTERN.fullmatch(value):
        raise ValidationError(
            "%(value)s is not an ISRC: expected 2 letters (country), 3 letters "
            "or digits (registrant), 2 digits (year) and 5 digits, "
            "e.g. USRC17607839.",
            code="invalid_isrc",
            params={"value": shown(value)},
        )


def gs1_check_digit(digits: str) -> int:
    """Return the GS1 check digit for the digits that precede it."""
    total = sum(
        int(digit) * (3 if position % 2 == 0 else 1)
        for position, digit in enumerate(reversed(digits))
    )
    return (10 - total % 10) % 10


def validate_upc(value: str) -> None:
    if not UPC_PATTERN.fullmatch(value):
        raise ValidationError(
            "%(value)s is not a UPC: expected 12 or 13 digits.",
            code="invalid_upc",
            params={"value": shown(value)},
        )
    if gs1_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(
            "%(value)s has a wrong check digit: expected %(digit)s.",
            code="invalid_upc_check_digit",
            params={"value": value, "digit": gs1_check_digit(value[:-1])},
        )
