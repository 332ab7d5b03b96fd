"""The tracks list and track page in the admin, and the list's action
"Opt out of copy scan in an offer...".

Every admin request costs three queries before the page's own: the session,
the user and the user's permissions (SESSION).
"""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.messages import get_messages

from tests import factories
from trackoffers.history import Source
from trackoffers.models import CopyScanChange, TrackOffer

pytestmark = pytest.mark.usefixtures("warm_content_types")

URL = "/admin/tracks/track/"
SESSION = 3
ACTION = "opt_out_in_offer"


@pytest.fixture
def night():
    product = factories.product(name="Night Drive", upc_code="012345678905")
    return {
        "product": product,
        "default": factories.offer(product, is_default=True),
        "second": factories.offer(product, download=False),
        "neon": factories.track(product, title="Neon Highway"),
        "beat": factories.track(product, title="Leased Beat"),
    }


@pytest.fixture
def piano():
    product = factories.product(name="Piano", upc_code="4006381333931")
    return {
        "product": product,
        "offer": factories.offer(product),
        "lune": factories.track(product, title="Clair de Lune"),
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def opted_out() -> set[tuple[int, int]]:
    return set(
        TrackOffer.objects.filter(copy_scan=False).values_list("track_id", "offer_id")
    )


def post_action(client, tracks=(), query: str = "", across=False, **fields):
    data = {
        "action": ACTION,
        "index": "0",
        "_selected_action": [str(track.pk) for track in tracks],
        **fields,
    }
    if across:
        data["select_across"] = "1"
    return client.post(f"{URL}?{query}", data)


def test_the_list_shows_title_isrc_and_product(
    staff_client, night, piano, django_assert_num_queries
):
    # count + the page joined to products
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    isrc = night["neon"].isrc_code
    for text in ["Neon Highway", isrc, "Night Drive", "012345678905"]:
        assert text in page
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert set(actions) == {"", ACTION}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("neon", {"Neon Highway"}),
        ("4006381333931", {"Clair de Lune"}),
        ("012345678905", {"Neon Highway", "Leased Beat"}),
    ],
)
def test_search(staff_client, night, piano, django_assert_num_queries, term, expected):
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL, {"q": term})

    assert {track.title for track in response.context["cl"].result_list} == expected


def test_search_by_isrc(staff_client, night, piano):
    isrc = night["beat"].isrc_code

    exact = staff_client.get(URL, {"q": f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:]}"})
    prefix = staff_client.get(URL, {"q": isrc[:7].lower()})

    assert [track.pk for track in exact.context["cl"].result_list] == [night["beat"].pk]
    assert {track.pk for track in prefix.context["cl"].result_list} >= {
        night["beat"].pk
    }


def test_the_action_asks_which_offer(staff_client, night, django_assert_num_queries):
    # the list's count; the selection's products; their offers; its size
    with django_assert_num_queries(SESSION + 1 + 3):
        response = post_action(staff_client, [night["neon"], night["beat"]])

    assert response.status_code == 200
    assert response.templates[0].name == "admin/tracks/track/opt_out_in_offer.html"
    choices = response.context["form"].fields["offer"].choices
    assert choices == [
        ("all", "Every offer of the product"),
        (str(night["default"].pk), f"Offer {night['default'].pk}, default"),
        (str(night["second"].pk), f"Offer {night['second'].pk}"),
    ]
    page = response.content.decode()
    assert "the 2 selected tracks" in page
    assert f'name="_selected_action" value="{night["neon"].pk}"' in page
    assert 'name="select_across"' not in page
    assert opted_out() == set()


def test_opting_out_in_one_offer_creates_the_track_offers(
    staff_client, label_staff, night
):
    neon, beat, default = night["neon"], night["beat"], night["default"]
    factories.track_offer(beat, default, download=False)

    response = post_action(
        staff_client, [neon, beat], offer=str(default.pk), apply="Opt out"
    )

    assert response.status_code == 302
    assert opted_out() == {(neon.pk, default.pk), (beat.pk, default.pk)}
    created = TrackOffer.objects.get(track=neon)
    changed = TrackOffer.objects.get(track=beat)
    assert list(
        LogEntry.objects.order_by("object_id").values_list(
            "object_id", "action_flag", "change_message"
        )
    ) == sorted(
        [
            (str(created.pk), ADDITION, "copy_scan: scanned -> opted out"),
            (str(changed.pk), CHANGE, "copy_scan: scanned -> opted out"),
        ]
    )
    assert set(CopyScanChange.objects.values_list("track", "source", "user")) == {
        (neon.pk, Source.ADMIN, label_staff.pk),
        (beat.pk, Source.ADMIN, label_staff.pk),
    }
    assert messages_of(response) == ["Opted 2 tracks out of copy scan in 1 offer."]


def test_opting_out_in_every_offer_of_each_product(staff_client, night, piano):
    tracks = [night["neon"], piano["lune"]]

    response = post_action(staff_client, tracks, offer="all", apply="Opt out")

    assert opted_out() == {
        (night["neon"].pk, night["default"].pk),
        (night["neon"].pk, night["second"].pk),
        (piano["lune"].pk, piano["offer"].pk),
    }
    assert messages_of(response) == ["Opted 3 tracks out of copy scan in 3 offers."]


def test_across_products_only_every_offer_may_be_chosen(staff_client, night, piano):
    response = post_action(staff_client, [night["neon"], piano["lune"]])

    assert response.context["form"].fields["offer"].choices == [
        ("all", "Every offer of each track's product")
    ]
    assert "several products" in response.content.decode()

    refused = post_action(
        staff_client,
        [night["neon"], piano["lune"]],
        offer=str(night["default"].pk),
        apply="Opt out",
    )

    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert opted_out() == set()


@pytest.mark.parametrize("size", [3, 30])
def test_select_all_opts_out_a_whole_search_in_queries_per_offer(
    staff_client, django_assert_num_queries, size
):
    product = factories.product()
    offers = [factories.offer(product), factories.offer(product)]
    tracks = [factories.track(product, title=f"Beat {n}") for n in range(size)]
    factories.track(title="Not a beat at all")
    query = f"q={product.upc_code}"

    # The list's count; the question's products and offers; the tracks and
    # their products' offers; per offer its existing track offers; then in
    # a savepoint: the offers, per offer the service's savepoint, tracks,
    # locked rows, insert, history and release and the rows made (7), the
    # admin history.
    with django_assert_num_queries(SESSION + 1 + 2 + 2 + 2 + 2 + 2 * 7 + 2):
        response = post_action(
            staff_client,
            tracks[:1],
            query=query,
            across=True,
            offer="all",
            apply="Opt out",
        )

    assert response.status_code == 302
    assert len(opted_out()) == 2 * size
    assert LogEntry.objects.filter(action_flag=ADDITION).count() == 2 * size
    assert {offer_id for _, offer_id in opted_out()} == {o.pk for o in offers}


def test_select_all_carries_the_selection_through_the_question(staff_client, night):
    response = post_action(
        staff_client, [night["neon"]], query="q=012345678905", across=True
    )

    page = response.content.decode()
    assert "the 2 selected tracks" in page
    assert '<input type="hidden" name="select_across" value="1">' in page
    assert response.context["changelist_url"] == f"{URL}?q=012345678905"


def test_staff_who_may_only_view_have_no_action(viewer_client, night):
    response = viewer_client.get(URL)

    assert 'name="action"' not in response.content.decode()
    post_action(viewer_client, [night["neon"]], offer="all", apply="Opt out")
    assert opted_out() == set()


def test_the_track_page_shows_its_usage_in_each_offer(
    staff_client, night, django_assert_num_queries
):
    neon, default, second = night["neon"], night["default"], night["second"]
    factories.track_offer(neon, default, copy_scan=False)
    factories.track_offer(neon, second, download=True)

    # the track with its product; its offers with its usage there; the
    # latest copy-scan changes
    with django_assert_num_queries(SESSION + 3):
        response = staff_client.get(f"{URL}{neon.pk}/change/")

    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert f"Offer {default.pk}, default" in page
    # In the default offer copy scan is off for this track only; in the
    # second, download is on for this track only although the offer's is off.
    assert page.count("(this track)") == 2
    assert "copy_scan: scanned -&gt; opted out" in page


def test_a_track_never_changed_says_so(staff_client, night):
    response = staff_client.get(f"{URL}{night['beat'].pk}/change/")

    assert "Never changed: scanned wherever its offers scan." in (
        response.content.decode()
    )


def test_the_add_page_chooses_the_product_with_an_autocomplete(admin_client):
    response = admin_client.get(f"{URL}add/")

    form = response.context["adminform"].form
    assert type(form.fields["product"].widget.widget).__name__ == ("AutocompleteSelect")


def test_too_many_offers_at_once_are_refused(staff_client, night, monkeypatch):
    monkeypatch.setattr("trackoffers.admin_copy_scan.MAX_OFFERS", 1)

    response = post_action(staff_client, [night["neon"]], offer="all", apply="Go")

    assert messages_of(response)[0].startswith("The selection spans 2 offers;")
    assert opted_out() == set()
