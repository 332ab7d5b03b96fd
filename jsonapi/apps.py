from django.apps import AppConfig


class JsonApiConfig(AppConfig):
    name = "jsonapi"
    verbose_name = "JSON:API"

    def ready(self) -> None:
        from jsonapi import speed

        speed.memoize_inflection()
