"""Build catalogue rows for tests with valid, unique identifiers."""

import importlib
import itertools

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q

from offers.models import Offer
from trackoffers.models import TrackOffer
from tracks.codes import gs1_check_digit
from tracks.models import Product, Track

_sequence = itertools.count(1)


def upc() -> str:
    digits = f"{next(_sequence):011d}"
    return digits + str(gs1_check_digit(digits))


def isrc() -> str:
    return f"USRC1{next(_sequence):07d}"


def product(**fields) -> Product:
    fields.setdefault("name", "Night Drive")
    fields.setdefault("upc_code", upc())
    return Product.objects.create(**fields)


def track(product_: Product | None = None, **fields) -> Track:
    product_ = product_ or product()
    fields.setdefault("title", "Leased Beat")
    fields.setdefault("isrc_code", isrc())
    fields.setdefault("track_number", next(_sequence))
    return Track.objects.create(product=product_, **fields)


def offer(product_: Product | None = None, **fields) -> Offer:
    return Offer.objects.create(product=product_ or product(), **fields)


def track_offer(track_: Track | None = None, offer_: Offer | None = None, **fields):
    if track_ is None:
        track_ = track(offer_.product if offer_ else None)
    offer_ = offer_ or offer(track_.product)
    return TrackOffer.objects.create(track=track_, offer=offer_, **fields)


def label_staff(username: str = "label") -> User:
    """Create a staff user in the "Label staff" group of the migrations."""
    account = user(username, is_staff=True)
    account.groups.add(label_staff_group())
    return account


def label_staff_group() -> Group:
    """Return the group the migration made, or remake it as it made it.

    Tests that commit (transactional tests) empty the database when they
    end; the group has to be remade for those that follow.
    """
    role = importlib.import_module("accounts.migrations.0001_label_staff_group")
    group, created = Group.objects.get_or_create(name=role.GROUP)
    if created:
        wanted = Q()
        for label, codenames in role.PERMISSIONS.items():
            wanted |= Q(content_type__app_label=label, codename__in=codenames)
        group.permissions.set(Permission.objects.filter(wanted))
    return group


def user(username: str, *, actions: tuple[str, ...] = (), **fields) -> User:
    """Create a user allowed ``actions`` (view, add, ...) on every resource."""
    account = User.objects.create_user(
        username, email=f"{username}@label.test", password="correct horse", **fields
    )
    if actions:
        group, _ = Group.objects.get_or_create(name="-".join(actions))
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["tracks", "offers", "trackoffers"],
                codename__regex=rf"^({'|'.join(actions)})_",
            )
        )
        account.groups.add(group)
    return account
