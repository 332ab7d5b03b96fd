"""Synthetic catalogues for demos and benchmarks.

``seed_catalogue`` builds products of 8 to 12 tracks, a default offer plus
offers for specific services per product, and track offers on a share of the
(track, offer) pairs, about a tenth of them opting out of copy scan. Names
come from small word lists; UPCs and ISRCs are valid.

What it guarantees:

- The same seed gives the same catalogue on an empty database.
- Codes never collide with rows already present: each run takes an ISRC
  registrant code and a UPC company prefix that no row uses yet, so running
  it twice, or on a real catalogue, adds rows beside the others.
- Rows are written with ``bulk_create``, a few thousand per INSERT, all in
  one transaction: a failure leaves nothing behind.
- ``bulk_create`` bypasses ``TrackOffer.save()``, so seeded track offers
  carry no copy-scan history. Synthetic data has no one who changed it.
"""

import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models.functions import Substr
from django.utils import timezone

from offers.models import Offer
from offers.usage import USAGE_FLAGS
from trackoffers.models import TrackOffer
from tracks.codes import gs1_check_digit
from tracks.models import Product, Track

# One run numbers its UPCs with 6 digits and its ISRCs with 7 (two of them
# stand for the year), so this many tracks always fit.
MAX_TRACKS = 1_000_000
MAX_OFFERS_PER_PRODUCT = 100
OPT_OUT_SHARE = 0.1
# Rows per INSERT, and tracks generated before they are written: enough rows
# that round trips do not dominate, few enough to keep memory flat.
BATCH_SIZE = 5_000
CHUNK_TRACKS = 5_000

ADJECTIVES = (
    "Neon", "Golden", "Quiet", "Electric", "Paper", "Silver", "Velvet", "Broken",
    "Hollow", "Crimson", "Distant", "Northern", "Midnight", "Static", "Wild",
    "Lucky", "Glass", "Slow", "Bright", "Faded", "Blue", "Restless", "Honey",
    "Concrete", "Summer", "Winter", "Copper", "Lonely", "Open", "Secret",
)  # fmt: skip
NOUNS = (
    "Highway", "Harbour", "Motel", "Signal", "Garden", "River", "Skyline",
    "Letters", "Mirrors", "Satellite", "Orchard", "Parade", "Echoes", "Lanterns",
    "Tides", "Avenue", "Fever", "Horizon", "Canyon", "Stations", "Rooftops",
    "Machines", "Postcards", "Shadows", "Thunder", "Weather", "Engines",
    "Islands", "Sparks", "Waves",
)  # fmt: skip
TITLE_SUFFIXES = (" (Interlude)", " (Acoustic)", " (Radio Edit)", " (Reprise)")
FIRST_NAMES = (
    "Mara", "Jonas", "Ines", "Theo", "Priya", "Callum", "Noor", "Lucia", "Eli",
    "Saskia", "Omar", "Freya", "Mateo", "Hana", "Declan", "Ada",
)  # fmt: skip
LAST_NAMES = (
    "Quinn", "Okafor", "Lindqvist", "Moreau", "Castell", "Reyes", "Hartley",
    "Novak", "Bianchi", "Sato", "Adeyemi", "Fischer", "Ward", "Kowalski",
)  # fmt: skip
COUNTRIES = ("US", "GB", "DE", "FR", "SE", "NL", "CA", "AU")
# Offers beside the default one, each for a kind of digital service.
SERVICE_FLAGS = (
    {"download": False},  # streaming services only
    {"on_demand_stream": False, "non_interactive_stream": False},  # stores
    {"download": False, "on_demand_stream": False},  # radio-like services
    {"copy_scan": False},  # services that do no fingerprint scanning
    {},  # a separate deal with the same rights, e.g. another territory
)
# The overrides of track offers that do not opt out of copy scan.
OTHER_OVERRIDES = (
    "release_date",
    "copy_scan",
    "download",
    "on_demand_stream",
    "non_interactive_stream",
)
FIRST_RELEASE = date(2015, 1, 1)


class SeedArgumentError(ValueError):
    """An argument of ``seed_catalogue`` is out of range."""

    def __init__(self, argument: str, requirement: str) -> None:
        self.argument = argument
        self.requirement = requirement
        super().__init__(f"{argument} {requirement}")


@dataclass
class SeedResult:
    """How many rows a run created."""

    products: int = 0
    tracks: int = 0
    offers: int = 0
    track_offers: int = 0
    opted_out: int = 0

    def summary(self) -> str:
        """Return e.g. "created 1 product, 9 tracks, ... (1 opted out ...)"."""
        counts = ", ".join(
            _plural(count, noun)
            for count, noun in [
                (self.products, "product"),
                (self.tracks, "track"),
                (self.offers, "offer"),
                (self.track_offers, "track offer"),
            ]
        )
        return f"created {counts} ({self.opted_out:,} opted out of copy scan)"


def seed_catalogue(
    *,
    tracks: int,
    offers_per_product: int = 2,
    override_share: float = 0.1,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Create a synthetic catalogue of ``tracks`` tracks; return the counts.

    Each product gets ``offers_per_product`` offers, the first the default,
    and ``round(override_share * tracks * offers_per_product)`` of the
    (track, offer) pairs get a track offer. ``progress`` is called with the
    number of tracks written so far after each few thousand.

    Two queries find free codes, then each model costs one statement per few
    thousand rows (per about a hundred on SQLite, which takes at most 999
    parameters a statement). Raises SeedArgumentError, before any query,
    when an argument is out of range. Example:
    ``seed_catalogue(tracks=100, offers_per_product=3, override_share=1)``
    """
    _check(tracks, offers_per_product, override_share)
    rng = random.Random(seed)
    sizes = _product_sizes(rng, tracks)
    pairs = _PairPicker(rng, tracks * offers_per_product, override_share)
    result = SeedResult()
    with transaction.atomic():
        builder = _Builder(rng, _free_codes(seed), offers_per_product, pairs)
        for chunk in _chunks(sizes, CHUNK_TRACKS):
            for size in chunk:
                builder.add_product(size)
            builder.write(result)
            if progress is not None:
                progress(result.tracks)
    return result


def seed_product(
    *,
    tracks: int,
    offers: int = 1,
    override_share: float = 0.1,
    seed: int = 0,
) -> SeedResult:
    """Create one synthetic product of ``tracks`` tracks; return the counts.

    For what a catalogue of normal products cannot show: the benchmark's
    ``copy_scan report`` on an offer of 10,000 tracks, say. Otherwise as
    ``seed_catalogue``: ``offers`` offers, the first the default, track
    offers on ``override_share`` of the pairs, codes no row uses yet, one
    transaction.
    """
    _check(tracks, offers, override_share)
    rng = random.Random(seed)
    pairs = _PairPicker(rng, tracks * offers, override_share)
    result = SeedResult()
    with transaction.atomic():
        builder = _Builder(rng, _free_codes(seed), offers, pairs)
        builder.add_product(tracks)
        builder.write(result)
    return result


def _check(tracks: int, offers_per_product: int, override_share: float) -> None:
    if not 1 <= tracks <= MAX_TRACKS:
        raise SeedArgumentError("tracks", f"must be between 1 and {MAX_TRACKS:,}")
    if not 1 <= offers_per_product <= MAX_OFFERS_PER_PRODUCT:
        raise SeedArgumentError(
            "offers_per_product", f"must be between 1 and {MAX_OFFERS_PER_PRODUCT}"
        )
    # Written so that NaN fails too.
    if not 0 <= override_share <= 1:
        raise SeedArgumentError("override_share", "must be between 0 and 1")


def _product_sizes(rng: random.Random, tracks: int) -> list[int]:
    """Return the number of tracks of each product, summing to ``tracks``.

    Every product has 8 to 12 tracks, except when ``tracks`` itself is below
    8 (one product) or 13 to 15 (two products: no split into 8 to 12 exists).
    """
    sizes = []
    remaining = tracks
    while remaining > 12:
        # Never leave a remainder that cannot be split into 8 to 12 tracks.
        fitting = [size for size in range(8, 13) if _splits(remaining - size)]
        size = rng.choice(fitting or [remaining // 2])
        sizes.append(size)
        remaining -= size
    sizes.append(remaining)
    return sizes


def _splits(tracks: int) -> bool:
    return 8 <= tracks <= 12 or tracks >= 16


def _chunks(sizes: list[int], tracks: int) -> Iterator[list[int]]:
    """Yield consecutive runs of ``sizes`` adding up to about ``tracks``."""
    chunk: list[int] = []
    total = 0
    for size in sizes:
        chunk.append(size)
        total += size
        if total >= tracks:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk


class _PairPicker:
    """Pick exactly ``round(share * total)`` of ``total`` pairs, in order.

    Selection sampling: each pair is taken with the probability that keeps
    the count exact, so nothing is held in memory whatever the total.
    """

    def __init__(self, rng: random.Random, total: int, share: float) -> None:
        self.rng = rng
        self.left = total
        self.wanted = round(share * total)

    def take(self) -> bool:
        taken = self.rng.random() * self.left < self.wanted
        self.left -= 1
        self.wanted -= taken
        return taken


@dataclass(frozen=True)
class _Codes:
    """The ISRC and UPC ranges of one run, numbered from 0."""

    country: str
    registrant: str
    first_year: int
    company: str

    def isrc(self, number: int) -> str:
        year = (self.first_year + number // 100_000) % 100
        return f"{self.country}{self.registrant}{year:02d}{number % 100_000:05d}"

    def upc(self, number: int) -> str:
        digits = f"{self.company}{number:06d}"
        return f"{digits}{gs1_check_digit(digits)}"


def _free_codes(seed: int) -> _Codes:
    """Return codes whose ranges no row uses yet (two queries).

    The candidates come from their own generator, so the catalogue's content
    does not depend on how many were already taken. Two runs at the same time
    may pick the same codes: the later one then fails on the unique
    constraint and writes nothing.
    """
    rng = random.Random(f"codes {seed}")
    country = rng.choice(COUNTRIES)
    registrants = (
        Track.objects.filter(isrc_code__startswith=country)
        .order_by()
        .annotate(registrant=Substr("isrc_code", 3, 3))
        .values_list("registrant", flat=True)
        .distinct()
    )
    prefixes = (
        Product.objects.order_by()
        .annotate(prefix=Substr("upc_code", 1, 5))
        .values_list("prefix", flat=True)
        .distinct()
    )
    return _Codes(
        country=country,
        registrant=_first_free(lambda: _registrant(rng), taken=set(registrants)),
        first_year=rng.randint(10, 24),
        company=_first_free(lambda: f"0{rng.randint(1000, 9999)}", taken=set(prefixes)),
    )


def _registrant(rng: random.Random) -> str:
    alphanumerics = string.ascii_uppercase + string.digits
    return rng.choice(string.ascii_uppercase) + "".join(rng.choices(alphanumerics, k=2))


def _first_free(candidate: Callable[[], str], *, taken: set[str]) -> str:
    # Thousands of codes exist and a catalogue uses few: a free one turns up
    # within a few draws unless nearly all are taken.
    for _ in range(100_000):
        code = candidate()
        if code not in taken:
            return code
    raise RuntimeError("No free code left for a seeded catalogue.")


class _Builder:
    """Generates products with their tracks, offers and track offers."""

    def __init__(
        self,
        rng: random.Random,
        codes: _Codes,
        offers_per_product: int,
        pairs: _PairPicker,
    ) -> None:
        self.rng = rng
        self.codes = codes
        self.offers_per_product = offers_per_product
        self.pairs = pairs
        self.product_number = 0
        self.track_number = 0
        self._clear()

    def _clear(self) -> None:
        self.products: list[Product] = []
        self.tracks: list[Track] = []
        self.offers: list[Offer] = []
        # (track, offer, overrides) of each track offer to create
        self.planned: list[tuple[Track, Offer, dict]] = []

    def add_product(self, size: int) -> None:
        rng = self.rng
        release = FIRST_RELEASE + timedelta(days=rng.randrange(13 * 365))
        product = Product(
            name=_phrase(rng),
            upc_code=self.codes.upc(self.product_number),
            release_date=release,
        )
        self.product_number += 1
        tracks = self._tracks(product, size)
        offers = self._offers(product, release)
        for track in tracks:
            for offer in offers:
                if self.pairs.take():
                    overrides = _overrides(rng, release)
                    self.planned.append((track, offer, overrides))
        self.products.append(product)
        self.tracks += tracks
        self.offers += offers

    def _tracks(self, product: Product, size: int) -> list[Track]:
        rng = self.rng
        artist = _artist(rng)
        tracks = []
        for number in range(1, size + 1):
            featured = f" feat. {_artist(rng)}" if rng.random() < 0.1 else ""
            suffix = rng.choice(TITLE_SUFFIXES) if rng.random() < 0.1 else ""
            tracks.append(
                Track(
                    product=product,
                    title=_phrase(rng) + suffix,
                    isrc_code=self.codes.isrc(self.track_number),
                    track_number=number,
                    artist=artist + featured,
                    length=rng.randint(95, 420),
                )
            )
            self.track_number += 1
        return tracks

    def _offers(self, product: Product, release: date) -> list[Offer]:
        rng = self.rng
        offers = [Offer(product=product, is_default=True, release_date=release)]
        for _ in range(self.offers_per_product - 1):
            preorder = rng.random() < 0.3
            offers.append(
                Offer(
                    product=product,
                    release_date=release,
                    preorder_date=release - timedelta(days=28) if preorder else None,
                    active=rng.random() >= 0.05,
                    **rng.choice(SERVICE_FLAGS),
                )
            )
        return offers

    def write(self, result: SeedResult) -> None:
        """Insert what was generated, then forget it."""
        # Products first: bulk_create gives them ids, which the tracks and
        # offers pointing at them pick up when they are inserted in turn.
        Product.objects.bulk_create(self.products, batch_size=BATCH_SIZE)
        Offer.objects.bulk_create(self.offers, batch_size=BATCH_SIZE)
        Track.objects.bulk_create(self.tracks, batch_size=BATCH_SIZE)
        _insert_track_offers(
            [
                (track.pk, offer.pk, overrides)
                for track, offer, overrides in self.planned
            ]
        )
        result.products += len(self.products)
        result.tracks += len(self.tracks)
        result.offers += len(self.offers)
        result.track_offers += len(self.planned)
        result.opted_out += sum(
            overrides.get("copy_scan") is False for _, _, overrides in self.planned
        )
        self._clear()


def _insert_track_offers(rows: list[tuple[int, int, dict]]) -> None:
    if connection.vendor != "postgresql":
        TrackOffer.objects.bulk_create(
            (
                TrackOffer(track_id=track, offer_id=offer, **overrides)
                for track, offer, overrides in rows
            ),
            batch_size=BATCH_SIZE,
        )
        return
    # A million track offers spend most of their time building model
    # instances and INSERT statements; COPY takes plain tuples and is about
    # twice as fast end to end. It bypasses the auto_now fields, so the
    # timestamps are set here.
    overridable = [*USAGE_FLAGS, "release_date"]
    fields = ["track", "offer", *overridable, "created_at", "updated_at"]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(TrackOffer._meta.get_field(name).column) for name in fields
    )
    sql = f"COPY {quote(TrackOffer._meta.db_table)} ({columns}) FROM STDIN"
    now = timezone.now()
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for track, offer, overrides in rows:
            values = [overrides.get(name) for name in overridable]
            copy.write_row((track, offer, *values, now, now))


def _overrides(rng: random.Random, release: date) -> dict:
    if rng.random() < OPT_OUT_SHARE:
        return {"copy_scan": False}
    kind = rng.choice(OTHER_OVERRIDES)
    if kind == "release_date":
        return {"release_date": release + timedelta(days=rng.randint(7, 90))}
    # An explicit copy_scan=True, or one service turned off for this track.
    return {kind: kind == "copy_scan"}


def _phrase(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def _artist(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return f"The {rng.choice(NOUNS)}"
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
