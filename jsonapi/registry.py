"""The resource types the API serves, filled in as serializers are defined."""

from rest_framework_json_api.utils import format_field_name

SERIALIZERS: dict[str, type] = {}


def register(resource_type: str, serializer_class: type) -> None:
    SERIALIZERS[resource_type] = serializer_class


def fields_of_type(resource_type: str) -> set[str] | None:
    """Return the member names of a type as clients write them, or None."""
    serializer_class = SERIALIZERS.get(resource_type)
    if serializer_class is None:
        return None
    hidden = {"id", "url", *getattr(serializer_class.Meta, "meta_fields", [])}
    names = serializer_class().fields.keys()
    return {format_field_name(name) for name in names if name not in hidden}
