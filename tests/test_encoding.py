"""Documents are encoded with orjson, byte for byte as DRF would encode them."""

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from django.db.models import IntegerChoices, TextChoices
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from jsonapi.renderers import JSONAPIRenderer, encode
from tests import factories


class Colour(TextChoices):
    RED = "red-ish"


class Rank(IntegerChoices):
    FIRST = 1


VALUES = [
    {"text": "é ü 中 🎵", "nested": {"list": [1, True, None, -5, 2**62]}, "empty": {}},
    # Valid JSON, but not valid JavaScript unless escaped.
    "a\u2028b\u2029c",
    '\x00\x1f"\\/<script>',
    gettext_lazy("Not found."),
    datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5),
    date(2026, 1, 2),
    time(1, 2, 3, 456789),
    timedelta(seconds=90),
    Decimal("1.50"),
    UUID(int=5),
    Colour.RED,
    Rank.FIRST,
    0.1,
    ("tuple", 1),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_encode_writes_what_drf_writes(value):
    assert encode(value) == JSONRenderer().render(value)


def test_line_separators_are_escaped():
    assert encode({"title": "a\u2028b"}) == b'{"title":"a\\u2028b"}'


def test_what_orjson_refuses_is_left_to_drf():
    huge = {"n": 2**70}
    with pytest.raises(TypeError):
        encode(huge)

    assert JSONAPIRenderer().render(huge) == (
        b'{"n":1180591620717411303424,"jsonapi":{"version":"1.0"}}'
    )


def test_what_nothing_can_encode_still_fails_as_with_drf():
    with pytest.raises(TypeError):
        JSONAPIRenderer().render({"n": object()})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/track-offers?include=track,offer", 200),
        ("/api/v1/track-offers/{pk}?include=track", 200),
        ("/api/v1/track-offers?filter[nope]=1", 400),
        ("/api/v1/track-offers/0", 404),
    ],
)
def test_documents_are_the_bytes_drf_would_send(api, path, status):
    track_offer = factories.track_offer(copy_scan=False)
    track_offer.track.title = "Café\u2028Noir"
    track_offer.track.save()

    response = api.get(path.format(pk=track_offer.pk))

    assert response.status_code == status
    assert response.content == JSONRenderer().render(json.loads(response.content))


@pytest.mark.django_db
def test_a_line_separator_in_a_title_reaches_the_client_escaped(api):
    track_offer = factories.track_offer()
    track_offer.track.title = "Café\u2028Noir"
    track_offer.track.save()

    response = api.get(f"/api/v1/track-offers/{track_offer.pk}?include=track")

    assert response.status_code == 200
    assert b'"title":"Caf\xc3\xa9\\u2028Noir"' in response.content
    assert response.json()["included"][0]["attributes"]["title"] == "Café\u2028Noir"


@pytest.mark.django_db
def test_an_indent_asked_for_in_accept_is_honoured(api):
    factories.track_offer()

    response = api.get("/api/v1/track-offers", HTTP_ACCEPT="*/*; indent=2")

    assert response.status_code == 200
    assert response.content.startswith(b'{\n  "')
    assert response.content == JSONRenderer().render(
        json.loads(response.content), renderer_context={"indent": 2}
    )
