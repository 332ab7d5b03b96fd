"""The "Label staff" group created by accounts' migration."""

import pytest
from django.contrib.auth.models import Group

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_migration_creates_the_group_with_its_permissions():
    group = Group.objects.get(name="Label staff")

    assert sorted(
        group.permissions.values_list("content_type__app_label", "codename")
    ) == [
        ("offers", "change_offer"),
        ("offers", "view_offer"),
        ("trackoffers", "add_trackoffer"),
        ("trackoffers", "change_trackoffer"),
        ("trackoffers", "delete_trackoffer"),
        ("trackoffers", "view_copyscanchange"),
        ("trackoffers", "view_trackoffer"),
        ("tracks", "view_product"),
        ("tracks", "view_track"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tracks/product/",
        "/admin/tracks/track/",
        "/admin/offers/offer/",
        "/admin/trackoffers/trackoffer/",
        "/admin/trackoffers/copyscanchange/",
    ],
)
def test_members_see_the_whole_catalogue(staff_client, path):
    assert staff_client.get(path).status_code == 200


def test_members_may_not_delete_products_or_change_tracks(staff_client):
    product = factories.product()
    track = factories.track(product)

    delete = staff_client.get(f"/admin/tracks/product/{product.pk}/delete/")
    assert delete.status_code == 403
    assert staff_client.get("/admin/tracks/product/add/").status_code == 403
    page = staff_client.get(f"/admin/tracks/track/{track.pk}/change/")
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("path", ["/admin/auth/user/", "/admin/auth/group/"])
def test_members_may_not_manage_users(staff_client, path):
    assert staff_client.get(path).status_code == 403


def test_the_admin_index_lists_what_members_may_see(staff_client):
    response = staff_client.get("/admin/")

    models = {
        model["object_name"]
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert models == {"Product", "Track", "Offer", "TrackOffer", "CopyScanChange"}
