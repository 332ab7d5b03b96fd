"""The offers list and offer page in the admin, with the copy scan of every
track of the offer's product and its flip buttons.

Every admin request costs three queries before the page's own: the session,
the user and the user's permissions (SESSION).
"""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.messages import get_messages

from tests import factories
from trackoffers.history import Source
from trackoffers.models import CopyScanChange, TrackOffer

pytestmark = pytest.mark.usefixtures("warm_content_types")

URL = "/admin/offers/offer/"
SESSION = 3


@pytest.fixture
def night():
    product = factories.product(name="Night Drive", upc_code="012345678905")
    offer = factories.offer(product, is_default=True)
    return {
        "product": product,
        "offer": offer,
        "neon": factories.track(product, title="Neon Highway", track_number=1),
        "beat": factories.track(product, title="Leased Beat", track_number=2),
        "lights": factories.track(product, title="Tunnel Lights", track_number=3),
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def flat(response) -> str:
    return " ".join(response.content.decode().split())


def offer_form(offer, **fields) -> dict:
    data = {
        "release_date": "",
        "preorder_date": "",
        "is_default": "on" if offer.is_default else "",
        "active": "on" if offer.active else "",
    }
    for flag in ("download", "on_demand_stream", "non_interactive_stream", "copy_scan"):
        if getattr(offer, flag):
            data[flag] = "on"
    data.update(fields)
    return {name: value for name, value in data.items() if value != ""}


def test_the_list_shows_product_and_usage(
    staff_client, night, django_assert_num_queries
):
    factories.offer(night["product"], copy_scan=False)

    # count + the page joined to products
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL)

    assert response.status_code == 200
    assert "Night Drive" in response.content.decode()
    assert len(response.context["cl"].result_list) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [("copy_scan__exact=0", 1), ("is_default__exact=1", 1), ("active__exact=0", 0)],
)
def test_filters(staff_client, night, query, expected):
    factories.offer(night["product"], copy_scan=False)

    response = staff_client.get(f"{URL}?{query}")

    assert len(response.context["cl"].result_list) == expected


@pytest.mark.parametrize("term", ["012345678905", "night", "{pk}"])
def test_search_by_upc_name_or_id(staff_client, night, term):
    factories.offer(factories.product(name="Piano"))

    response = staff_client.get(URL, {"q": term.format(pk=night["offer"].pk)})

    assert [offer.pk for offer in response.context["cl"].result_list] == [
        night["offer"].pk
    ]


def test_the_offer_page_lists_every_track_with_its_copy_scan(
    staff_client, night, django_assert_num_queries
):
    offer = night["offer"]
    factories.track_offer(night["beat"], offer, copy_scan=False)
    factories.track_offer(night["lights"], offer, download=False)

    # the offer with its product; the tracks with their copy scan here
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(f"{URL}{offer.pk}/change/")

    assert response.status_code == 200
    page = flat(response)
    neon, beat, lights = night["neon"], night["beat"], night["lights"]
    for track, state, button in [
        (neon, "scanned, by default", f'name="opt_out" value="{neon.pk}"'),
        (beat, "opted out <small>(track offer)</small>", f'value="{beat.pk}"'),
        (lights, "scanned, by default", f'name="opt_out" value="{lights.pk}"'),
    ]:
        row = page[page.index(f'data-isrc="{track.isrc_code}"') :]
        row = row[: row.index("</tr>")]
        assert state in row
        assert button in row
    assert f'name="opt_in" value="{beat.pk}"' in page
    assert f'action="/admin/offers/offer/{offer.pk}/copy-scan/"' in page


def test_the_usage_flags_are_checkboxes(staff_client, night):
    response = staff_client.get(f"{URL}{night['offer'].pk}/change/")

    form = response.context["adminform"].form
    for flag in ("download", "on_demand_stream", "non_interactive_stream", "copy_scan"):
        assert form.fields[flag].widget.input_type == "checkbox"
    assert "product" not in form.fields


def flip(client, offer, button: str, track):
    return client.post(f"{URL}{offer.pk}/copy-scan/", {button: str(track.pk)})


def test_opting_out_a_track_without_a_track_offer(
    staff_client, label_staff, night, django_assert_num_queries
):
    offer, neon = night["offer"], night["neon"]

    # the offer; its existing track offer; then in a savepoint (2): the
    # offer, the service's savepoint, track, locked rows, insert, history
    # and release (6), the row made, the admin history
    with django_assert_num_queries(SESSION + 2 + 2 + 1 + 6 + 1 + 1):
        response = flip(staff_client, offer, "opt_out", neon)

    assert response.status_code == 302
    assert response["Location"] == f"{URL}{offer.pk}/change/#copy-scan"
    track_offer = TrackOffer.objects.get(track=neon, offer=offer)
    assert track_offer.copy_scan is False
    assert list(
        LogEntry.objects.values_list("object_id", "action_flag", "change_message")
    ) == [(str(track_offer.pk), ADDITION, "copy_scan: scanned -> opted out")]
    change = CopyScanChange.objects.get()
    assert (change.user, change.source) == (label_staff, Source.ADMIN)
    assert messages_of(response) == ["Opted 1 track out of copy scan in 1 offer."]
    assert "opted out <small>(track offer)</small>" in flat(
        staff_client.get(response["Location"])
    )


def test_reenabling_a_track_removes_its_override(staff_client, night):
    offer, beat = night["offer"], night["beat"]
    track_offer = factories.track_offer(beat, offer, copy_scan=False)

    response = flip(staff_client, offer, "opt_in", beat)

    assert response.status_code == 302
    assert not TrackOffer.objects.exists()
    assert list(
        LogEntry.objects.values_list("object_id", "action_flag", "change_message")
    ) == [(str(track_offer.pk), DELETION, "copy_scan: opted out -> scanned")]
    assert messages_of(response) == ["Re-enabled copy scan for 1 track in 1 offer."]


def test_a_track_of_another_product_is_refused(staff_client, night):
    stranger = factories.track(title="Elsewhere")

    response = flip(staff_client, night["offer"], "opt_out", stranger)

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Track {stranger.pk} is not a track of this offer's product."
    ]
    assert not TrackOffer.objects.exists()


def test_the_flip_needs_a_post_a_track_and_an_offer(staff_client, night):
    offer = night["offer"]

    assert staff_client.get(f"{URL}{offer.pk}/copy-scan/").status_code == 405
    assert staff_client.post(f"{URL}{offer.pk}/copy-scan/").status_code == 404
    missing = staff_client.post(f"{URL}999/copy-scan/", {"opt_out": "1"})
    assert missing.status_code == 404


def test_staff_who_may_only_view_cannot_flip(viewer_client, night):
    offer = night["offer"]

    page = viewer_client.get(f"{URL}{offer.pk}/change/")
    refused = flip(viewer_client, offer, "opt_out", night["neon"])

    assert page.status_code == 200
    assert "scanned, by default" in flat(page)
    assert 'name="opt_out"' not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert refused.status_code == 403
    assert not TrackOffer.objects.exists()


def test_changing_the_offer_is_logged_in_staff_words(
    staff_client, night, django_assert_num_queries
):
    offer = night["offer"]
    data = offer_form(offer, copy_scan="", download="", release_date="2027-02-01")
    data.pop("copy_scan", None)
    data.pop("download", None)

    # a savepoint; the offer; whether another offer is the default; the
    # update, the admin history; the release
    with django_assert_num_queries(SESSION + 1 + 1 + 1 + 2 + 1):
        response = staff_client.post(f"{URL}{offer.pk}/change/", data)

    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.copy_scan, offer.download) == (False, False)
    assert list(LogEntry.objects.values_list("action_flag", "change_message")) == [
        (
            CHANGE,
            "release_date: none -> 2027-02-01; download: on -> off; "
            "copy_scan: scanned -> opted out",
        )
    ]


def test_a_second_default_offer_is_refused_readably(staff_client, night):
    second = factories.offer(night["product"])

    response = staff_client.post(
        f"{URL}{second.pk}/change/", offer_form(second, is_default="on")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "is_default": [
            f"Offer {night['offer'].pk} is already the product's default offer: "
            "untick it there first."
        ]
    }


def test_adding_an_offer_chooses_the_product_with_an_autocomplete(admin_client, night):
    page = admin_client.get(f"{URL}add/")
    response = admin_client.post(
        f"{URL}add/",
        {"product": str(night["product"].pk), "is_default": "on", "active": "on"},
    )

    form = page.context["adminform"].form
    assert type(form.fields["product"].widget.widget).__name__ == ("AutocompleteSelect")
    assert "copy-scan" not in page.content.decode()
    assert response.context["adminform"].form.errors == {
        "is_default": [
            f"Offer {night['offer'].pk} is already the product's default offer: "
            "untick it there first."
        ]
    }
