"""The memoized name formatting gives what DJA and inflection give uncached."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import hypothesis
import inflection
import pytest
from rest_framework_json_api import utils

from jsonapi import speed

NAMES = [
    "track_offer",
    "TrackOffer",
    "trackOffer",
    "track-offers",
    "release_date",
    "effective_usage",
    "copy_scan",
    "offer",
    "person",
    "status",
]


def test_the_string_functions_are_memoized():
    for function in (utils.format_value, inflection.pluralize, inflection.underscore):
        assert hasattr(function, "cache_info")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "format_type", ["dasherize", "camelize", "capitalize", "underscore", None]
)
def test_format_value_is_unchanged(name, format_type):
    original = utils.format_value.__wrapped__

    assert utils.format_value(name, format_type) == original(name, format_type)
    # A second call answers from the cache, the same.
    assert utils.format_value(name, format_type) == original(name, format_type)


@pytest.mark.parametrize("name", NAMES)
def test_inflections_are_unchanged(name):
    for function in (
        inflection.pluralize,
        inflection.singularize,
        inflection.underscore,
        inflection.dasherize,
    ):
        assert function(name) == function.__wrapped__(name)
    assert inflection.camelize(name, False) == inflection.camelize.__wrapped__(
        name, False
    )


def test_resource_types_are_unchanged():
    assert utils.format_resource_type("TrackOffer") == "track-offers"
    assert utils.format_resource_type("Person") == "people"


def test_memoizing_twice_wraps_once():
    speed.memoize_inflection()

    assert not hasattr(utils.format_value.__wrapped__, "cache_info")


@pytest.mark.django_db
def test_a_request_without_filters_builds_no_filterset(api, monkeypatch):
    from trackoffers.filters import TrackOfferFilterSet

    built = []
    original = TrackOfferFilterSet.__init__

    def spy(self, *args, **kwargs):
        built.append(kwargs["data"])
        original(self, *args, **kwargs)

    monkeypatch.setattr(TrackOfferFilterSet, "__init__", spy)

    assert api.get("/api/v1/track-offers?page[size]=5").status_code == 200
    assert built == []
    # The first time, once more to compile the shape with stand-ins.
    assert api.get("/api/v1/track-offers?filter[offer-id]=1").status_code == 200
    assert len(built) == 2
    assert api.get("/api/v1/track-offers?filter[offer-id]=2").status_code == 200
    assert len(built) == 3


def test_each_serializer_gets_its_own_bound_fields():
    from trackoffers.serializers import TrackOfferSerializer

    first, second = TrackOfferSerializer(), TrackOfferSerializer()

    for name in ("usage", "track", "created_at"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
    assert first.fields["track"].error_messages["required"] == (
        "The track field is required."
    )
    assert list(first.fields) == list(second.fields)


def test_timestamps_are_written_in_utc_whatever_the_current_time_zone():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from jsonapi.serializers import UTCDateTimeField

    moment = datetime(2026, 4, 20, 12, 30, 0, 5, tzinfo=ZoneInfo("Europe/Paris"))

    with timezone.override("America/New_York"):
        written = UTCDateTimeField().to_representation(moment)

    assert written == "2026-04-20T10:30:00.000005Z"
    assert UTCDateTimeField().to_representation(moment.astimezone(UTC)) == written
    assert UTCDateTimeField().to_representation(None) is None


def test_the_short_utc_format_matches_strftime():
    from datetime import UTC, datetime, timedelta, timezone

    from jsonapi.serializers import UTC_FORMAT, UTCDateTimeField

    field = UTCDateTimeField()
    moments = [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1000, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 6, 1, 1, 2, 3, 40, tzinfo=timezone(timedelta(hours=-5))),
    ]

    for moment in moments:
        expected = moment.astimezone(UTC).strftime(UTC_FORMAT)
        assert field.to_representation(moment) == expected
    # Before year 1000 strftime is the authority; the short cut steps aside.
    early = datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC)
    assert field.to_representation(early) == early.strftime(UTC_FORMAT)


@hypothesis.given(
    hypothesis.strategies.datetimes(
        min_value=datetime(1000, 1, 1),
        timezones=hypothesis.strategies.sampled_from(
            [UTC, ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Kolkata")]
        ),
    )
)
def test_any_timestamp_is_written_as_strftime_writes_it(moment):
    from jsonapi.serializers import UTC_FORMAT, UTCDateTimeField

    expected = moment.astimezone(UTC).strftime(UTC_FORMAT)
    assert UTCDateTimeField().to_representation(moment) == expected


PAGES = [
    "/api/v1/track-offers",
    "/api/v1/track-offers?include=track,offer",
    "/api/v1/track-offers?include=track&fields[tracks]=isrc-code,product",
    "/api/v1/track-offers?fields[track-offers]=usage,track&include=offer",
    "/api/v1/track-offers?fields[track-offers]=usage",
    "/api/v1/track-offers/{track_offer}",
    "/api/v1/track-offers/{track_offer}?include=offer&fields[offers]=product",
    "/api/v1/tracks?include=product",
    "/api/v1/tracks?include=product&fields[products]=upc-code&fields[tracks]=title",
    "/api/v1/offers/{offer}/track-offers?include=offer,track",
    "/api/v1/tracks/{track}/track-offers",
    "/api/v1/offers?include=product",
    "/api/v1/products",
    "/api/v1/products/{product}/relationships/tracks",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_the_short_cuts_render_what_dja_and_drf_render(api, monkeypatch, page):
    """The cached layout and field short cuts change no byte of a document."""
    from rest_framework_json_api.renderers import JSONRenderer

    from jsonapi.renderers import JSONAPIRenderer
    from jsonapi.serializers import ResourceSerializer
    from tests import factories

    track_offer = factories.track_offer(copy_scan=False)
    factories.track_offer(offer_=track_offer.offer)
    url = page.format(
        track_offer=track_offer.pk,
        track=track_offer.track_id,
        product=track_offer.track.product_id,
        offer=track_offer.offer_id,
    )

    fast = api.get(url)
    monkeypatch.delattr(JSONAPIRenderer, "build_json_resource_obj")
    # DJA's own, run as this renderer's (whose sparse fieldsets are fixed).
    monkeypatch.setattr(
        JSONAPIRenderer,
        "extract_included",
        classmethod(JSONRenderer.extract_included.__func__),
    )
    monkeypatch.delattr(ResourceSerializer, "to_representation")
    slow = api.get(url)

    assert fast.status_code == slow.status_code == 200
    assert fast.json() == slow.json()
    assert fast.json()["data"]


def test_a_filter_set_makes_its_form_class_once_and_fresh_forms_each_time():
    from trackoffers.filters import TrackOfferFilterSet
    from trackoffers.models import TrackOffer

    first = TrackOfferFilterSet({"copy_scan": "false"}, TrackOffer.objects.none())
    second = TrackOfferFilterSet({"copy_scan": "maybe"}, TrackOffer.objects.none())

    assert first.get_form_class() is second.get_form_class()
    assert first.form is not second.form
    assert first.form.fields["copy_scan"] is not second.form.fields["copy_scan"]
    assert first.is_valid() and not second.is_valid()
    assert list(second.errors) == ["copy_scan"]
