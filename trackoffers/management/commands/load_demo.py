"""Load a small demo catalogue and a demo staff user, then print a token.

Safe to run again: the catalogue is only created once, and each run mints a
fresh token.
"""

from datetime import date, timedelta

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import tokens
from offers.models import Offer
from trackoffers.models import TrackOffer
from tracks.models import Product, Track

DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "trackoffers-demo"

CATALOGUE = [
    (
        "Night Drive",
        "012345678905",
        [
            ("Neon Highway", "USRC17607839", "The Lanes"),
            ("Leased Beat No. 4", "USRC17607840", "The Lanes"),
            ("Tunnel Lights", "USRC17607841", "The Lanes"),
        ],
    ),
    (
        "Public Domain Piano",
        "4006381333931",
        [
            ("Gymnopédie No. 1", "GBAYE0601477", "A. Pianist"),
            ("Clair de Lune", "GBAYE0601478", "A. Pianist"),
        ],
    ),
]


class Command(BaseCommand):
    help = "Load demo products, tracks, offers and a demo user; print a token."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            if not Product.objects.exists():
                self.load_catalogue()
            user = self.demo_user()
        _, secret = tokens.mint(user, ttl=tokens.default_ttl())
        opted_out = TrackOffer.objects.filter(copy_scan=False).first()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  user {DEMO_USERNAME}, "
            f"password {DEMO_PASSWORD}"
        )
        self.stdout.write(f"Bearer token (valid 24 h): {secret}\n")
        self.stdout.write("Try:")
        for line in self.examples(secret, opted_out):
            self.stdout.write(f"  {line}")

    def load_catalogue(self) -> None:
        release = date.today() + timedelta(days=14)
        for name, upc, tracks in CATALOGUE:
            product = Product.objects.create(
                name=name, upc_code=upc, release_date=release
            )
            default = Offer.objects.create(
                product=product, is_default=True, release_date=release
            )
            Offer.objects.create(product=product, release_date=release, download=False)
            for number, (title, isrc, artist) in enumerate(tracks, start=1):
                Track.objects.create(
                    product=product,
                    title=title,
                    isrc_code=isrc,
                    track_number=number,
                    artist=artist,
                    length=180 + 17 * number,
                )
        leased = Track.objects.get(isrc_code="USRC17607840")
        default = leased.product.offers.get(is_default=True)
        TrackOffer.objects.create(track=leased, offer=default, copy_scan=False)
        later = Track.objects.get(isrc_code="GBAYE0601478")
        TrackOffer.objects.create(
            track=later,
            offer=later.product.offers.get(is_default=True),
            release_date=release + timedelta(days=7),
        )

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

    def examples(self, secret: str, opted_out: TrackOffer | None) -> list[str]:
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
        lines.append(
            f"curl {auth} {jsonapi} -X POST {base}/track-offers -d "
            '\'{"data": {"type": "track-offers", "attributes": {"usage": '
            '{"copy_scan": false}}, "relationships": {"track": {"data": '
            '{"type": "tracks", "id": "1"}}, "offer": {"data": '
            '{"type": "offers", "id": "1"}}}}}\''
        )
        return lines
