"""Load a small demo catalogue and a demo staff user, then print a token.

Safe to run again: the catalogue is only created once, and each run mints a
fresh token.
"""

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import tokens
from trackoffers.models import TrackOffer
from trackoffers.seeding import seed_catalogue
from tracks.models import Product, Track

DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "trackoffers-demo"

# Two offers per product and a quarter of the pairs overridden: small enough
# to read through in the admin, with some tracks opted out of copy scan.
DEMO_CATALOGUE = {
    "tracks": 40,
    "offers_per_product": 2,
    "override_share": 0.25,
    "seed": 1,
}


class Command(BaseCommand):
    help = "Load demo products, tracks, offers and a demo user; print a token."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            if Product.objects.exists():
                loaded = "The catalogue was already there; left as it is."
            else:
                loaded = f"Catalogue: {seed_catalogue(**DEMO_CATALOGUE).summary()}."
            user = self.demo_user()
        _, secret = tokens.mint(user, ttl=tokens.default_ttl())
        opted_out = TrackOffer.objects.filter(copy_scan=False).first()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(loaded)
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  user {DEMO_USERNAME}, "
            f"password {DEMO_PASSWORD}"
        )
        self.stdout.write(f"Bearer token (valid 24 h): {secret}\n")
        self.stdout.write("Try:")
        for line in self.examples(secret, opted_out, free_track()):
            self.stdout.write(f"  {line}")

    def demo_user(self) -> User:
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": DEMO_EMAIL, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.user_permissions.set(
                Permission.objects.filter(
                    content_type__app_label__in=["tracks", "offers", "trackoffers"]
                )
            )
        return user

    def examples(
        self, secret: str, opted_out: TrackOffer | None, free: Track | None
    ) -> list[str]:
        base = "http://127.0.0.1:8000/api/v1"
        auth = f'-H "Authorization: Bearer {secret}"'
        jsonapi = '-H "Content-Type: application/vnd.api+json"'
        lines = [
            f"curl {auth} {base}/track-offers",
            f"curl -g {auth} '{base}/track-offers?filter[copy-scan]=false'",
        ]
        if opted_out is not None:
            lines.append(
                f"curl {auth} '{base}/track-offers/{opted_out.pk}?include=track'"
            )
            lines.append(f"curl {auth} -X DELETE {base}/track-offers/{opted_out.pk}")
        if free is not None:
            offer = free.product.offers.get(is_default=True)
            lines.append(
                f"curl {auth} {jsonapi} -X POST {base}/track-offers -d "
                '\'{"data": {"type": "track-offers", "attributes": {"usage": '
                '{"copy_scan": false}}, "relationships": {"track": {"data": '
                f'{{"type": "tracks", "id": "{free.pk}"}}}}, "offer": {{"data": '
                f'{{"type": "offers", "id": "{offer.pk}"}}}}}}}}}}\''
            )
        return lines


def free_track() -> Track | None:
    """Return a track with no track offer in its product's default offer.

    The POST example opts it out there, so pasting it succeeds (201) instead
    of clashing with a track offer the catalogue already has (409).
    """
    return (
        Track.objects.filter(product__offers__is_default=True)
        .exclude(track_offers__offer__is_default=True)
        .select_related("product")
        .first()
    )
