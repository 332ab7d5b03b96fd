"""manage.py load_demo: the data behind `make demo`."""

from io import StringIO

import pytest
from django.core.management import call_command

from offers.models import Offer
from tests.conftest import ApiClient
from trackoffers.models import TrackOffer
from tracks.models import Product, Track

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_loads_a_catalogue_with_one_track_opted_out():
    load_demo()

    opted_out = TrackOffer.objects.get(copy_scan=False)
    assert (Product.objects.count(), Track.objects.count()) == (2, 5)
    assert Offer.objects.count() == 4
    assert opted_out.track.isrc_code == "USRC17607840"
    assert opted_out.offer.is_default


def test_it_prints_a_working_token_and_curl_examples():
    output = load_demo()

    token = output.split("Bearer token (valid 24 h): ")[1].split()[0]
    assert "curl -H" in output
    assert ApiClient(token).get("/api/v1/track-offers").status_code == 200


def test_it_can_run_twice_without_duplicating_data():
    load_demo()
    load_demo()

    assert Product.objects.count() == 2
