"""/api/v1/products."""

import pytest

from tests import factories
from tests.documents import BASE, timestamp
from tracks.models import Product

pytestmark = pytest.mark.django_db


def product_body(**attributes) -> dict:
    return {"data": {"type": "products", "attributes": attributes}}


def test_it_creates_a_product(api):
    response = api.post(
        "/api/v1/products",
        product_body(name="Night Drive", **{"upc-code": "012345678905"}),
    )

    product = Product.objects.get()
    url = f"{BASE}/products/{product.pk}"
    assert response.status_code == 201
    assert response["Location"] == url
    assert response.json()["data"] == {
        "type": "products",
        "id": str(product.pk),
        "attributes": {
            "name": "Night Drive",
            "upc-code": "012345678905",
            "release-date": None,
            "created-at": timestamp(product.created_at),
            "updated-at": timestamp(product.updated_at),
        },
        "relationships": {
            "tracks": {
                "links": {
                    "self": f"{url}/relationships/tracks",
                    "related": f"{url}/tracks",
                }
            },
            "offers": {
                "links": {
                    "self": f"{url}/relationships/offers",
                    "related": f"{url}/offers",
                }
            },
        },
        "links": {"self": url},
    }


@pytest.mark.parametrize(
    ("upc", "detail"),
    [
        ("012345678900", "012345678900 has a wrong check digit: expected 5."),
        ("01234567890", "01234567890 is not a UPC: expected 12 or 13 digits."),
        ("01234567890X", "01234567890X is not a UPC: expected 12 or 13 digits."),
    ],
)
def test_it_rejects_an_invalid_upc(api, upc, detail):
    response = api.post("/api/v1/products", product_body(name="X", **{"upc-code": upc}))

    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"] == detail
    assert response.json()["errors"][0]["source"] == {
        "pointer": "/data/attributes/upc-code"
    }
    assert not Product.objects.exists()


def test_it_accepts_an_ean_13(api):
    response = api.post(
        "/api/v1/products", product_body(name="X", **{"upc-code": "4006381333931"})
    )

    assert response.status_code == 201


def test_it_answers_a_duplicate_upc_with_a_409_naming_the_product(api):
    existing = factories.product(upc_code="012345678905")

    response = api.post(
        "/api/v1/products", product_body(name="Y", **{"upc-code": "012345678905"})
    )

    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "status": "409",
            "title": "Conflict",
            "detail": f"Product {existing.pk} already exists with this upc-code.",
            "source": {"pointer": "/data"},
            "links": {"about": f"{BASE}/products/{existing.pk}"},
        }
    ]


def test_it_requires_a_name(api):
    response = api.post(
        "/api/v1/products", product_body(**{"upc-code": "012345678905"})
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"] == "The name field is required."
    assert response.json()["errors"][0]["source"] == {
        "pointer": "/data/attributes/name"
    }


def test_it_filters_by_upc(api):
    wanted = factories.product()
    factories.product()

    response = api.get(f"/api/v1/products?filter[upc-code]={wanted.upc_code}")

    assert [item["id"] for item in response.json()["data"]] == [str(wanted.pk)]


def test_it_updates_a_product(api):
    product = factories.product(name="Old")

    response = api.patch(
        f"/api/v1/products/{product.pk}",
        {
            "data": {
                "type": "products",
                "id": str(product.pk),
                "attributes": {"name": "New", "release-date": "2027-03-01"},
            }
        },
    )

    product.refresh_from_db()
    assert response.status_code == 200
    assert (product.name, product.release_date.isoformat()) == ("New", "2027-03-01")


def test_it_deletes_a_product_without_tracks_or_offers(api):
    product = factories.product()

    response = api.delete(f"/api/v1/products/{product.pk}")

    assert response.status_code == 204
    assert not Product.objects.exists()


def test_it_refuses_to_delete_a_product_that_has_tracks(api):
    track = factories.track()

    response = api.delete(f"/api/v1/products/{track.product_id}")

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        "This resource still has tracks: delete those first."
    )
    assert Product.objects.count() == 1


def test_it_lists_the_tracks_of_a_product(api):
    product = factories.product()
    tracks = [factories.track(product) for _ in range(2)]
    factories.track()

    response = api.get(f"/api/v1/products/{product.pk}/tracks")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["data"]] == [
        str(track.pk) for track in tracks
    ]
    assert response.json()["meta"]["page"]["total"] == 2


def test_it_lists_the_offers_of_a_product_with_filters(api):
    product = factories.product()
    default = factories.offer(product, is_default=True)
    factories.offer(product)

    response = api.get(f"/api/v1/products/{product.pk}/offers?filter[id]={default.pk}")

    assert [item["id"] for item in response.json()["data"]] == [str(default.pk)]


def test_it_answers_the_tracks_of_an_unknown_product_with_a_404(api):
    response = api.get("/api/v1/products/999/tracks")

    assert response.status_code == 404


def test_it_serves_to_many_linkage(api):
    product = factories.product()
    tracks = [factories.track(product) for _ in range(2)]

    response = api.get(f"/api/v1/products/{product.pk}/relationships/tracks")

    assert response.status_code == 200
    assert response.json() == {
        "data": [{"type": "tracks", "id": str(track.pk)} for track in tracks],
        "links": {
            "self": f"{BASE}/products/{product.pk}/relationships/tracks",
            "related": f"{BASE}/products/{product.pk}/tracks",
        },
        "jsonapi": {"version": "1.0"},
    }


def test_it_refuses_to_set_tracks_through_a_product(api):
    product = factories.product()
    track = factories.track()

    response = api.patch(
        f"/api/v1/products/{product.pk}",
        {
            "data": {
                "type": "products",
                "id": str(product.pk),
                "relationships": {
                    "tracks": {"data": [{"type": "tracks", "id": str(track.pk)}]}
                },
            }
        },
    )

    assert response.status_code == 403
    assert response.json()["errors"][0]["source"] == {
        "pointer": "/data/relationships/tracks"
    }
    track.refresh_from_db()
    assert track.product_id != product.pk
