"""Who may do what: every endpoint and method against every kind of caller.

Each cell of the table below is one test: the caller sends the request and
must get exactly that status. A write that is refused must change nothing.

Callers, in the order of the columns:

- anon: no Authorization header;
- expired: a writer's token past its expiry;
- revoked: a writer's token, revoked before the request;
- viewer: the view permission on the four resources;
- writer: view, add, change and delete on the four resources;
- staff: a staff user (admin access) with no model permission;
- super: a superuser.

Paths name the rows of a small catalogue: a product with a track, an offer
and a track offer, and "lonely" rows that nothing points at, which can be
deleted. Relationships are fixed at creation, so writes to relationship
URLs are a 403 even for writers; PUT is not an API method (405 for whoever
may change the resource).
"""

import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from accounts import tokens
from offers.models import Offer
from tests import factories
from tests.conftest import ApiClient
from trackoffers.models import TrackOffer
from tracks.models import Product, Track

pytestmark = pytest.mark.django_db

CALLERS = ["anon", "expired", "revoked", "viewer", "writer", "staff", "super"]

MATRIX = """
                                                      anon exp  rev  view writ staf supr
GET     /api/v1/products                              401  401  401  200  200  403  200
POST    /api/v1/products                              401  401  401  403  201  403  201
GET     /api/v1/products/{product}                    401  401  401  200  200  403  200
PATCH   /api/v1/products/{product}                    401  401  401  403  200  403  200
DELETE  /api/v1/products/{lonely_product}             401  401  401  403  204  403  204
PUT     /api/v1/products/{product}                    401  401  401  403  405  403  405
GET     /api/v1/products/{product}/tracks             401  401  401  200  200  403  200
GET     /api/v1/products/{product}/offers             401  401  401  200  200  403  200
GET     /api/v1/products/{product}/relationships/tracks
                                                      401  401  401  200  200  403  200
PATCH   /api/v1/products/{product}/relationships/tracks
                                                      401  401  401  403  403  403  403
GET     /api/v1/products/{product}/relationships/offers
                                                      401  401  401  200  200  403  200
POST    /api/v1/products/{product}/relationships/offers
                                                      401  401  401  403  403  403  403
GET     /api/v1/tracks                                401  401  401  200  200  403  200
POST    /api/v1/tracks                                401  401  401  403  201  403  201
GET     /api/v1/tracks/{track}                        401  401  401  200  200  403  200
PATCH   /api/v1/tracks/{track}                        401  401  401  403  200  403  200
DELETE  /api/v1/tracks/{lonely_track}                 401  401  401  403  204  403  204
PUT     /api/v1/tracks/{track}                        401  401  401  403  405  403  405
GET     /api/v1/tracks/{track}/product                401  401  401  200  200  403  200
GET     /api/v1/tracks/{track}/track-offers           401  401  401  200  200  403  200
GET     /api/v1/tracks/{track}/relationships/product  401  401  401  200  200  403  200
PATCH   /api/v1/tracks/{track}/relationships/product  401  401  401  403  403  403  403
GET     /api/v1/tracks/{track}/relationships/track-offers
                                                      401  401  401  200  200  403  200
DELETE  /api/v1/tracks/{track}/relationships/track-offers
                                                      401  401  401  403  403  403  403
GET     /api/v1/offers                                401  401  401  200  200  403  200
POST    /api/v1/offers                                401  401  401  403  201  403  201
GET     /api/v1/offers/{offer}                        401  401  401  200  200  403  200
PATCH   /api/v1/offers/{offer}                        401  401  401  403  200  403  200
DELETE  /api/v1/offers/{lonely_offer}                 401  401  401  403  204  403  204
PUT     /api/v1/offers/{offer}                        401  401  401  403  405  403  405
GET     /api/v1/offers/{offer}/product                401  401  401  200  200  403  200
GET     /api/v1/offers/{offer}/track-offers           401  401  401  200  200  403  200
GET     /api/v1/offers/{offer}/relationships/product  401  401  401  200  200  403  200
POST    /api/v1/offers/{offer}/relationships/product  401  401  401  403  403  403  403
GET     /api/v1/offers/{offer}/relationships/track-offers
                                                      401  401  401  200  200  403  200
PATCH   /api/v1/offers/{offer}/relationships/track-offers
                                                      401  401  401  403  403  403  403
GET     /api/v1/track-offers                          401  401  401  200  200  403  200
POST    /api/v1/track-offers                          401  401  401  403  201  403  201
GET     /api/v1/track-offers/{track_offer}            401  401  401  200  200  403  200
PATCH   /api/v1/track-offers/{track_offer}            401  401  401  403  200  403  200
DELETE  /api/v1/track-offers/{track_offer}            401  401  401  403  204  403  204
PUT     /api/v1/track-offers/{track_offer}            401  401  401  403  405  403  405
GET     /api/v1/track-offers/{track_offer}/track      401  401  401  200  200  403  200
GET     /api/v1/track-offers/{track_offer}/offer      401  401  401  200  200  403  200
GET     /api/v1/track-offers/{track_offer}/relationships/track
                                                      401  401  401  200  200  403  200
PATCH   /api/v1/track-offers/{track_offer}/relationships/track
                                                      401  401  401  403  403  403  403
GET     /api/v1/track-offers/{track_offer}/relationships/offer
                                                      401  401  401  200  200  403  200
DELETE  /api/v1/track-offers/{track_offer}/relationships/offer
                                                      401  401  401  403  403  403  403
POST    /oauth/token                                  200  200  200  200  200  200  200
GET     /oauth/token                                  405  405  405  405  405  405  405
GET     /api/v1/schema                                200  200  200  200  200  200  200
GET     /api/v1/docs                                  200  200  200  200  200  200  200
GET     /healthz                                      200  200  200  200  200  200  200
GET     /readyz                                       200  200  200  200  200  200  200
"""


def _cells() -> list:
    """Return one pytest param per (row, caller) of MATRIX."""
    lines = MATRIX.strip().splitlines()[1:]
    rows, pending = [], []
    for line in lines:
        pending += line.split()
        if len(pending) == 2 + len(CALLERS):
            rows.append(pending)
            pending = []
    return [
        pytest.param(method, path, caller, int(status), id=f"{method} {path} {caller}")
        for method, path, *statuses in rows
        for caller, status in zip(CALLERS, statuses, strict=True)
    ]


@dataclass
class Catalogue:
    product: Product
    track: Track
    offer: Offer
    track_offer: TrackOffer
    spare_track: Track
    lonely_product: Product
    lonely_track: Track
    lonely_offer: Offer

    def ids(self) -> dict[str, int]:
        return {name: row.pk for name, row in vars(self).items()}


@pytest.fixture
def catalogue() -> Catalogue:
    track_offer = factories.track_offer(copy_scan=False)
    product = track_offer.offer.product
    return Catalogue(
        product=product,
        track=track_offer.track,
        offer=track_offer.offer,
        track_offer=track_offer,
        spare_track=factories.track(product),
        lonely_product=factories.product(),
        lonely_track=factories.track(product),
        lonely_offer=factories.offer(product),
    )


def caller_token(caller: str) -> str | None:
    """Return the Bearer token the caller sends (None: no header)."""
    if caller == "anon":
        return None
    actions = {
        "viewer": ("view",),
        "staff": (),
        "super": (),
    }.get(caller, ("view", "add", "change", "delete"))
    user = factories.user(
        caller, actions=actions, is_staff=caller in ("staff", "super")
    )
    if caller == "super":
        user.is_superuser = True
        user.save()
    token, secret = tokens.mint(user, ttl=tokens.default_ttl())
    if caller == "expired":
        AuthToken.objects.filter(pk=token.pk).update(
            expiry=timezone.now() - timezone.timedelta(seconds=1)
        )
    if caller == "revoked":
        tokens.revoke_all(user)
    return secret


def request_body(method: str, path: str, catalogue: Catalogue) -> dict | None:
    """Return a valid document for a write, so that only access decides."""
    if method not in ("POST", "PATCH", "PUT"):
        return None
    if path == "/oauth/token":
        return {
            "grant_type": "password",
            "email": "owner@label.test",
            "password": "correct horse",
        }
    if "/relationships/" in path:
        return {"data": {"type": "products", "id": str(catalogue.product.pk)}}
    resource_type = path.split("/")[3]
    resource = {"type": resource_type, **CREATES[resource_type](catalogue)}
    if method != "POST":
        resource = {
            "type": resource_type,
            "id": path.split("/")[4],
            "attributes": UPDATES[resource_type],
        }
    return {"data": resource}


def _product_id(catalogue: Catalogue) -> dict:
    return {"data": {"type": "products", "id": str(catalogue.product.pk)}}


CREATES = {
    "products": lambda catalogue: {
        "attributes": {"name": "Dawn", "upc-code": factories.upc()}
    },
    "tracks": lambda catalogue: {
        "attributes": {
            "title": "Morning",
            "isrc-code": factories.isrc(),
            "track-number": 1,
            "volume-number": 9,
        },
        "relationships": {"product": _product_id(catalogue)},
    },
    "offers": lambda catalogue: {"relationships": {"product": _product_id(catalogue)}},
    "track-offers": lambda catalogue: {
        "attributes": {"usage": {"copy_scan": False}},
        "relationships": {
            "track": {"data": {"type": "tracks", "id": str(catalogue.spare_track.pk)}},
            "offer": {"data": {"type": "offers", "id": str(catalogue.offer.pk)}},
        },
    },
}
UPDATES = {
    "products": {"name": "Renamed"},
    "tracks": {"title": "Renamed"},
    "offers": {"usage": {"download": False}},
    "track-offers": {"usage": {"copy_scan": True}},
}


def snapshot() -> list:
    """Return every catalogue row, to tell whether a request changed one."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Product, Track, Offer, TrackOffer)
    ]


@pytest.mark.parametrize(("method", "template", "caller", "expected"), _cells())
def test_access(method, template, caller, expected, catalogue):
    factories.user("owner", is_staff=True)
    path = template.format(**catalogue.ids())
    body = request_body(method, path, catalogue)
    token = caller_token(caller)
    before = snapshot()

    response = send(method, path, body, token)

    assert response.status_code == expected, response.content[:500]
    if method != "GET" and expected >= 400:
        assert snapshot() == before


def send(method: str, path: str, body: dict | None, token: str | None):
    headers = {"HTTP_ACCEPT": "text/html"} if path.endswith("/docs") else {}
    if path == "/oauth/token":
        # The token endpoint speaks plain JSON and ignores Bearer tokens.
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return Client().generic(
            method, path, json.dumps(body), "application/json", **headers
        )
    return ApiClient(token).request(method.lower(), path, body, **headers)
