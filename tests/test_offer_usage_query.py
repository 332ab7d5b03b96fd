"""``Offer.objects.with_usage_of(track)``: a track's usage in every offer."""

import pytest

from offers.models import Offer
from offers.usage import USAGE_FLAGS
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_gives_the_track_usage_in_each_offer_in_one_query(
    django_assert_num_queries,
):
    product = factories.product()
    track = factories.track(product)
    other_track = factories.track(product)
    plain = factories.offer(product)
    no_download = factories.offer(product, download=False, copy_scan=False)
    factories.track_offer(track, plain, copy_scan=False)
    factories.track_offer(track, no_download, download=True)
    factories.track_offer(other_track, no_download, copy_scan=True)

    with django_assert_num_queries(1):
        offers = list(
            Offer.objects.filter(product=product).with_usage_of(track).order_by("id")
        )

    assert [offer.pk for offer in offers] == [plain.pk, no_download.pk]
    assert [offer.track_copy_scan for offer in offers] == [False, None]
    assert [offer.track_download for offer in offers] == [None, True]
    assert [
        {flag: getattr(offer, f"effective_{flag}") for flag in USAGE_FLAGS}
        for offer in offers
    ] == [
        {
            "download": True,
            "on_demand_stream": True,
            "non_interactive_stream": True,
            "copy_scan": False,
        },
        {
            "download": True,
            "on_demand_stream": True,
            "non_interactive_stream": True,
            "copy_scan": False,
        },
    ]


def test_it_agrees_with_the_python_rule():
    product = factories.product()
    track = factories.track(product)
    offer = factories.offer(product, on_demand_stream=False)
    factories.track_offer(track, offer, copy_scan=False, on_demand_stream=True)

    annotated = Offer.objects.with_usage_of(track).get(pk=offer.pk)

    assert {
        flag: getattr(annotated, f"effective_{flag}") for flag in USAGE_FLAGS
    } == track.effective_usage(offer)
