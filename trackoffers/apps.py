from django.apps import AppConfig


class TrackOffersConfig(AppConfig):
    name = "trackoffers"
    verbose_name = "Track offers"
