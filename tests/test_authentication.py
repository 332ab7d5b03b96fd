"""The token query: the token, its user and every permission, in one query."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.settings import CONSTANTS

from accounts import tokens
from accounts.authentication import tokens_with_key
from accounts.backends import ModelBackend
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_finds_the_user_and_the_permissions_of_groups_and_user():
    user = factories.user("mixed", actions=("view",))
    user.user_permissions.add(Permission.objects.get(codename="add_trackoffer"))
    token, secret = tokens.mint(user, ttl=timedelta(days=1))

    with CaptureQueriesContext(connection) as captured:
        [(found, permissions)] = tokens_with_key(secret[: CONSTANTS.TOKEN_KEY_LENGTH])

    assert len(captured) == 1
    assert found.pk == token.pk
    assert found.digest == token.digest
    assert found.expiry == token.expiry
    assert found.user == user
    assert found.user.username == "mixed"
    assert found.user.date_joined == user.date_joined
    user = type(user).objects.get(pk=user.pk)
    assert permissions == ModelBackend().get_all_permissions(user)
    assert "trackoffers.add_trackoffer" in permissions
    assert "tracks.view_track" in permissions


def test_a_user_without_permissions_has_none():
    _, secret = tokens.mint(factories.user("nobody"), ttl=None)

    [(found, permissions)] = tokens_with_key(secret[: CONSTANTS.TOKEN_KEY_LENGTH])

    assert found.expiry is None
    assert permissions == set()


def test_an_unknown_key_finds_nothing():
    assert list(tokens_with_key("0" * CONSTANTS.TOKEN_KEY_LENGTH)) == []
