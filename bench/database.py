"""Build, once, the benchmark's PostgreSQL database, and mint today's token.

Run inside Django (``python -m bench.database``, bench settings in the
environment); prints one JSON object with what the harness needs: a token,
an admin session, and the ids its scenarios use. With ``--small``, a
catalogue of 2,000 tracks for the load test, and no ids.
"""

import json
import subprocess
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
)
from django.contrib.auth.models import Permission, User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from accounts import tokens  # noqa: E402
from offers.models import Offer  # noqa: E402
from trackoffers import seeding  # noqa: E402
from trackoffers.models import TrackOffer  # noqa: E402
from tracks.models import Product  # noqa: E402

CATALOGUE = {"tracks": 100_000, "offers_per_product": 10, "override_share": 1}
SMALL_CATALOGUE = {"tracks": 2_000, "offers_per_product": 2, "override_share": 0.5}
BIG_PRODUCT_TRACKS = 10_000
# The report command must stream: its memory is measured on this many.
HUGE_PRODUCT_TRACKS = 100_000
BENCH_USER = "bench"
DEEP_PAGE = 5_000
MAX_CONNECTIONS = 4


def build() -> None:
    """Migrate, seed and vacuum unless an earlier run already did."""
    call_command("migrate", "--no-input", verbosity=0)
    built = False
    if not TrackOffer.objects.exists():
        print("Seeding 1,000,000 track offers (a minute or two)...", file=sys.stderr)
        call_command(
            "seed_catalogue",
            tracks=CATALOGUE["tracks"],
            offers_per_product=CATALOGUE["offers_per_product"],
            override_share=CATALOGUE["override_share"],
            # stdout carries this script's JSON answer alone.
            stdout=sys.stderr,
        )
        built = True
    if big_offer() is None:
        seeding.seed_product(tracks=BIG_PRODUCT_TRACKS, override_share=0.5, seed=1)
        built = True
    if huge_offer() is None:
        print("Seeding a product of 100,000 tracks...", file=sys.stderr)
        seeding.seed_product(tracks=HUGE_PRODUCT_TRACKS, override_share=0.5, seed=2)
        built = True
    if built:
        vacuum()


def build_small() -> None:
    call_command("migrate", "--no-input", verbosity=0)
    if not TrackOffer.objects.exists():
        seeding.seed_catalogue(**SMALL_CATALOGUE)


def vacuum() -> None:
    # VACUUM cannot run in a transaction block, so it gets its own psql
    # session; fresh statistics keep the planner and the estimated totals
    # what production would see.
    url = settings.DATABASES["default"]
    subprocess.run(
        [
            "psql",
            "--quiet",
            f"--host={url['HOST']}",
            f"--port={url['PORT']}",
            f"--username={url['USER']}",
            f"--dbname={url['NAME']}",
            "--command=VACUUM ANALYZE",
        ],
        check=True,
    )


def big_offer() -> Offer | None:
    """Return the default offer of the product of 10,000 tracks, if built."""
    return _default_offer(BIG_PRODUCT_TRACKS)


def huge_offer() -> Offer | None:
    """Return the default offer of the product of 100,000 tracks, if built."""
    return _default_offer(HUGE_PRODUCT_TRACKS)


def _default_offer(tracks: int) -> Offer | None:
    product = Product.objects.annotate(size=Count("tracks")).filter(size=tracks).first()
    return product and product.offers.get(is_default=True)


def bench_user() -> User:
    """Return the bench user: staff, reading and writing the catalogue."""
    user, _ = User.objects.get_or_create(
        username=BENCH_USER, defaults={"email": "bench@example.com"}
    )
    user.is_staff = True
    # The harness opens its admin session directly (admin_session below).
    user.set_unusable_password()
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["tracks", "offers", "trackoffers"]
        )
    )
    return user


def admin_session(user: User) -> str:
    """Return the key of a logged-in admin session, as the login form makes."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def fixtures() -> dict:
    """Return the ids the scenarios use, picked the same way every run."""
    offer = big_offer()
    ids = TrackOffer.objects.order_by("pk").values_list("pk", flat=True)
    middle = TrackOffer.objects.count() // 2
    # Tracks of the big offer's product with no track offer there: the
    # create scenario adds one on each and deletes it again.
    free_tracks = (
        offer.product.tracks.exclude(track_offers__offer=offer)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sample = TrackOffer.objects.select_related("track").get(pk=ids[middle])
    return {
        "offer": offer.pk,
        "huge_offer": huge_offer().pk,
        "track_offer": sample.pk,
        "isrc": sample.track.isrc_code,
        # One row or track per load-generator connection.
        "patch_track_offers": list(ids[middle + 1 : middle + 1 + MAX_CONNECTIONS]),
        "free_tracks": list(free_tracks[:MAX_CONNECTIONS]),
        # The row just before page 5,000 of 20: page[after] starts there.
        "deep_after": ids[(DEEP_PAGE - 1) * 20 - 1],
    }


def main() -> None:
    small = "--small" in sys.argv[1:]
    if small:
        build_small()
    else:
        build()
    user = bench_user()
    # One token per run, and none left over from earlier runs.
    tokens.revoke_all(user)
    _, secret = tokens.mint(user, ttl=None)
    info = {
        "token": secret,
        "session": admin_session(user),
    }
    if not small:
        info.update(fixtures())
    connection.close()
    json.dump(info, sys.stdout)


if __name__ == "__main__":
    main()
