"""Create a realistic synthetic catalogue for demos and benchmarks.

Products of 8 to 12 tracks, a default offer plus offers for specific services
per product, and track offers on the share of (track, offer) pairs asked for,
about a tenth of them opting out of copy scan. The same --seed gives the same
catalogue on an empty database; running it again adds a new catalogue beside
the rows present, with codes none of them uses.

Everything is written in one transaction with bulk inserts, so an error
leaves the database as it was. Bulk inserts bypass TrackOffer.save(): seeded
track offers carry no copy-scan history, which is intended for synthetic
data. The command only adds rows, so it has no --dry-run.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trackoffers import seeding
from trackoffers.progress import ProgressBar


class Command(BaseCommand):
    help = "Create a synthetic catalogue of N tracks for demos and benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tracks",
            type=int,
            required=True,
            metavar="N",
            help=f"Number of tracks, 1 to {seeding.MAX_TRACKS:,}; about 10 a product.",
        )
        parser.add_argument(
            "--offers-per-product",
            type=int,
            default=2,
            metavar="K",
            help="Offers of each product: the default one and K-1 more (default 2).",
        )
        parser.add_argument(
            "--override-share",
            type=float,
            default=0.1,
            metavar="F",
            help="Share of (track, offer) pairs with a track offer, 0 to 1 "
            "(default 0.1).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=0,
            metavar="S",
            help="Seed of the random choices; the same seed, the same "
            "catalogue (default 0).",
        )

    def handle(
        self,
        *args,
        tracks: int,
        offers_per_product: int,
        override_share: float,
        seed: int,
        **options,
    ) -> None:
        progress = ProgressBar(self.stderr, tracks, "tracks")
        try:
            result = seeding.seed_catalogue(
                tracks=tracks,
                offers_per_product=offers_per_product,
                override_share=override_share,
                seed=seed,
                progress=progress.update,
            )
        except seeding.SeedArgumentError as error:
            option = "--" + error.argument.replace("_", "-")
            raise CommandError(f"{option} {error.requirement}.") from error
        self.stdout.write(result.summary())
