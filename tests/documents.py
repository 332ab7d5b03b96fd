"""Expected documents, written out as the API documentation shows them."""

BASE = "http://testserver/api/v1"


def timestamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def track_offer_resource(track_offer) -> dict:
    url = f"{BASE}/track-offers/{track_offer.pk}"
    return {
        "type": "track-offers",
        "id": str(track_offer.pk),
        "attributes": {
            "usage": track_offer.usage,
            "release-date": (
                track_offer.release_date.isoformat()
                if track_offer.release_date
                else None
            ),
            "created-at": timestamp(track_offer.created_at),
            "updated-at": timestamp(track_offer.updated_at),
        },
        "relationships": {
            "track": {
                "links": {
                    "related": f"{url}/track",
                    "self": f"{url}/relationships/track",
                },
                "data": {"type": "tracks", "id": str(track_offer.track_id)},
            },
            "offer": {
                "links": {
                    "related": f"{url}/offer",
                    "self": f"{url}/relationships/offer",
                },
                "data": {"type": "offers", "id": str(track_offer.offer_id)},
            },
        },
        "links": {"self": url},
        "meta": {"effective-usage": {**track_offer.offer.usage, **track_offer.usage}},
    }


def single(resource: dict, self_url: str | None = None) -> dict:
    return {
        "data": resource,
        "jsonapi": {"version": "1.0"},
        "links": {"self": self_url or resource["links"]["self"]},
    }


NOT_FOUND = {
    "jsonapi": {"version": "1.0"},
    "errors": [{"status": "404", "title": "Not Found"}],
}


def error(status: int, title: str, detail: str, **source) -> dict:
    body = {"status": str(status), "title": title, "detail": detail}
    if source:
        body["source"] = source
    return body


def errors_of(response) -> list[dict]:
    return response.json()["errors"]


def track_offer_body(track, offer, /, **attributes) -> dict:
    """Return the document that creates a track offer."""
    body = {
        "data": {
            "type": "track-offers",
            "relationships": {
                "track": {"data": {"type": "tracks", "id": str(track.pk)}},
                "offer": {"data": {"type": "offers", "id": str(offer.pk)}},
            },
        }
    }
    if attributes:
        body["data"]["attributes"] = attributes
    return body


def usage_patch(track_offer_id, /, **usage) -> dict:
    """Return the document that PATCHes a track offer's usage overrides."""
    return {
        "data": {
            "type": "track-offers",
            "id": str(track_offer_id),
            "attributes": {"usage": usage},
        }
    }
