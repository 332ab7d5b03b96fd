"""Content negotiation, authentication, permissions, URLs and server errors."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.db import OperationalError, transaction
from django.test import RequestFactory
from django.utils import timezone
from knox.models import AuthToken

from accounts import tokens
from accounts.authentication import BearerAuthentication
from tests import factories
from tests.conftest import ApiClient
from tests.documents import errors_of, track_offer_body, usage_patch
from trackoffers.models import TrackOffer
from trackoffers.serializers import TrackOfferSerializer
from trackoffers.views import TrackOfferViewSet

pytestmark = pytest.mark.django_db


# Content negotiation


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/vnd.api+json; charset=utf-8",
        'application/vnd.api+json; ext="bulk"',
        "text/plain",
    ],
)
def test_it_answers_other_request_media_types_with_a_415(api, content_type):
    offer = factories.offer()
    track = factories.track(offer.product)

    response = api.post(
        "/api/v1/track-offers",
        track_offer_body(track, offer),
        content_type=content_type,
    )

    assert response.status_code == 415
    assert response["Content-Type"] == "application/vnd.api+json"
    assert errors_of(response)[0]["status"] == "415"
    assert errors_of(response)[0]["title"] == "Unsupported Media Type"
    assert not TrackOffer.objects.exists()


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.api+json; charset=utf-8",
        'application/vnd.api+json; ext="bulk", application/vnd.api+json; q=0.5; x=1',
        "application/json",
        "text/html",
    ],
)
def test_it_answers_unacceptable_accept_headers_with_a_406(api, accept):
    response = api.get("/api/v1/track-offers", HTTP_ACCEPT=accept)

    assert response.status_code == 406
    assert response["Content-Type"] == "application/vnd.api+json"
    assert errors_of(response)[0]["title"] == "Not Acceptable"


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.api+json",
        "application/vnd.api+json; charset=utf-8, application/vnd.api+json",
        "application/vnd.api+json;q=0.9",
        "*/*",
        "text/html, */*",
    ],
)
def test_it_serves_acceptable_accept_headers(api, accept):
    response = api.get("/api/v1/track-offers", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"


def test_it_serves_a_get_without_content_type(api):
    response = api.get("/api/v1/track-offers", content_type=None)

    assert response.status_code == 200


# Authentication and permissions


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer nonsense", "Bearer a b", "Token abc", "Basic eDp5"],
)
def test_it_answers_missing_or_bad_credentials_with_a_401(anonymous_api, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = anonymous_api.get("/api/v1/track-offers", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert errors_of(response)[0]["status"] == "401"
    assert errors_of(response)[0]["title"] == "Unauthorized"


def test_it_refuses_an_expired_token(writer):
    token, secret = tokens.mint(writer, ttl=tokens.default_ttl())
    AuthToken.objects.filter(pk=token.pk).update(
        expiry=timezone.now() - timezone.timedelta(seconds=1)
    )

    response = ApiClient(secret).get("/api/v1/track-offers")

    assert response.status_code == 401


def test_it_refuses_a_revoked_token_at_once(writer):
    _, secret = tokens.mint(writer, ttl=tokens.default_ttl())
    client = ApiClient(secret)
    assert client.get("/api/v1/track-offers").status_code == 200

    tokens.revoke_all(writer)

    assert client.get("/api/v1/track-offers").status_code == 401


def test_it_refuses_a_token_of_an_inactive_user(writer):
    _, secret = tokens.mint(writer, ttl=tokens.default_ttl())
    writer.is_active = False
    writer.save()

    response = ApiClient(secret).get("/api/v1/track-offers")

    assert response.status_code == 401


def test_it_lets_a_viewer_read(viewer_api):
    track_offer = factories.track_offer()

    assert viewer_api.get("/api/v1/track-offers").status_code == 200
    assert viewer_api.get(f"/api/v1/track-offers/{track_offer.pk}").status_code == 200


def test_it_refuses_writes_to_a_viewer(viewer_api):
    track_offer = factories.track_offer(copy_scan=False)
    track = factories.track(track_offer.offer.product)

    created = viewer_api.post(
        "/api/v1/track-offers", track_offer_body(track, track_offer.offer)
    )
    patched = viewer_api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        usage_patch(track_offer.pk, copy_scan=True),
    )
    deleted = viewer_api.delete(f"/api/v1/track-offers/{track_offer.pk}")

    assert [created.status_code, patched.status_code, deleted.status_code] == [
        403,
        403,
        403,
    ]
    assert errors_of(deleted)[0]["title"] == "Forbidden"
    track_offer.refresh_from_db()
    assert track_offer.copy_scan is False
    assert TrackOffer.objects.count() == 1


def test_it_refuses_reads_to_a_user_without_view_permission(db):
    nobody = factories.user("nobody")
    _, secret = tokens.mint(nobody, ttl=tokens.default_ttl())

    response = ApiClient(secret).get("/api/v1/track-offers")

    assert response.status_code == 403


# Query parameters


@pytest.mark.parametrize(
    ("query", "parameter", "detail"),
    [
        (
            "color=red",
            "color",
            "color is not a query parameter of this API: use include, sort, "
            "fields[type], filter[name], page[number] or page[size].",
        ),
        (
            "filter=5",
            "filter",
            "filter is not a query parameter of this API: use include, sort, "
            "fields[type], filter[name], page[number] or page[size].",
        ),
        (
            "page[offset]=5",
            "page[offset]",
            "Pagination takes page[number], page[size] and page[after] only.",
        ),
        (
            "sort=id&sort=-id",
            "sort",
            "sort is given more than once: send it once.",
        ),
        (
            "filter[track-id]=1&filter[track-id]=2",
            "filter[track-id]",
            "filter[track-id] is given more than once: send it once.",
        ),
        ("filter[track-id]=", "filter[track-id]", "filter[track-id] is empty."),
        (
            "filter[colour]=red",
            "filter[colour]",
            "filter[colour] is not a filter of this list (possible: filter[id], "
            "filter[track-id], filter[offer-id], filter[copy-scan]).",
        ),
        (
            "include=product",
            "include",
            "product cannot be included here (possible: track, offer).",
        ),
        (
            "sort=usage",
            "sort",
            "Cannot sort by usage (possible: created-at, id, updated-at).",
        ),
        (
            "sort=--id",
            "sort",
            "Cannot sort by --id (possible: created-at, id, updated-at).",
        ),
        (
            "sort=created_at",
            "sort",
            "Cannot sort by created_at (possible: created-at, id, updated-at).",
        ),
        (
            "include=TRACK",
            "include",
            "TRACK cannot be included here (possible: track, offer).",
        ),
        (
            "filter[track_id]=1",
            "filter[track_id]",
            "filter[track_id] is not spelled as the API does: write track-id.",
        ),
        (
            "filter[id]=" + ",".join(str(number) for number in range(1, 1002)),
            "filter[id]",
            "At most 1000 ids are accepted at once.",
        ),
        (
            "fields[widgets]=name",
            "fields[widgets]",
            "widgets is not a resource type of this API.",
        ),
        (
            "fields[track-offers]=usage,colour",
            "fields[track-offers]",
            "colour is not a field of track-offers (possible: created-at, offer, "
            "release-date, track, updated-at, usage).",
        ),
    ],
)
def test_it_rejects_bad_query_parameters_naming_them(api, query, parameter, detail):
    response = api.get(f"/api/v1/track-offers?{query}")

    assert response.status_code == 400
    assert errors_of(response) == [
        {
            "status": "400",
            "title": "Bad Request",
            "detail": detail,
            "source": {"parameter": parameter},
        }
    ]


def test_it_checks_query_parameters_on_writes_too(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}?include=nonsense",
        usage_patch(track_offer.pk, copy_scan=True),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 400
    assert track_offer.copy_scan is False


def test_it_accepts_a_thousand_ids(api):
    track_offer = factories.track_offer()
    ids = ",".join(
        str(number) for number in range(track_offer.pk, track_offer.pk + 1000)
    )

    response = api.get(f"/api/v1/track-offers?filter[id]={ids}")

    assert response.status_code == 200
    assert response.json()["data"][0]["id"] == str(track_offer.pk)


def test_it_answers_head_like_get_without_a_body(api):
    response = api.request("head", "/api/v1/track-offers")

    assert response.status_code == 200
    assert response.content == b""


def test_it_answers_unknown_token_urls_with_a_jsonapi_404(api):
    response = api.get("/oauth/nothing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/vnd.api+json"


# URLs and methods


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing",
        "/api/v1/track-offers/1/2/3",
        "/api/v2/track-offers",
        "/api",
        "/api/v1/track-offers/",
    ],
)
def test_it_answers_unknown_api_urls_with_a_jsonapi_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {
        "jsonapi": {"version": "1.0"},
        "errors": [
            {
                "status": "404",
                "title": "Not Found",
                "detail": f"There is nothing at {path}.",
            }
        ],
    }


@pytest.mark.parametrize(
    "raw_id", ["abc", "1.5", "-1", "99999999999999999999999", "9223372036854775808"]
)
def test_it_answers_ids_that_cannot_exist_with_a_404(api, raw_id):
    response = api.get(f"/api/v1/track-offers/{raw_id}")

    assert response.status_code == 404
    assert response.json()["errors"] == [{"status": "404", "title": "Not Found"}]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/track-offers/1"),
        ("delete", "/api/v1/track-offers"),
        ("patch", "/api/v1/track-offers"),
        ("options", "/api/v1/track-offers"),
        ("post", "/api/v1/track-offers/1/track"),
    ],
)
def test_it_answers_unsupported_methods_with_a_405(api, method, path):
    factories.track_offer()

    response = api.request(method, path, "{}")

    assert response.status_code == 405
    assert errors_of(response)[0]["title"] == "Method Not Allowed"


def test_it_answers_an_unexpected_error_with_a_bare_500_and_logs_it(
    api, monkeypatch, caplog
):
    def explode(*args, **kwargs):
        raise RuntimeError("secret connection string")

    monkeypatch.setattr(TrackOfferViewSet, "get_queryset", explode)
    factories.track_offer()

    with caplog.at_level(logging.ERROR):
        response = api.get("/api/v1/track-offers")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {
        "jsonapi": {"version": "1.0"},
        "errors": [{"status": "500", "title": "Internal Server Error"}],
    }
    assert b"secret" not in response.content
    record = next(r for r in caplog.records if r.name == "jsonapi.exceptions")
    assert record.getMessage() == "Unhandled error on GET /api/v1/track-offers"
    assert record.exc_info[0] is RuntimeError


def test_it_answers_errors_outside_api_views_with_jsonapi_500(rf):
    from jsonapi.views import server_error

    response = server_error(rf.get("/api/v1/track-offers"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/vnd.api+json"
    assert b'"title": "Internal Server Error"' in response.content


def test_it_keeps_html_error_pages_outside_the_api(rf):
    from jsonapi.views import server_error

    response = server_error(rf.get("/admin/"))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_a_write_that_fails_halfway_leaves_nothing_behind(api, monkeypatch):
    offer = factories.offer()
    track = factories.track(offer.product)

    def explode(*args, **kwargs):
        raise RuntimeError("rendering failed after the insert")

    monkeypatch.setattr(TrackOfferSerializer, "to_representation", explode)

    response = api.post("/api/v1/track-offers", track_offer_body(track, offer))

    assert response.status_code == 500
    assert not TrackOffer.objects.exists()


def test_permissions_come_with_the_token_in_one_query(db, django_assert_num_queries):
    viewer = factories.user("reader", actions=("view",))
    viewer.user_permissions.add(Permission.objects.get(codename="add_trackoffer"))
    _, secret = tokens.mint(viewer, ttl=tokens.default_ttl())
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    with django_assert_num_queries(1):
        user, _ = BearerAuthentication().authenticate(request)
        allowed = user.has_perm("trackoffers.view_trackoffer")
        also = user.has_perm("trackoffers.add_trackoffer")
        denied = user.has_perm("trackoffers.delete_trackoffer")

    assert (allowed, also, denied) == (True, True, False)


def test_a_database_outage_is_a_503_to_retry(api, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(TrackOfferViewSet, "get_queryset", unavailable)

    response = api.get("/api/v1/track-offers")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "jsonapi": {"version": "1.0"},
        "errors": [
            {
                "status": "503",
                "title": "Service Unavailable",
                "detail": "The database is unavailable. Try again shortly.",
            }
        ],
    }


class FailingAtomic:
    """The request's transaction, whose BEGIN or COMMIT meets a dead database.

    Only the first transaction opened fails; the ones inside it are real.
    """

    def __init__(self, fail_on: str) -> None:
        self.fail_on = fail_on
        self.real = transaction.atomic
        self.opened = False

    def __call__(self, *args, **kwargs):
        if self.opened:
            return self.real(*args, **kwargs)
        self.opened = True
        return self

    def __enter__(self):
        if self.fail_on == "begin":
            raise OperationalError("connection refused")

    def __exit__(self, *exc_info):
        if self.fail_on == "commit":
            raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("fail_on", ["begin", "commit"])
def test_a_write_meeting_a_database_outage_is_a_503_to_retry(api, monkeypatch, fail_on):
    track_offer = factories.track_offer()
    monkeypatch.setattr(transaction, "atomic", FailingAtomic(fail_on))

    response = api.delete(f"/api/v1/track-offers/{track_offer.pk}")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json()["errors"] == [
        {
            "status": "503",
            "title": "Service Unavailable",
            "detail": "The database is unavailable. Try again shortly.",
        }
    ]


def test_api_answers_are_not_stored_by_caches(api):
    ok = api.get("/api/v1/track-offers")
    missing = api.get("/api/v1/nothing")

    assert ok["Cache-Control"] == "no-store"
    assert missing["Cache-Control"] == "no-store"
    assert ok["X-Content-Type-Options"] == "nosniff"


# Hostile query strings and paths, on every list


LISTS = [
    "/api/v1/products",
    "/api/v1/tracks",
    "/api/v1/offers",
    "/api/v1/track-offers",
    "/api/v1/products/{product}/tracks",
    "/api/v1/products/{product}/offers",
    "/api/v1/tracks/{track}/track-offers",
    "/api/v1/offers/{offer}/track-offers",
]
HUGE = 100_000


@pytest.fixture
def catalogue_path():
    track_offer = factories.track_offer(copy_scan=False)

    def format_path(template: str) -> str:
        return template.format(
            product=track_offer.offer.product_id,
            track=track_offer.track_id,
            offer=track_offer.offer_id,
        )

    return format_path


def assert_bad_parameter(response, parameter: str) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/vnd.api+json"
    (error,) = errors_of(response)
    assert error["source"] == {"parameter": parameter}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sort=id&sort=-id", "sort"),
        ("filter[id]=1&filter[id]=1", "filter[id]"),
        ("page[size]=5&page[size]=5", "page[size]"),
        ("sort=", "sort"),
        ("filter[id]=", "filter[id]"),
        ("page[number]=", "page[number]"),
        ("include=", "include"),
        ("=1", ""),
    ],
)
def test_every_list_rejects_repeated_and_empty_parameters(
    api, catalogue_path, path, query, parameter
):
    response = api.get(f"{catalogue_path(path)}?{query}")

    assert_bad_parameter(response, parameter)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page[number]", "9" * HUGE),
        ("page[size]", "9" * HUGE),
        ("sort", "id," * (HUGE // 3)),
        ("sort", "x" * HUGE),
        ("include", "x," * (HUGE // 2)),
        ("filter[id]", "1," * (HUGE // 2)),
        ("filter[id]", "9" * HUGE),
        ("x" * HUGE, "1"),
    ],
    ids=[
        "page-number",
        "page-size",
        "sort-repeats",
        "sort",
        "include",
        "ids",
        "id",
        "name",
    ],
)
def test_every_list_rejects_huge_parameters(
    api, catalogue_path, path, parameter, value
):
    response = api.get(f"{catalogue_path(path)}?{parameter}={value}")

    assert_bad_parameter(response, parameter)


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/products", "filter[upc-code]"),
        ("/api/v1/tracks", "filter[isrc-code]"),
    ],
)
def test_text_filters_reject_values_longer_than_any_code(api, path, parameter):
    response = api.get(f"{path}?{parameter}={'1' * HUGE}")

    assert_bad_parameter(response, parameter)
    assert errors_of(response)[0]["detail"].startswith("Ensure this value has at most")


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("include", "track,offer,track"),
        ("sort", "id,-id"),
        ("fields[track-offers]", "usage,usage"),
    ],
)
def test_a_name_listed_twice_is_refused(api, parameter, value):
    response = api.get(f"/api/v1/track-offers?{parameter}={value}")

    assert_bad_parameter(response, parameter)
    assert errors_of(response)[0]["detail"].endswith("twice.")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("filter[id]=%FF", "filter[id]"),
        ("sort=%C0%AF", "sort"),
        ("%FF%FE=1", "\ufffd\ufffd"),
    ],
)
def test_every_list_rejects_query_strings_that_are_not_utf_8(
    api, catalogue_path, path, query, parameter
):
    response = api.get(f"{catalogue_path(path)}?{query}")

    assert_bad_parameter(response, parameter)


def test_a_text_filter_does_not_search_for_a_replacement_character(api):
    # Django would quietly turn the byte into U+FFFD and search for that.
    response = api.get("/api/v1/products?filter[upc-code]=%FF")

    assert_bad_parameter(response, "filter[upc-code]")
    assert errors_of(response)[0]["detail"] == (
        "filter[upc-code] is not UTF-8 text once percent-decoded."
    )


@pytest.mark.parametrize("resource", ["products", "tracks", "offers", "track-offers"])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize(
    "raw_id",
    ["%FF", "%C3%A9", "abc", "1.5", "-1", "0x10", "9223372036854775808", "9" * 5000],
)
def test_every_resource_answers_ids_that_cannot_exist_with_a_404(
    api, resource, method, raw_id
):
    factories.track_offer()

    body = "{}" if method == "patch" else None
    response = api.request(method, f"/api/v1/{resource}/{raw_id}", body)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/vnd.api+json"
    assert TrackOffer.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/%FF",
        "/api/v1/products/%FF/tracks",
        "/api/v1/tracks/1/%FF",
        "/api/v1/offers/%FF/relationships/product",
        "/api/v1/track-offers/1/relationships/%FF",
    ],
)
def test_paths_that_are_not_utf_8_are_a_jsonapi_404(api, path):
    factories.track_offer()

    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/vnd.api+json"


@pytest.mark.parametrize("query", ["include=track", "page[size]=5", "sort=id", "x=1"])
def test_relationship_urls_take_no_query_parameters(api, query):
    # They used to ignore every parameter, unknown ones included.
    track_offer = factories.track_offer()

    response = api.get(
        f"/api/v1/offers/{track_offer.offer_id}/relationships/track-offers?{query}"
    )

    assert_bad_parameter(response, query.split("=")[0])
