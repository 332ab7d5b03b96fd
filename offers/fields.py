"""The ``usage`` attribute: the four usage flags as one JSON object."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from offers.usage import USAGE_FLAGS

KEYS_HELP = ", ".join(USAGE_FLAGS)


def suggested_key(key: str) -> str | None:
    """Return the flag a misspelled key most likely means, if any.

    >>> suggested_key("copyScan")
    'copy_scan'
    """
    letters = "".join(char for char in key.lower() if char.isalnum())
    for flag in USAGE_FLAGS:
        if flag.replace("_", "") == letters:
            return flag
    return None


class UsageField(serializers.Field):
    """Reads and writes the usage columns of a model as one object.

    Only the keys sent are written, so ``usage`` merges key by key. With
    ``nullable``, ``null`` clears a column, which on a track offer means
    "inherit the offer's flag".
    """

    def __init__(self, *, nullable: bool, **kwargs) -> None:
        self.nullable = nullable
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, instance) -> dict[str, bool]:
        return instance.usage

    def to_internal_value(self, data) -> dict[str, bool | None]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                f"usage must be an object with the keys {KEYS_HELP}.", code="invalid"
            )
        errors = {}
        for key, value in data.items():
            problem = self.key_problem(key) or self.value_problem(key, value)
            if problem:
                errors[key] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return dict(data)

    def key_problem(self, key: str) -> str | None:
        if key in USAGE_FLAGS:
            return None
        suggestion = suggested_key(key)
        if suggestion:
            return f"Unknown usage key {key}: did you mean {suggestion}?"
        return f"Unknown usage key {key}: usage takes {KEYS_HELP} (snake_case)."

    def value_problem(self, key: str, value) -> str | None:
        if isinstance(value, bool):
            return None
        if value is None and self.nullable:
            return None
        allowed = "true, false or null" if self.nullable else "true or false"
        return f"usage.{key} must be {allowed}, not {type(value).__name__} {value!r}."


class UsageFieldSchema(OpenApiSerializerFieldExtension):
    """The OpenAPI schema of ``usage``: its four snake_case keys."""

    target_class = UsageField

    def map_serializer_field(self, auto_schema, direction: str) -> dict:
        flag = {"type": "boolean"}
        if self.target.nullable:
            flag["nullable"] = True
        description = "Usage flags, keys in snake_case."
        if self.target.nullable:
            description += (
                " Only the flags this track offer overrides; null removes an "
                "override (the flag is inherited from the offer again)."
            )
        return {
            "type": "object",
            "description": description,
            "properties": {key: dict(flag) for key in USAGE_FLAGS},
            "additionalProperties": False,
        }
