"""UPC and ISRC checks."""

import pytest
from django.core.exceptions import ValidationError

from tracks.codes import gs1_check_digit, normalize_isrc, validate_isrc, validate_upc


@pytest.mark.parametrize(
    ("digits", "check"), [("01234567890", 5), ("400638133393", 1), ("00000000000", 0)]
)
def test_gs1_check_digit(digits, check):
    assert gs1_check_digit(digits) == check


@pytest.mark.parametrize("upc", ["012345678905", "4006381333931"])
def test_valid_upcs_pass(upc):
    validate_upc(upc)


@pytest.mark.parametrize("upc", ["012345678906", "12345", "01234567890123", "abc"])
def test_invalid_upcs_fail(upc):
    with pytest.raises(ValidationError):
        validate_upc(upc)


def test_isrcs_are_normalized_to_upper_case_without_hyphens():
    assert normalize_isrc("us-rc1-76-07839") == "USRC17607839"
    assert normalize_isrc(" gb aye 06 01477") == "GBAYE0601477"


@pytest.mark.parametrize("isrc", ["USRC17607839", "GBAYE0601477", "QZ9AB2600001"])
def test_valid_isrcs_pass(isrc):
    validate_isrc(isrc)


@pytest.mark.parametrize("isrc", ["USRC1760783", "U1RC17607839", "USRC1760783A", ""])
def test_invalid_isrcs_fail(isrc):
    with pytest.raises(ValidationError):
        validate_isrc(isrc)
