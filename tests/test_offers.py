"""/api/v1/offers."""

import pytest

from offers.models import Offer
from tests import factories
from tests.documents import BASE

pytestmark = pytest.mark.django_db


def offer_body(product, **attributes) -> dict:
    return {
        "data": {
            "type": "offers",
            "attributes": attributes,
            "relationships": {
                "product": {"data": {"type": "products", "id": str(product.pk)}}
            },
        }
    }


def patch_body(offer, **attributes) -> dict:
    return {"data": {"type": "offers", "id": str(offer.pk), "attributes": attributes}}


def test_it_creates_an_offer_with_every_usage_flag_on_by_default(api):
    product = factories.product()

    response = api.post("/api/v1/offers", offer_body(product))

    assert response.status_code == 201
    assert response.json()["data"]["attributes"]["usage"] == {
        "download": True,
        "on_demand_stream": True,
        "non_interactive_stream": True,
        "copy_scan": True,
    }
    assert response.json()["data"]["attributes"]["is-default"] is False
    assert response.json()["data"]["attributes"]["active"] is True


def test_it_merges_usage_on_patch_and_always_shows_four_keys(api):
    offer = factories.offer(download=False)

    response = api.patch(
        f"/api/v1/offers/{offer.pk}", patch_body(offer, usage={"copy_scan": False})
    )

    offer.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["usage"] == {
        "download": False,
        "on_demand_stream": True,
        "non_interactive_stream": True,
        "copy_scan": False,
    }
    assert (offer.download, offer.copy_scan) == (False, False)


def test_it_rejects_null_usage_flags_on_an_offer(api):
    offer = factories.offer()

    response = api.patch(
        f"/api/v1/offers/{offer.pk}", patch_body(offer, usage={"copy_scan": None})
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"] == (
        "usage.copy_scan must be true or false, not NoneType None."
    )
    offer.refresh_from_db()
    assert offer.copy_scan is True


def test_it_answers_a_second_default_offer_with_a_409(api):
    default = factories.offer(is_default=True)

    response = api.post(
        "/api/v1/offers", offer_body(default.product, **{"is-default": True})
    )

    assert response.status_code == 409
    assert response.json()["errors"][0] == {
        "status": "409",
        "title": "Conflict",
        "detail": f"Offer {default.pk} already exists with this product.",
        "source": {"pointer": "/data"},
        "links": {"about": f"{BASE}/offers/{default.pk}"},
    }
    assert Offer.objects.count() == 1


def test_it_allows_one_default_offer_per_product(api):
    factories.offer(is_default=True)

    response = api.post(
        "/api/v1/offers", offer_body(factories.product(), **{"is-default": True})
    )

    assert response.status_code == 201


def test_it_rejects_a_preorder_date_after_the_release_date(api):
    offer = factories.offer()

    response = api.patch(
        f"/api/v1/offers/{offer.pk}",
        patch_body(
            offer, **{"release-date": "2027-01-10", "preorder-date": "2027-02-01"}
        ),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {
        "pointer": "/data/attributes/preorder-date"
    }


def test_it_filters_by_product(api):
    wanted = factories.offer()
    factories.offer()

    response = api.get(f"/api/v1/offers?filter[product-id]={wanted.product_id}")

    assert [item["id"] for item in response.json()["data"]] == [str(wanted.pk)]


def test_it_lists_the_track_offers_of_an_offer(api):
    track_offer = factories.track_offer()
    factories.track_offer()

    response = api.get(f"/api/v1/offers/{track_offer.offer_id}/track-offers")

    assert [item["id"] for item in response.json()["data"]] == [str(track_offer.pk)]


def test_it_refuses_to_delete_an_offer_with_track_offers(api):
    track_offer = factories.track_offer()

    response = api.delete(f"/api/v1/offers/{track_offer.offer_id}")

    assert response.status_code == 409
    assert Offer.objects.filter(pk=track_offer.offer_id).exists()


def test_it_deletes_an_offer_without_track_offers(api):
    offer = factories.offer()

    response = api.delete(f"/api/v1/offers/{offer.pk}")

    assert response.status_code == 204
    assert not Offer.objects.exists()


@pytest.mark.parametrize("value", ["false", "true", 0, 1, 1.5, [], {}, "no"])
@pytest.mark.parametrize(
    "flag", ["download", "on_demand_stream", "non_interactive_stream", "copy_scan"]
)
def test_it_rejects_usage_flags_that_are_not_booleans(api, flag, value):
    offer = factories.offer()

    response = api.patch(
        f"/api/v1/offers/{offer.pk}", patch_body(offer, usage={flag: value})
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {
        "pointer": f"/data/attributes/usage/{flag}"
    }
    offer.refresh_from_db()
    assert offer.usage == dict.fromkeys(offer.usage, True)


@pytest.mark.parametrize("usage", [[], "copy_scan", False, None, 1])
def test_it_rejects_usage_that_is_not_an_object(api, usage):
    product = factories.product()

    response = api.post("/api/v1/offers", offer_body(product, usage=usage))

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {
        "pointer": "/data/attributes/usage"
    }
    assert not Offer.objects.exists()


@pytest.mark.parametrize("key", ["copyScan", "Copy_Scan", "scan", ""])
def test_it_rejects_unknown_usage_keys(api, key):
    product = factories.product()

    response = api.post("/api/v1/offers", offer_body(product, usage={key: False}))

    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"].startswith(f"Unknown usage key {key}")
    assert not Offer.objects.exists()
