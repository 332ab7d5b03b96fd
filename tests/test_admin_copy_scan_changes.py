"""The copy-scan history in the admin: read-only, since it is append-only.

Every admin request costs three queries before the page's own: the session,
the user and the user's permissions (SESSION).
"""

import pytest

from tests import factories
from trackoffers.history import Source, acting
from trackoffers.models import CopyScanChange

pytestmark = pytest.mark.usefixtures("warm_content_types")

URL = "/admin/trackoffers/copyscanchange/"
SESSION = 3


@pytest.fixture
def changes(label_staff):
    offer = factories.offer()
    neon = factories.track(offer.product, isrc_code="USRC17607839")
    lune = factories.track(offer.product, isrc_code="GBAYE0601478")
    with acting(label_staff, Source.ADMIN):
        factories.track_offer(neon, offer, copy_scan=False)
    with acting(None, Source.API):
        factories.track_offer(lune, offer, copy_scan=False).opt_in()
    return CopyScanChange.objects.order_by("id")


def test_the_list_shows_who_changed_what(
    staff_client, changes, django_assert_num_queries
):
    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL)

    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "copy_scan: scanned -&gt; opted out" in page
    assert "copy_scan: opted out -&gt; scanned" in page
    assert "label" in page
    assert len(response.context["cl"].result_list) == 3


@pytest.mark.parametrize(
    ("term", "expected"),
    [("us-rc1-76-07839", 1), ("gbaye", 2), ("USRC", 1), ("FR", 0), ("", 3)],
)
def test_search_by_isrc_or_its_start(staff_client, changes, term, expected):
    response = staff_client.get(URL, {"q": term})

    assert len(response.context["cl"].result_list) == expected


def test_filter_by_source(staff_client, changes):
    response = staff_client.get(URL, {"source__exact": "api"})

    assert {change.source for change in response.context["cl"].result_list} == {"api"}


def test_nobody_may_add_change_or_delete_history(admin_client, changes):
    change = changes.first()

    page = admin_client.get(f"{URL}{change.pk}/change/")

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(f"{URL}add/").status_code == 403
    assert admin_client.post(f"{URL}{change.pk}/change/", {}).status_code == 403
    assert admin_client.get(f"{URL}{change.pk}/delete/").status_code == 403
    assert 'name="action"' not in admin_client.get(URL).content.decode()
