"""Malformed request documents: each a precise 4xx that changes nothing."""

import json

import pytest

from tests import factories
from tests.documents import errors_of
from trackoffers.models import TrackOffer

pytestmark = pytest.mark.django_db


@pytest.fixture
def track_offer():
    return factories.track_offer(copy_scan=False)


def assert_unchanged(track_offer) -> None:
    track_offer.refresh_from_db()
    assert track_offer.copy_scan is False
    assert TrackOffer.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "pointer", "detail"),
    [
        ("{not json", "", None),
        (b"\xff\xfe\x00garbage", "", None),
        ("[]", "", "The request document must be a JSON object."),
        ('"text"', "", "The request document must be a JSON object."),
        ("{}", "", "The request document must have a data member."),
        ('{"data": null}', "/data", "data must be a resource object."),
        ('{"data": []}', "/data", "data must be a resource object."),
        ('{"data": "track-offers"}', "/data", "data must be a resource object."),
        (
            '{"data": {"id": "1"}}',
            "/data/type",
            "A resource object must have a type, as a string.",
        ),
        (
            '{"data": {"type": "track-offers", "id": 1}}',
            "/data/id",
            "id must be a string.",
        ),
        (
            '{"data": {"type": "track-offers", "id": "1", "attributes": []}}',
            "/data/attributes",
            "attributes must be an object.",
        ),
        (
            '{"data": {"type": "track-offers", "id": "1", "attributes": "x"}}',
            "/data/attributes",
            "attributes must be an object.",
        ),
        (
            '{"data": {"type": "track-offers", "id": "1", "relationships": 5}}',
            "/data/relationships",
            "relationships must be an object.",
        ),
        (
            '{"data": {"type": "track-offers", "id": "1",'
            ' "relationships": {"track": "5"}}}',
            "/data/relationships/track",
            "A relationship must be an object with a data member.",
        ),
        (
            '{"data": {"type": "track-offers", "id": "1",'
            ' "relationships": {"track": {"id": "5"}}}}',
            "/data/relationships/track",
            "A relationship must be an object with a data member.",
        ),
        (
            '{"data": {"type": "track-offers", "id": "1",'
            ' "relationships": {"track": {"data": "5"}}}}',
            "/data/relationships/track/data",
            'A resource identifier must be an object like {"type": ..., "id": ...}.',
        ),
        (
            '{"data": {"type": "track-offers", "id": "1",'
            ' "relationships": {"track": {"data": {"type": "tracks", "id": 5}}}}}',
            "/data/relationships/track/data/id",
            "A resource identifier must have a id, as a string.",
        ),
        (
            '{"data": {"type": "track-offers", "id": "1",'
            ' "relationships": {"track": {"data": {"id": "5"}}}}}',
            "/data/relationships/track/data/type",
            "A resource identifier must have a type, as a string.",
        ),
    ],
)
def test_it_rejects_malformed_documents_with_a_400(
    api, track_offer, body, pointer, detail
):
    body = (
        body.replace('"id": "1"', f'"id": "{track_offer.pk}"')
        if isinstance(body, str)
        else body
    )

    response = api.patch(f"/api/v1/track-offers/{track_offer.pk}", body)

    error = errors_of(response)[0]
    assert response.status_code == 400
    assert error["status"] == "400"
    assert error["title"] == "Bad Request"
    assert error["source"] == {"pointer": pointer}
    if detail is not None:
        assert error["detail"] == detail
    else:
        assert error["detail"].startswith("The request body is not valid JSON")
    assert_unchanged(track_offer)


def test_it_rejects_deeply_nested_json_with_a_400(api, track_offer):
    body = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = api.patch(f"/api/v1/track-offers/{track_offer.pk}", body)

    assert response.status_code == 400
    assert errors_of(response)[0]["detail"] == (
        "The request body is nested too deeply."
    )
    assert_unchanged(track_offer)


def test_it_rejects_a_body_over_the_size_limit_with_a_413(api, track_offer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps(
        {
            "data": {
                "type": "track-offers",
                "id": str(track_offer.pk),
                "attributes": {"release-date": "x" * 20_000},
            }
        }
    )

    response = api.patch(f"/api/v1/track-offers/{track_offer.pk}", body)

    assert response.status_code == 413
    assert errors_of(response) == [
        {
            "status": "413",
            "title": "Payload Too Large",
            "detail": "The request body is larger than the limit of 10000 bytes.",
        }
    ]
    assert_unchanged(track_offer)


def test_it_answers_a_wrong_type_with_a_409(api, track_offer):
    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        {"data": {"type": "tracks", "id": str(track_offer.pk)}},
    )

    assert response.status_code == 409
    assert errors_of(response) == [
        {
            "status": "409",
            "title": "Conflict",
            "detail": "This endpoint takes track-offers resources, not tracks.",
            "source": {"pointer": "/data/type"},
        }
    ]
    assert_unchanged(track_offer)


def test_it_answers_an_id_that_differs_from_the_url_with_a_409(api, track_offer):
    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        {"data": {"type": "track-offers", "id": "77"}},
    )

    assert response.status_code == 409
    assert errors_of(response)[0]["source"] == {"pointer": "/data/id"}
    assert_unchanged(track_offer)


def test_it_requires_the_id_on_patch(api, track_offer):
    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        {"data": {"type": "track-offers", "attributes": {"usage": {}}}},
    )

    assert response.status_code == 400
    assert errors_of(response)[0]["source"] == {"pointer": "/data"}


def test_it_refuses_a_client_generated_id_with_a_403(api, track_offer):
    track = factories.track(track_offer.offer.product)

    response = api.post(
        "/api/v1/track-offers",
        {
            "data": {
                "type": "track-offers",
                "id": "500",
                "relationships": {
                    "track": {"data": {"type": "tracks", "id": str(track.pk)}},
                    "offer": {
                        "data": {"type": "offers", "id": str(track_offer.offer_id)}
                    },
                },
            }
        },
    )

    assert response.status_code == 403
    assert errors_of(response) == [
        {
            "status": "403",
            "title": "Forbidden",
            "detail": "Client-generated ids are not supported: leave id out.",
            "source": {"pointer": "/data/id"},
        }
    ]
    assert_unchanged(track_offer)


def test_it_rejects_a_huge_string_without_failing(api, track_offer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
    body = {
        "data": {
            "type": "track-offers",
            "id": str(track_offer.pk),
            "attributes": {"release-date": "9" * (10 * 1024 * 1024)},
        }
    }

    response = api.patch(f"/api/v1/track-offers/{track_offer.pk}", body)

    assert response.status_code == 422
    assert errors_of(response)[0]["source"] == {
        "pointer": "/data/attributes/release-date"
    }
    assert_unchanged(track_offer)


@pytest.mark.parametrize("method", ["post", "patch"])
def test_it_rejects_a_write_without_a_body(api, track_offer, method):
    path = "/api/v1/track-offers"
    if method == "patch":
        path += f"/{track_offer.pk}"

    response = getattr(api, method)(path, "")

    assert response.status_code == 400
    assert errors_of(response) == [
        {
            "status": "400",
            "title": "Bad Request",
            "detail": "This request needs a JSON:API document as its body.",
            "source": {"pointer": ""},
        }
    ]
    assert_unchanged(track_offer)
