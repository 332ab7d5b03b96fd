"""manage.py load_demo: the data behind `make demo`."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from offers.models import Offer
from tests.conftest import ApiClient
from trackoffers.models import CopyScanChange, TrackOffer
from tracks.models import Product, Track

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def token_of(output: str) -> str:
    return output.split("Bearer token (valid 24 h): ")[1].split()[0]


def test_it_seeds_a_catalogue_with_some_tracks_opted_out():
    output = load_demo()

    assert (Product.objects.count(), Track.objects.count()) == (4, 40)
    assert Offer.objects.count() == 8
    assert TrackOffer.objects.count() == 20
    assert TrackOffer.objects.opted_out().count() == 4
    assert (
        "Catalogue: created 4 products, 40 tracks, 8 offers, 20 track offers "
        "(4 opted out of copy scan)." in output
    )


def test_it_builds_the_same_catalogue_as_seed_catalogue():
    load_demo()
    demo = list(Track.objects.values_list("isrc_code", "title", "artist"))
    TrackOffer.objects.all().delete()
    Track.objects.all().delete()
    Offer.objects.all().delete()
    Product.objects.all().delete()

    call_command(
        "seed_catalogue",
        tracks=40,
        offers_per_product=2,
        override_share=0.25,
        seed=1,
        stdout=StringIO(),
        stderr=StringIO(),
    )

    assert list(Track.objects.values_list("isrc_code", "title", "artist")) == demo


def test_it_prints_a_working_token_and_curl_examples():
    output = load_demo()

    token = token_of(output)
    assert "curl -H" in output
    assert ApiClient(token).get("/api/v1/track-offers").status_code == 200


def test_its_post_example_creates_a_track_offer():
    output = load_demo()
    body = re.search(r"-X POST \S+ -d '(.+)'", output).group(1)

    response = ApiClient(token_of(output)).post("/api/v1/track-offers", body)

    assert response.status_code == 201
    assert json.loads(body)["data"]["attributes"] == {"usage": {"copy_scan": False}}
    assert TrackOffer.objects.opted_out().count() == 5


def test_its_delete_example_names_an_opted_out_track_offer():
    output = load_demo()

    opted_out = TrackOffer.objects.opted_out().first()
    assert f"-X DELETE http://127.0.0.1:8000/api/v1/track-offers/{opted_out.pk}" in (
        output
    )


def test_it_can_run_twice_without_duplicating_data():
    load_demo()

    output = load_demo()

    assert "The catalogue was already there; left as it is." in output
    assert (Product.objects.count(), Track.objects.count()) == (4, 40)
    assert TrackOffer.objects.count() == 20


def test_its_seeded_rows_carry_no_copy_scan_history():
    load_demo()

    assert not CopyScanChange.objects.exists()
