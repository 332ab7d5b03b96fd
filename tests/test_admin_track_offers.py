"""The track offers list in the admin: columns, filters, search, the per-row
copy-scan control and the bulk copy-scan actions.

Every admin request costs three queries before the page's own: the session,
the user and the user's permissions (SESSION).
"""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.messages import get_messages

from tests import factories
from tests.queries import copy_scan_update_statements
from trackoffers.history import Source
from trackoffers.models import CopyScanChange, TrackOffer

pytestmark = pytest.mark.usefixtures("warm_content_types")

URL = "/admin/trackoffers/trackoffer/"
SESSION = 3


@pytest.fixture
def catalogue():
    """Two products; the first has two offers, every track a track offer."""
    night = factories.product(name="Night Drive", upc_code="012345678905")
    default = factories.offer(night, is_default=True)
    inactive = factories.offer(night, active=False, download=False)
    neon = factories.track(night, title="Neon Highway", isrc_code="USRC17607839")
    beat = factories.track(night, title="Leased Beat", isrc_code="USRC17607840")
    piano = factories.product(name="Piano", upc_code="4006381333931")
    lune = factories.track(piano, title="Clair de Lune", isrc_code="GBAYE0601478")
    return {
        "neon": factories.track_offer(neon, default),
        "beat": factories.track_offer(beat, default, copy_scan=False),
        "neon_inactive": factories.track_offer(neon, inactive, copy_scan=True),
        "lune": factories.track_offer(lune, download=False),
    }


def listed(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def history(obj) -> list[tuple[int, str]]:
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk))
        .order_by("id")
        .values_list("action_flag", "change_message")
    )


def test_the_list_shows_track_product_offer_and_copy_scan(
    staff_client, catalogue, django_assert_num_queries
):
    # count + the page, joined to tracks, products and offers
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert listed(response) == {row.pk for row in catalogue.values()}
    for text in [
        "Neon Highway",
        "USRC17607839",
        "Night Drive",
        "012345678905",
        f"Offer {catalogue['neon'].offer_id} (default)",
        f"Offer {catalogue['neon_inactive'].offer_id} (inactive)",
        "download: off",
        'alt="Opted out"',
        "<small>(inherited)</small>",
    ]:
        assert text in page
    assert "estimated-count" not in page


def test_the_page_costs_the_same_with_many_rows(
    staff_client, catalogue, django_assert_num_queries
):
    offer = catalogue["neon"].offer
    for _ in range(60):
        factories.track_offer(factories.track(offer.product), offer)

    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL)

    assert len(response.context["cl"].result_list) == 50


def test_each_row_has_a_copy_scan_choice_mapped_to_the_override(
    staff_client, catalogue
):
    response = staff_client.get(URL)

    forms = {form.instance.pk: form for form in response.context["cl"].formset.forms}
    field = forms[catalogue["beat"].pk]["copy_scan"]
    assert [label for _, label in field.field.choices] == [
        "Inherit",
        "Scanned",
        "Opted out",
    ]
    assert field.value() is False
    assert forms[catalogue["neon"].pk]["copy_scan"].value() is None
    assert 'name="form-0-copy_scan"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("copy_scan=opted_out", ["beat"]),
        ("copy_scan=scanned", ["neon_inactive"]),
        ("copy_scan=inherited", ["neon", "lune"]),
        ("default_offer=yes", ["neon", "beat"]),
        ("default_offer=no", ["neon_inactive", "lune"]),
        ("active_offer=no", ["neon_inactive"]),
        ("active_offer=yes&copy_scan=inherited", ["neon", "lune"]),
    ],
)
def test_filters(staff_client, catalogue, django_assert_num_queries, query, expected):
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(f"{URL}?{query}")

    assert listed(response) == {catalogue[name].pk for name in expected}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("USRC17607839", ["neon", "neon_inactive"]),
        ("us-rc1-76-07840", ["beat"]),
        ("USRC176", ["neon", "beat", "neon_inactive"]),
        ("gbaye", ["lune"]),
        ("lune", ["lune"]),
        ("neon high", ["neon", "neon_inactive"]),
        ("4006381333931", ["lune"]),
        ("012345678905", ["neon", "beat", "neon_inactive"]),
        ("nothing like it", []),
    ],
)
def test_search_by_isrc_prefix_title_or_upc(
    staff_client, catalogue, django_assert_num_queries, term, expected
):
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL, {"q": term})

    assert listed(response) == {catalogue[name].pk for name in expected}


def edit_copy_scan(client, rows: dict, query: str = ""):
    """Post the list's copy-scan controls as the Save button does."""
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, (track_offer, value) in enumerate(rows.items()):
        data[f"form-{index}-id"] = str(track_offer.pk)
        data[f"form-{index}-copy_scan"] = value
    return client.post(f"{URL}?{query}", data)


def test_opting_a_track_out_from_the_list(
    staff_client, label_staff, catalogue, django_assert_num_queries
):
    neon, beat = catalogue["neon"], catalogue["beat"]

    # count + the posted rows; then a savepoint, the update and the
    # copy-scan history, the admin history, and the savepoint's release
    with django_assert_num_queries(SESSION + 2 + 3 + copy_scan_update_statements()):
        response = edit_copy_scan(staff_client, {neon: "False", beat: "False"})

    assert response.status_code == 302
    neon.refresh_from_db()
    assert neon.copy_scan is False
    assert history(neon) == [(CHANGE, "copy_scan: scanned -> opted out")]
    assert history(beat) == []
    change = CopyScanChange.objects.get(track_offer_number=neon.pk)
    assert (change.user, change.source) == (label_staff, Source.ADMIN)
    assert messages_of(response) == ["1 track offer was changed successfully."]


@pytest.mark.parametrize(
    ("row", "value", "stored", "message"),
    [
        ("beat", "", None, "copy_scan: opted out -> scanned"),
        ("beat", "True", True, "copy_scan: opted out -> scanned"),
        (
            "neon_inactive",
            "",
            None,
            "copy_scan: stays scanned; track override scanned -> inherit",
        ),
        (
            "neon",
            "True",
            True,
            "copy_scan: stays scanned; track override inherit -> scanned",
        ),
    ],
)
def test_every_choice_of_the_list_maps_to_the_override(
    staff_client, catalogue, row, value, stored, message
):
    track_offer = catalogue[row]

    edit_copy_scan(staff_client, {track_offer: value})

    track_offer.refresh_from_db()
    assert track_offer.copy_scan is stored
    assert history(track_offer) == [(CHANGE, message)]


def test_the_list_refuses_a_choice_that_is_not_one(staff_client, catalogue):
    response = edit_copy_scan(staff_client, {catalogue["neon"]: "maybe"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CopyScanChange.objects.filter(source=Source.ADMIN).exists()


def act(client, action: str, rows=(), query: str = "", across: bool = False):
    data = {"action": action, "index": "0"}
    data["_selected_action"] = [str(row.pk) for row in rows]
    if across:
        data["select_across"] = "1"
    return client.post(f"{URL}?{query}", data)


def test_bulk_opt_out(staff_client, label_staff, catalogue):
    neon, beat, lune = catalogue["neon"], catalogue["beat"], catalogue["lune"]

    response = act(staff_client, "opt_out_copy_scan", [neon, beat, lune])

    assert response.status_code == 302
    assert set(
        TrackOffer.objects.filter(copy_scan=False).values_list("pk", flat=True)
    ) == {neon.pk, beat.pk, lune.pk}
    assert history(neon) == [(CHANGE, "copy_scan: scanned -> opted out")]
    assert history(lune) == [(CHANGE, "copy_scan: scanned -> opted out")]
    assert history(beat) == []
    assert set(
        CopyScanChange.objects.filter(source=Source.ADMIN).values_list(
            "track_offer_number", "user"
        )
    ) == {(neon.pk, label_staff.pk), (lune.pk, label_staff.pk)}
    assert messages_of(response) == [
        "Opted 2 tracks out of copy scan in 2 offers; 1 already opted out."
    ]


def test_bulk_reenable_removes_the_override(staff_client, catalogue):
    beat, lune = catalogue["beat"], catalogue["lune"]
    TrackOffer.objects.filter(pk=lune.pk).update(copy_scan=False)

    response = act(staff_client, "reenable_copy_scan", [beat, lune])

    assert response.status_code == 302
    # Overriding nothing else, the beat's track offer is gone; the piano
    # track keeps its download override.
    assert not TrackOffer.objects.filter(pk=beat.pk).exists()
    lune.refresh_from_db()
    assert (lune.copy_scan, lune.download) == (None, False)
    assert history(beat) == [(DELETION, "copy_scan: opted out -> scanned")]
    assert history(lune) == [(CHANGE, "copy_scan: opted out -> scanned")]
    assert messages_of(response) == ["Re-enabled copy scan for 2 tracks in 2 offers."]


def test_nothing_changes_when_nothing_needs_to(staff_client, catalogue):
    response = act(staff_client, "reenable_copy_scan", [catalogue["neon"]])

    assert messages_of(response) == [
        "Re-enabled copy scan for 0 tracks; 1 already scanned."
    ]
    assert LogEntry.objects.count() == 0


def many_opted_out(offers: int, tracks_per_offer: int) -> list[TrackOffer]:
    rows = []
    for _ in range(offers):
        offer = factories.offer()
        for _ in range(tracks_per_offer):
            track = factories.track(offer.product)
            rows.append(factories.track_offer(track, offer, copy_scan=False))
    return rows


@pytest.mark.parametrize("tracks_per_offer", [3, 40])
def test_select_all_reenables_a_whole_filtered_list_in_queries_per_offer(
    staff_client, django_assert_num_queries, tracks_per_offer
):
    rows = many_opted_out(offers=2, tracks_per_offer=tracks_per_offer)
    first_page = rows[:2]

    # The list's count; the selection and the offers; per offer the
    # service's savepoint, tracks, locked rows, delete, history and release,
    # then the rows left (7); the admin history; a savepoint around it all.
    with django_assert_num_queries(SESSION + 1 + 2 + 2 * 7 + 1 + 2):
        response = act(
            staff_client,
            "reenable_copy_scan",
            first_page,
            query="copy_scan=opted_out",
            across=True,
        )

    assert response.status_code == 302
    assert TrackOffer.objects.count() == 0
    assert LogEntry.objects.filter(action_flag=DELETION).count() == len(rows)
    assert CopyScanChange.objects.filter(is_scanned=True).count() == len(rows)


def test_select_all_takes_the_filters_and_search_of_the_list(staff_client, catalogue):
    response = act(
        staff_client,
        "opt_out_copy_scan",
        [catalogue["neon"]],
        query="q=012345678905&default_offer=yes",
        across=True,
    )

    assert messages_of(response) == [
        "Opted 1 track out of copy scan in 1 offer; 1 already opted out."
    ]
    assert set(
        TrackOffer.objects.filter(copy_scan=False).values_list("pk", flat=True)
    ) == {catalogue["neon"].pk, catalogue["beat"].pk}


def test_select_all_on_a_search_matching_nothing_changes_nothing(
    staff_client, catalogue
):
    response = act(
        staff_client,
        "opt_out_copy_scan",
        [catalogue["lune"]],
        query="q=no+such+title",
        across=True,
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Opted 0 tracks out of copy scan."]
    assert TrackOffer.objects.filter(copy_scan=False).count() == 1


def test_the_list_offers_no_bulk_delete(staff_client, catalogue):
    response = staff_client.get(URL)

    actions = dict(response.context["action_form"].fields["action"].choices)
    assert set(actions) == {"", "opt_out_copy_scan", "reenable_copy_scan"}


def test_staff_who_may_only_view_get_a_read_only_list(viewer_client, catalogue):
    response = viewer_client.get(URL)

    assert response.status_code == 200
    assert response.context["cl"].formset is None
    assert 'name="action"' not in response.content.decode()
    refused = edit_copy_scan(viewer_client, {catalogue["neon"]: "False"})
    assert refused.status_code == 403
    act(viewer_client, "opt_out_copy_scan", [catalogue["neon"]])
    assert TrackOffer.objects.filter(copy_scan=False).count() == 1


def test_the_history_page_shows_the_change(staff_client, catalogue):
    neon = catalogue["neon"]
    edit_copy_scan(staff_client, {neon: "False"})

    response = staff_client.get(f"{URL}{neon.pk}/history/")

    assert response.status_code == 200
    assert "copy_scan: scanned -&gt; opted out" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, catalogue):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_selection_over_too_many_offers_is_refused_before_any_change(
    staff_client, catalogue, monkeypatch
):
    monkeypatch.setattr("trackoffers.admin_copy_scan.MAX_OFFERS", 2)

    response = act(staff_client, "opt_out_copy_scan", [catalogue["neon"]], across=True)

    assert response.status_code == 302
    assert messages_of(response) == [
        "The selection spans 3 offers; a bulk change handles at most 2 at a "
        "time. Narrow the list (search a UPC or an ISRC prefix, or filter) and "
        "run it again."
    ]
    assert TrackOffer.objects.filter(copy_scan=False).count() == 1
    assert LogEntry.objects.count() == 0
