"""Links built from templates are the links reverse() builds."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from jsonapi.links import resource_url


@pytest.fixture
def request_():
    return RequestFactory().get("/api/v1/track-offers", HTTP_HOST="testserver:8000")


@pytest.mark.parametrize("view_name", ["track-offer-detail", "offer-detail"])
@pytest.mark.parametrize("pk", [1, 42, 9_223_372_036_854_775_807])
def test_resource_links_match_reverse(request_, view_name, pk):
    expected = request_.build_absolute_uri(reverse(view_name, kwargs={"pk": pk}))

    assert resource_url(request_, view_name, pk) == expected


@pytest.mark.parametrize("related_field", ["track", "offer"])
def test_relationship_links_match_reverse(request_, related_field):
    kwargs = {"pk": 7, "related_field": related_field}
    for view_name in ("track-offer-relationships", "track-offer-related"):
        expected = request_.build_absolute_uri(reverse(view_name, kwargs=kwargs))

        assert (
            resource_url(request_, view_name, 7, related_field=related_field)
            == expected
        )


def test_an_id_that_is_not_an_integer_is_reversed(request_):
    assert resource_url(request_, "track-offer-detail", "a b") == (
        "http://testserver:8000/api/v1/track-offers/a%20b"
    )


def test_links_follow_the_scheme_and_host_of_each_request():
    secure = RequestFactory().get("/", secure=True, HTTP_HOST="testserver")

    assert resource_url(secure, "offer-detail", 3) == (
        "https://testserver/api/v1/offers/3"
    )
