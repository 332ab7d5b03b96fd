"""Rows load into the same instances as with Django's Model.__init__."""

import pytest
from django.db.models.signals import post_init

from offers.models import Offer
from tests import factories
from trackoffers import loading
from trackoffers.loading import FastLoading
from trackoffers.models import TrackOffer
from tracks.models import Product, Track

pytestmark = pytest.mark.django_db

MODELS = [TrackOffer, Track, Product, Offer]


def django_loaded(monkeypatch, model, pk):
    """The instance Django's own from_db builds for the same row."""
    with monkeypatch.context() as patch:
        patch.setattr(loading, "_plain_attnames", lambda model: None)
        return model.objects.get(pk=pk)


def test_every_catalogue_model_loads_fast():
    for model in MODELS:
        assert issubclass(model, FastLoading)
        names = loading._plain_attnames(model)
        assert names == tuple(f.attname for f in model._meta.concrete_fields)


@pytest.mark.parametrize("model", MODELS)
def test_an_instance_is_the_one_django_builds(monkeypatch, model):
    row = factories.track_offer(copy_scan=False)
    pk = {
        TrackOffer: row.pk,
        Track: row.track_id,
        Product: row.track.product_id,
        Offer: row.offer_id,
    }[model]

    loaded = model.objects.get(pk=pk)
    expected = django_loaded(monkeypatch, model, pk)

    assert type(loaded) is model
    assert loaded.__dict__.keys() == expected.__dict__.keys()
    for name in expected.__dict__:
        if name != "_state":
            assert loaded.__dict__[name] == expected.__dict__[name], name
    assert (loaded._state.adding, loaded._state.db) == (False, "default")
    assert loaded._state.fields_cache == {}


def test_a_loaded_instance_behaves_as_any_other():
    row = factories.track_offer(copy_scan=False)

    loaded = TrackOffer.objects.get(pk=row.pk)
    assert loaded.track == row.track
    loaded.download = True
    loaded.save()
    loaded.refresh_from_db()

    assert loaded.download is True
    assert loaded._saved_copy_scan is False
    assert loaded.effective_usage["copy_scan"] is False


def test_deferred_columns_go_through_django():
    row = factories.track_offer()

    loaded = TrackOffer.objects.only("id", "copy_scan").get(pk=row.pk)

    assert "download" not in loaded.__dict__
    assert loaded.get_deferred_fields() >= {"download", "track_id"}
    assert loaded.download is None


def test_init_signals_still_reach_their_receivers():
    row = factories.track_offer()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=TrackOffer)
    try:
        TrackOffer.objects.get(pk=row.pk)
    finally:
        post_init.disconnect(receiver, sender=TrackOffer)

    assert seen == [row.pk]
