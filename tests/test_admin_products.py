"""The products list and product page in the admin.

Every admin request costs three queries before the page's own: the session,
the user and the user's permissions (SESSION).
"""

import pytest

from tests import factories

pytestmark = pytest.mark.usefixtures("warm_content_types")

URL = "/admin/tracks/product/"
SESSION = 3


@pytest.fixture
def night():
    product = factories.product(name="Night Drive", upc_code="012345678905")
    factories.track(product, title="Neon Highway")
    factories.track(product, title="Leased Beat")
    factories.offer(product, is_default=True)
    return product


def test_the_list_costs_a_count_and_a_page(
    staff_client, night, django_assert_num_queries
):
    factories.product(name="Piano")

    with django_assert_num_queries(SESSION + 2):
        response = staff_client.get(URL)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2


@pytest.mark.parametrize("term", ["012345678905", "night", "DRIVE"])
def test_search_by_upc_or_name(staff_client, night, term):
    factories.product(name="Piano")

    response = staff_client.get(URL, {"q": term})

    assert list(response.context["cl"].result_list) == [night]


def test_the_product_page_lists_its_tracks_and_offers(
    staff_client, night, django_assert_num_queries
):
    # the product; its tracks; its offers
    with django_assert_num_queries(SESSION + 3):
        response = staff_client.get(f"{URL}{night.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Neon Highway" in page
    assert "Leased Beat" in page
    assert 'name="_save"' not in page
