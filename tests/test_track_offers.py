"""Behaviour of /api/v1/track-offers beyond the documented examples."""

import pytest

from tests import factories
from tests.documents import BASE, errors_of, track_offer_body
from trackoffers.models import TrackOffer

pytestmark = pytest.mark.django_db


def patch_body(track_offer, **members) -> dict:
    return {"data": {"type": "track-offers", "id": str(track_offer.pk), **members}}


# Usage


def test_it_merges_usage_key_by_key_on_patch(api):
    track_offer = factories.track_offer(copy_scan=False, download=True)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(track_offer, attributes={"usage": {"on_demand_stream": False}}),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["usage"] == {
        "download": True,
        "on_demand_stream": False,
        "copy_scan": False,
    }
    assert track_offer.copy_scan is False
    assert track_offer.on_demand_stream is False


def test_it_removes_an_override_when_usage_key_is_null(api):
    track_offer = factories.track_offer(copy_scan=False, download=False)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(track_offer, attributes={"usage": {"copy_scan": None}}),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["usage"] == {"download": False}
    assert track_offer.copy_scan is None


def test_it_keeps_attributes_omitted_from_a_patch(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(track_offer, attributes={"release-date": "2027-01-15"}),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 200
    assert track_offer.copy_scan is False
    assert track_offer.release_date.isoformat() == "2027-01-15"


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("copyScan", "copy_scan"), ("copy-scan", "copy_scan"), ("Download", "download")],
)
def test_it_rejects_a_misspelled_usage_key_naming_the_right_one(api, key, suggestion):
    offer = factories.offer()
    track = factories.track(offer.product)

    response = api.post(
        "/api/v1/track-offers", track_offer_body(track, offer, usage={key: False})
    )

    assert response.status_code == 422
    assert errors_of(response) == [
        {
            "status": "422",
            "title": "Unprocessable Entity",
            "detail": f"Unknown usage key {key}: did you mean {suggestion}?",
            "source": {"pointer": f"/data/attributes/usage/{key}"},
            "code": "invalid",
        }
    ]
    assert not TrackOffer.objects.exists()


def test_it_rejects_an_unknown_usage_key_listing_the_keys(api):
    track_offer = factories.track_offer()

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(track_offer, attributes={"usage": {"scan": False}}),
    )

    assert response.status_code == 422
    assert errors_of(response)[0]["detail"] == (
        "Unknown usage key scan: usage takes download, on_demand_stream, "
        "non_interactive_stream, copy_scan (snake_case)."
    )


@pytest.mark.parametrize("value", ["false", 0, 1, [], {}, "no"])
def test_it_rejects_usage_values_that_are_not_booleans(api, value):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(track_offer, attributes={"usage": {"copy_scan": value}}),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 422
    assert errors_of(response)[0]["source"] == {
        "pointer": "/data/attributes/usage/copy_scan"
    }
    assert errors_of(response)[0]["detail"].startswith(
        "usage.copy_scan must be true, false or null, not "
    )
    assert track_offer.copy_scan is False


@pytest.mark.parametrize("usage", [[], "copy_scan", False, None])
def test_it_rejects_usage_that_is_not_an_object(api, usage):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(track_offer, attributes={"usage": usage}),
    )

    assert response.status_code == 422
    assert errors_of(response)[0]["source"] == {"pointer": "/data/attributes/usage"}


# Creating


def test_it_answers_a_second_track_offer_for_the_pair_with_a_409(api):
    existing = factories.track_offer(copy_scan=False)

    response = api.post(
        "/api/v1/track-offers",
        track_offer_body(existing.track, existing.offer, usage={"copy_scan": True}),
    )

    assert response.status_code == 409
    assert errors_of(response) == [
        {
            "status": "409",
            "title": "Conflict",
            "detail": (
                f"Track offer {existing.pk} already exists with this track and offer."
            ),
            "source": {"pointer": "/data"},
            "links": {"about": f"{BASE}/track-offers/{existing.pk}"},
        }
    ]
    assert TrackOffer.objects.get().copy_scan is False


def test_it_rejects_a_track_of_another_product(api):
    offer = factories.offer()
    stranger = factories.track()

    response = api.post("/api/v1/track-offers", track_offer_body(stranger, offer))

    assert response.status_code == 422
    assert errors_of(response) == [
        {
            "status": "422",
            "title": "Unprocessable Entity",
            "detail": (
                f"Track {stranger.pk} belongs to product {stranger.product_id}, but "
                f"offer {offer.pk} is for product {offer.product_id}: a track offer "
                "needs a track of the offer's product."
            ),
            "source": {"pointer": "/data/relationships/track"},
            "code": "invalid",
        }
    ]
    assert not TrackOffer.objects.exists()


def test_it_answers_a_missing_related_track_with_a_404(api):
    offer = factories.offer()

    response = api.post(
        "/api/v1/track-offers",
        {
            "data": {
                "type": "track-offers",
                "relationships": {
                    "track": {"data": {"type": "tracks", "id": "424242"}},
                    "offer": {"data": {"type": "offers", "id": str(offer.pk)}},
                },
            }
        },
    )

    assert response.status_code == 404
    assert errors_of(response) == [
        {
            "status": "404",
            "title": "Not Found",
            "detail": "There is no tracks resource with id 424242.",
            "source": {"pointer": "/data/relationships/track/data/id"},
        }
    ]


def test_it_answers_a_relationship_of_the_wrong_type_with_a_409(api):
    offer = factories.offer()
    track = factories.track(offer.product)
    body = track_offer_body(track, offer)
    body["data"]["relationships"]["track"]["data"]["type"] = "products"

    response = api.post("/api/v1/track-offers", body)

    assert response.status_code == 409
    assert errors_of(response)[0]["source"] == {
        "pointer": "/data/relationships/track/data/type"
    }
    assert errors_of(response)[0]["detail"] == "track takes tracks, not products."


def test_it_rejects_snake_case_attribute_names_instead_of_dropping_them(api):
    offer = factories.offer()
    track = factories.track(offer.product)

    response = api.post(
        "/api/v1/track-offers",
        track_offer_body(track, offer, release_date="2027-01-01"),
    )

    assert response.status_code == 422
    assert errors_of(response) == [
        {
            "status": "422",
            "title": "Unprocessable Entity",
            "detail": (
                "track-offers has no attribute release_date: did you mean release-date?"
            ),
            "source": {"pointer": "/data/attributes/release_date"},
            "code": "unknown_member",
        }
    ]
    assert not TrackOffer.objects.exists()


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        (
            "colour",
            "track-offers has no attribute colour (possible: usage, release-date).",
        ),
        ("created-at", "created-at is read-only in track-offers."),
        ("track", "track of track-offers belongs under relationships."),
    ],
)
def test_it_rejects_attributes_it_does_not_take(api, name, detail):
    offer = factories.offer()
    track = factories.track(offer.product)

    response = api.post(
        "/api/v1/track-offers", track_offer_body(track, offer, **{name: "x"})
    )

    assert response.status_code == 422
    assert errors_of(response)[0]["detail"] == detail
    assert errors_of(response)[0]["source"] == {"pointer": f"/data/attributes/{name}"}


def test_it_rejects_an_invalid_release_date(api):
    track_offer = factories.track_offer()

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(track_offer, attributes={"release-date": "2026-02-30"}),
    )

    assert response.status_code == 422
    assert errors_of(response)[0]["source"] == {
        "pointer": "/data/attributes/release-date"
    }
    assert "YYYY-MM-DD" in errors_of(response)[0]["detail"]


# Relationships are fixed once created


@pytest.mark.parametrize("name", ["track", "offer"])
def test_it_refuses_to_change_track_or_offer_on_patch(api, name):
    track_offer = factories.track_offer(copy_scan=False)
    other = factories.track_offer(offer_=track_offer.offer)
    target = (
        other.track if name == "track" else factories.offer(track_offer.offer.product)
    )

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(
            track_offer,
            attributes={"usage": {"copy_scan": True}},
            relationships={name: {"data": {"type": f"{name}s", "id": str(target.pk)}}},
        ),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 403
    assert errors_of(response) == [
        {
            "status": "403",
            "title": "Forbidden",
            "detail": (
                f"{name} cannot be changed here: it is fixed when the resource is "
                "created."
            ),
            "source": {"pointer": f"/data/relationships/{name}"},
        }
    ]
    assert track_offer.copy_scan is False


def test_it_accepts_a_patch_that_repeats_the_current_track(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        patch_body(
            track_offer,
            attributes={"usage": {"copy_scan": True}},
            relationships={
                "track": {"data": {"type": "tracks", "id": str(track_offer.track_id)}}
            },
        ),
    )

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["usage"] == {"copy_scan": True}


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_it_refuses_writes_on_relationship_endpoints(api, method):
    track_offer = factories.track_offer()
    other = factories.track(track_offer.offer.product)

    response = getattr(api, method)(
        f"/api/v1/track-offers/{track_offer.pk}/relationships/track",
        **(
            {"body": {"data": {"type": "tracks", "id": str(other.pk)}}}
            if method != "delete"
            else {}
        ),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 403
    assert errors_of(response)[0]["title"] == "Forbidden"
    assert track_offer.track_id != other.pk


# Related and relationship endpoints


def test_it_serves_the_related_track(api):
    track_offer = factories.track_offer()

    response = api.get(f"/api/v1/track-offers/{track_offer.pk}/track")

    assert response.status_code == 200
    body = response.json()
    assert body["data"]["type"] == "tracks"
    assert body["data"]["id"] == str(track_offer.track_id)
    assert body["links"] == {"self": f"{BASE}/track-offers/{track_offer.pk}/track"}


def test_it_serves_the_related_offer(api):
    track_offer = factories.track_offer()

    response = api.get(f"/api/v1/track-offers/{track_offer.pk}/offer")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(track_offer.offer_id)
    assert response.json()["data"]["type"] == "offers"


def test_it_answers_the_related_track_of_an_unknown_track_offer_with_404(api):
    response = api.get("/api/v1/track-offers/999/track")

    assert response.status_code == 404
    assert response.json() == {
        "jsonapi": {"version": "1.0"},
        "errors": [{"status": "404", "title": "Not Found"}],
    }


def test_it_serves_relationship_linkage(api):
    track_offer = factories.track_offer()
    url = f"{BASE}/track-offers/{track_offer.pk}"

    response = api.get(f"/api/v1/track-offers/{track_offer.pk}/relationships/track")

    assert response.status_code == 200
    assert response.json() == {
        "data": {"type": "tracks", "id": str(track_offer.track_id)},
        "links": {"self": f"{url}/relationships/track", "related": f"{url}/track"},
        "jsonapi": {"version": "1.0"},
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/track-offers/1/relationships/usage",
        "/api/v1/track-offers/1/relationships/pk",
        "/api/v1/track-offers/1/usage",
        "/api/v1/track-offers/abc/relationships/track",
    ],
)
def test_it_answers_unknown_relationship_paths_with_a_404(api, path):
    factories.track_offer()

    response = api.get(path)

    assert response.status_code == 404
    assert response.json()["errors"][0]["status"] == "404"


# Lists: filters, include, sparse fieldsets, sort, pagination


def ids_of(response) -> list[int]:
    return [int(resource["id"]) for resource in response.json()["data"]]


def test_it_filters_by_id_list(api):
    first, second, _ = (factories.track_offer() for _ in range(3))

    response = api.get(f"/api/v1/track-offers?filter[id]={first.pk},{second.pk}")

    assert response.status_code == 200
    assert ids_of(response) == [first.pk, second.pk]


def test_it_filters_by_track_and_by_offer(api):
    track_offer = factories.track_offer()
    sibling = factories.track_offer(offer_=track_offer.offer)
    factories.track_offer()

    by_track = api.get(f"/api/v1/track-offers?filter[track-id]={track_offer.track_id}")
    by_offer = api.get(f"/api/v1/track-offers?filter[offer-id]={track_offer.offer_id}")

    assert ids_of(by_track) == [track_offer.pk]
    assert ids_of(by_offer) == [track_offer.pk, sibling.pk]


@pytest.mark.parametrize(("value", "expected"), [("false", [0]), ("true", [1])])
def test_it_filters_by_copy_scan_override(api, value, expected):
    rows = [
        factories.track_offer(copy_scan=False),
        factories.track_offer(copy_scan=True),
        factories.track_offer(),
    ]

    response = api.get(f"/api/v1/track-offers?filter[copy-scan]={value}")

    assert ids_of(response) == [rows[index].pk for index in expected]


@pytest.mark.parametrize("value", ["maybe", "1", "False", "yes"])
def test_it_rejects_a_copy_scan_filter_that_is_not_true_or_false(api, value):
    response = api.get(f"/api/v1/track-offers?filter[copy-scan]={value}")

    assert response.status_code == 400
    assert errors_of(response)[0]["source"] == {"parameter": "filter[copy-scan]"}
    assert errors_of(response)[0]["title"] == "Bad Request"


@pytest.mark.parametrize("value", ["abc", "1,x", "99999999999999999999999", "-1"])
def test_it_rejects_ids_that_are_not_numbers(api, value):
    response = api.get(f"/api/v1/track-offers?filter[track-id]={value}")

    assert response.status_code == 400
    assert errors_of(response)[0]["source"] == {"parameter": "filter[track-id]"}


def test_it_includes_track_and_offer(api):
    track_offer = factories.track_offer()

    response = api.get("/api/v1/track-offers?include=track,offer")

    included = {(item["type"], item["id"]) for item in response.json()["included"]}
    assert response.status_code == 200
    assert included == {
        ("tracks", str(track_offer.track_id)),
        ("offers", str(track_offer.offer_id)),
    }


def test_it_serves_sparse_fieldsets_with_dasherized_names(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.get(
        f"/api/v1/track-offers/{track_offer.pk}?fields[track-offers]=release-date,track"
    )

    resource = response.json()["data"]
    assert response.status_code == 200
    assert resource["attributes"] == {"release-date": None}
    assert list(resource["relationships"]) == ["track"]


def test_it_sorts_by_updated_at_descending(api):
    older, newer = factories.track_offer(), factories.track_offer()
    TrackOffer.objects.filter(pk=older.pk).update(updated_at=newer.updated_at)
    older.refresh_from_db()
    TrackOffer.objects.filter(pk=newer.pk).update(
        updated_at=older.updated_at.replace(year=2030)
    )

    response = api.get("/api/v1/track-offers?sort=-updated-at")

    assert ids_of(response) == [newer.pk, older.pk]


def test_it_paginates_with_links_and_meta(api):
    rows = [factories.track_offer() for _ in range(5)]

    response = api.get("/api/v1/track-offers?filter[copy-scan]=false&page[size]=2")
    response = api.get("/api/v1/track-offers?page[number]=2&page[size]=2")

    body = response.json()
    assert ids_of(response) == [rows[2].pk, rows[3].pk]
    assert body["meta"]["page"] == {
        "currentPage": 2,
        "from": 3,
        "lastPage": 3,
        "perPage": 2,
        "to": 4,
        "total": 5,
    }
    assert body["links"] == {
        "first": f"{BASE}/track-offers?page[number]=1&page[size]=2",
        "last": f"{BASE}/track-offers?page[number]=3&page[size]=2",
        "prev": f"{BASE}/track-offers?page[number]=1&page[size]=2",
        "next": f"{BASE}/track-offers?page[number]=3&page[size]=2",
    }


def test_it_keeps_filters_in_page_links(api):
    track_offer = factories.track_offer()

    response = api.get(f"/api/v1/track-offers?filter[offer-id]={track_offer.offer_id}")

    assert response.json()["links"]["first"] == (
        f"{BASE}/track-offers?filter[offer-id]={track_offer.offer_id}"
        "&page[number]=1&page[size]=20"
    )


def test_it_answers_a_page_past_the_end_with_empty_data(api):
    factories.track_offer()

    response = api.get("/api/v1/track-offers?page[number]=7")

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["meta"]["page"] == {
        "currentPage": 7,
        "from": None,
        "lastPage": 1,
        "perPage": 20,
        "to": None,
        "total": 1,
    }


@pytest.mark.parametrize(
    ("parameter", "value", "detail"),
    [
        ("page[size]", "101", "page[size] must be at most 100."),
        ("page[size]", "0", "page[size] must be a whole number of at least 1."),
        ("page[size]", "-5", "page[size] must be a whole number of at least 1."),
        ("page[size]", "ten", "page[size] must be a whole number of at least 1."),
        ("page[number]", "0", "page[number] must be a whole number of at least 1."),
        ("page[number]", "1.5", "page[number] must be a whole number of at least 1."),
    ],
)
def test_it_rejects_page_parameters_out_of_range(api, parameter, value, detail):
    response = api.get(f"/api/v1/track-offers?{parameter}={value}")

    assert response.status_code == 400
    assert errors_of(response) == [
        {
            "status": "400",
            "title": "Bad Request",
            "detail": detail,
            "source": {"parameter": parameter},
        }
    ]
