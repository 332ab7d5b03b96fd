"""``Track.objects.search``: what staff type into the admin's search box."""

import pytest

from tests import factories
from tracks.models import Track

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    night = factories.product(name="Night Drive", upc_code="012345678905")
    piano = factories.product(name="Piano", upc_code="4006381333931")
    return {
        "neon": factories.track(night, title="Neon Highway", isrc_code="USRC17607839"),
        "tunnel": factories.track(
            night, title="Tunnel Lights", isrc_code="USRC17607840"
        ),
        "lune": factories.track(piano, title="Clair de Lune", isrc_code="GBAYE0601478"),
    }


def titles(term: str) -> set[str]:
    return set(Track.objects.search(term).values_list("title", flat=True))


@pytest.mark.parametrize("term", ["USRC17607839", "us-rc1-76-07839", " usrc17607839 "])
def test_a_full_isrc_matches_exactly_whatever_its_spelling(catalogue, term):
    assert titles(term) == {"Neon Highway"}


@pytest.mark.parametrize("term", ["USRC176", "us-rc1", "GB"])
def test_the_start_of_an_isrc_matches_every_isrc_starting_with_it(catalogue, term):
    expected = {"Clair de Lune"} if term == "GB" else {"Neon Highway", "Tunnel Lights"}

    assert titles(term) == expected


def test_a_upc_matches_the_tracks_of_its_product(catalogue):
    assert titles("4006381333931") == {"Clair de Lune"}


@pytest.mark.parametrize("term", ["lights", "LUNE", "de l"])
def test_other_words_match_titles_containing_them_in_any_case(catalogue, term):
    expected = {"Tunnel Lights"} if term == "lights" else {"Clair de Lune"}

    assert titles(term) == expected


def test_a_word_that_could_start_an_isrc_matches_titles_too(catalogue):
    # "NEON" could be a country code and registrant; no ISRC starts with it.
    assert titles("neon") == {"Neon Highway"}


def test_an_empty_term_matches_everything(catalogue):
    assert titles("  ") == {"Neon Highway", "Tunnel Lights", "Clair de Lune"}


def test_an_unknown_code_matches_nothing(catalogue):
    assert titles("USRC19999999") == set()
    assert titles("012345678912") == set()
