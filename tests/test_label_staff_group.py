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
