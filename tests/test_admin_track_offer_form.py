"""The track offer page in the admin: add, change, delete and read-only."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from tests import factories
from tests.queries import copy_scan_update_statements
from trackoffers.history import Source
from trackoffers.models import CopyScanChange, TrackOffer

pytestmark = pytest.mark.usefixtures("warm_content_types")

URL = "/admin/trackoffers/trackoffer/"
SESSION = 3


@pytest.fixture
def offer():
    return factories.offer(factories.product(name="Night Drive"))


@pytest.fixture
def track(offer):
    return factories.track(offer.product, title="Neon Highway")


def form_data(track, offer, **fields) -> dict:
    data = {
        "track": str(track.pk),
        "offer": str(offer.pk),
        "download": "",
        "on_demand_stream": "",
        "non_interactive_stream": "",
        "copy_scan": "",
        "release_date": "",
    }
    return data | fields


def history(obj) -> list[tuple[int, str]]:
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk))
        .order_by("id")
        .values_list("action_flag", "change_message")
    )


def test_the_add_page_has_autocompletes_and_a_choice_per_flag(staff_client):
    response = staff_client.get(f"{URL}add/")

    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("track", "offer"):
        assert type(form.fields[name].widget.widget).__name__ == "AutocompleteSelect"
    assert [label for _, label in form.fields["download"].choices] == [
        "Inherit from the offer",
        "On",
        "Off",
    ]
    assert [label for _, label in form.fields["copy_scan"].choices] == [
        "Inherit from the offer",
        "Scanned",
        "Opted out",
    ]
    page = response.content.decode()
    assert "<textarea" not in page
    assert 'data-ajax--url="/admin/autocomplete/"' in page


def test_adding_a_track_offer_records_it(
    staff_client, label_staff, track, offer, django_assert_num_queries
):
    # a savepoint; the track and the offer, then model validation's check
    # that both exist and the pair's uniqueness; the insert, the copy-scan
    # history, the admin history; the release
    with django_assert_num_queries(SESSION + 1 + 2 + 3 + 4):
        response = staff_client.post(
            f"{URL}add/",
            form_data(track, offer, copy_scan="False", download="True"),
        )

    assert response.status_code == 302
    track_offer = TrackOffer.objects.get()
    assert (track_offer.copy_scan, track_offer.download) == (False, True)
    assert track_offer.on_demand_stream is None
    assert history(track_offer) == [
        (ADDITION, "Added; download: inherit -> on; copy_scan: scanned -> opted out")
    ]
    change = CopyScanChange.objects.get()
    assert (change.user, change.source) == (label_staff, Source.ADMIN)


def test_a_track_of_another_product_is_refused(staff_client, offer):
    stranger = factories.track(title="Elsewhere")

    response = staff_client.post(f"{URL}add/", form_data(stranger, offer))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "track": ["The track must belong to the offer's product."]
    }
    assert not TrackOffer.objects.exists()


def test_a_second_track_offer_for_the_pair_is_refused(staff_client, track, offer):
    factories.track_offer(track, offer)

    response = staff_client.post(f"{URL}add/", form_data(track, offer))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Track offer with this Track and Offer already exists."
    ]
    assert TrackOffer.objects.count() == 1


def test_an_unknown_track_is_refused(staff_client, offer):
    data = form_data(factories.track(offer.product), offer) | {"track": "999"}

    response = staff_client.post(f"{URL}add/", data)

    assert "Select a valid choice" in str(
        response.context["adminform"].form.errors["track"]
    )


def test_the_change_page_keeps_track_and_offer_fixed(
    staff_client, track, offer, django_assert_num_queries
):
    track_offer = factories.track_offer(track, offer, copy_scan=False)

    # the track offer with its track and offer
    with django_assert_num_queries(SESSION + 1):
        response = staff_client.get(f"{URL}{track_offer.pk}/change/")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "track" not in form.fields
    assert "offer" not in form.fields
    page = response.content.decode()
    assert "Neon Highway" in page
    assert '<option value="False" selected>Opted out</option>' in page


def test_changing_copy_scan_and_a_date(
    staff_client, track, offer, django_assert_num_queries
):
    track_offer = factories.track_offer(track, offer, copy_scan=False)
    data = form_data(track, offer, copy_scan="", release_date="2027-01-15")

    # the track offer; a savepoint, the update and the copy-scan history,
    # the admin history, the release
    with django_assert_num_queries(SESSION + 1 + 3 + copy_scan_update_statements()):
        response = staff_client.post(f"{URL}{track_offer.pk}/change/", data)

    assert response.status_code == 302
    track_offer.refresh_from_db()
    assert track_offer.copy_scan is None
    assert history(track_offer) == [
        (
            CHANGE,
            "copy_scan: opted out -> scanned; release_date: none -> 2027-01-15",
        )
    ]


def test_deleting_a_track_offer_records_the_copy_scan_change(
    staff_client, label_staff, track, offer
):
    track_offer = factories.track_offer(track, offer, copy_scan=False)

    response = staff_client.post(f"{URL}{track_offer.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not TrackOffer.objects.exists()
    assert history(track_offer)[0][0] == DELETION
    change = CopyScanChange.objects.filter(source=Source.ADMIN).get()
    assert change.describe() == "copy_scan: opted out -> scanned"
    assert change.user == label_staff


def test_staff_who_may_only_view_see_a_read_only_page(viewer_client, track, offer):
    track_offer = factories.track_offer(track, offer, copy_scan=False)

    response = viewer_client.get(f"{URL}{track_offer.pk}/change/")

    assert response.status_code == 200
    assert set(response.context["adminform"].readonly_fields) >= {
        "track",
        "offer",
        "copy_scan",
    }
    page = response.content.decode()
    assert "<select" not in page
    assert 'name="_save"' not in page
    refused = viewer_client.post(
        f"{URL}{track_offer.pk}/change/", form_data(track, offer)
    )
    assert refused.status_code == 403
    assert viewer_client.get(f"{URL}add/").status_code == 403


def autocomplete(client, field: str, term: str):
    return client.get(
        "/admin/autocomplete/",
        {
            "app_label": "trackoffers",
            "model_name": "trackoffer",
            "field_name": field,
            "term": term,
        },
    )


def test_the_track_autocomplete_searches_isrc_title_and_upc(
    staff_client, track, django_assert_num_queries
):
    factories.track(track.product, title="Other")

    # the page and whether there is a next one (a count)
    with django_assert_num_queries(SESSION + 2):
        response = autocomplete(staff_client, "track", track.isrc_code.lower())

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": str(track.pk), "text": f"Neon Highway ({track.isrc_code})"}
    ]
    assert len(autocomplete(staff_client, "track", "neon").json()["results"]) == 1
    upc = track.product.upc_code
    assert len(autocomplete(staff_client, "track", upc).json()["results"]) == 2


def test_the_offer_autocomplete_searches_ids_upcs_and_product_names(
    staff_client, offer, django_assert_num_queries
):
    factories.offer(factories.product(name="Piano"))

    with django_assert_num_queries(SESSION + 2):
        response = autocomplete(staff_client, "offer", "night")

    assert [result["id"] for result in response.json()["results"]] == [str(offer.pk)]
    by_id = autocomplete(staff_client, "offer", str(offer.pk)).json()["results"]
    assert [result["id"] for result in by_id] == [str(offer.pk)]
    by_upc = autocomplete(staff_client, "offer", offer.product.upc_code)
    assert [result["id"] for result in by_upc.json()["results"]] == [str(offer.pk)]
