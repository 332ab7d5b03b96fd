"""The base of every resource serializer.

It keeps DRF's declarative style and adds what a strict JSON:API server
needs: required-field messages in the documented wording, a 422 for members
the resource does not have, a 403 for relationships that cannot change, and
error objects whose pointers name the offending member.
"""

import copy
from datetime import UTC, datetime

import orjson
from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings
from rest_framework_json_api.serializers import ModelSerializer
from rest_framework_json_api.utils import format_field_name

from jsonapi import registry
from jsonapi.exceptions import Forbidden, UnprocessableEntity, error_object
from jsonapi.parsers import RAW_ATTRIBUTES, RAW_RELATIONSHIPS
from jsonapi.relations import TypedRelatedField

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# The unbound fields of each serializer class, as ModelSerializer builds them.
_FIELDS: dict[type, dict] = {}


class UTCDateTimeField(serializers.DateTimeField):
    """A timestamp written in UTC, as the API documents (the format ends in Z).

    DRF converts each value to the current time zone, a thread-local that is
    slow to look up twenty times per row of a page.
    """

    def to_representation(self, value: datetime | None) -> str | None:
        output_format = getattr(self, "format", api_settings.DATETIME_FORMAT)
        if (
            value is None
            or output_format is None
            or output_format.lower() == ISO_8601
            or timezone.is_naive(value)
        ):
            return super().to_representation(value)
        value = value.astimezone(UTC)
        if output_format == UTC_FORMAT and value.year >= 1000 and value.microsecond:
            # The same text as strftime() (which does not pad years before
            # 1000 to four digits, and which orjson only leaves out the
            # microseconds of a whole second), in a sixth of the time.
            return orjson.dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()
        return value.strftime(output_format)


class ResourceSerializer(ModelSerializer):
    serializer_field_mapping = {
        **ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        registry.register(cls.Meta.resource_name, cls)

    def get_fields(self) -> dict:
        """Return the fields, worked out from the model once per class.

        ModelSerializer derives them again for every serializer instance,
        and DJA makes an instance for every included resource of a page.
        Each instance gets shallow copies of unbound fields, which it then
        binds to itself; nothing a field holds changes after that.
        """
        cls = type(self)
        if cls not in _FIELDS:
            fields = super().get_fields()
            for name, field in fields.items():
                field.error_messages["required"] = (
                    f"The {format_field_name(name)} field is required."
                )
            _FIELDS[cls] = fields
        return {name: copy.copy(field) for name, field in _FIELDS[cls].items()}

    @property
    def _readable_fields(self) -> list:
        # DJA works the sparse fieldset out again for every row a list
        # serializer renders; it depends only on this serializer's fields
        # and request, which do not change.
        if "_readable_fields_cache" not in self.__dict__:
            self.__dict__["_readable_fields_cache"] = list(super()._readable_fields)
        return self.__dict__["_readable_fields_cache"]

    def to_representation(self, instance: models.Model) -> dict:
        """DRF's representation of one row, with short cuts for links.

        The same dictionary as DRF's; fields that offer a ``shortcut``
        (relationship linkage, the resource's own link) compute their value
        from the row directly, without DRF's intermediate objects.
        """
        plan = self.__dict__.get("_representation_plan")
        if plan is None:
            plan = self.__dict__["_representation_plan"] = [
                (field, getattr(field, "shortcut", lambda: None)())
                for field in self._readable_fields
            ]
        representation = {}
        for field, shortcut in plan:
            if shortcut is not None:
                representation[field.field_name] = shortcut(instance)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            if attribute is None or (
                isinstance(attribute, PKOnlyObject) and attribute.pk is None
            ):
                representation[field.field_name] = None
            else:
                representation[field.field_name] = field.to_representation(attribute)
        return representation

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        self.check_member_names()
        if super().is_valid():
            return True
        if raise_exception:
            raise UnprocessableEntity(self.error_objects(self.errors))
        return False

    def is_relationship(self, name: str) -> bool:
        return isinstance(self.fields.get(name), TypedRelatedField)

    def check_member_names(self) -> None:
        """Reject members this resource does not take, as the client named them.

        DJA un-dasherizes names before DRF sees them and DRF ignores unknown
        ones, so ``release_date`` would otherwise be silently dropped.
        """
        data = self.initial_data
        errors = [
            self.unknown_member(raw, relationship=False)
            for raw in data.get(RAW_ATTRIBUTES, [])
            if raw not in self.writable_names(relationship=False)
        ] + [
            self.unknown_member(raw, relationship=True)
            for raw in data.get(RAW_RELATIONSHIPS, [])
            if raw not in self.member_names(relationship=True)
        ]
        if errors:
            raise UnprocessableEntity(errors)
        for raw in data.get(RAW_RELATIONSHIPS, []):
            self.check_relationship_change(raw)

    def member_names(self, *, relationship: bool) -> dict[str, str]:
        """Map client-side member names to field names."""
        return {
            format_field_name(name): name
            for name in self.fields
            if name not in ("id", "url") and self.is_relationship(name) == relationship
        }

    def writable_names(self, *, relationship: bool) -> dict[str, str]:
        return {
            raw: name
            for raw, name in self.member_names(relationship=relationship).items()
            if not self.fields[name].read_only
        }

    def unknown_member(self, raw: str, *, relationship: bool) -> dict:
        member = "relationship" if relationship else "attribute"
        resource_type = self.Meta.resource_name
        spelled = format_field_name(raw.replace("-", "_"))
        if spelled in self.member_names(relationship=not relationship):
            other = "attributes" if relationship else "relationships"
            detail = f"{spelled} of {resource_type} belongs under {other}."
        elif spelled in self.writable_names(relationship=relationship):
            detail = f"{resource_type} has no {member} {raw}: did you mean {spelled}?"
        elif spelled in self.member_names(relationship=relationship):
            detail = f"{spelled} is read-only in {resource_type}."
        else:
            possible = ", ".join(self.writable_names(relationship=relationship))
            detail = (
                f"{resource_type} has no {member} {raw} "
                f"(possible: {possible or 'none'})."
            )
        return error_object(
            422,
            detail,
            pointer=f"/data/{member}s/{raw}",
            code="unknown_member",
        )

    def check_relationship_change(self, raw: str) -> None:
        """Refuse to change a relationship that is fixed once created."""
        name = self.member_names(relationship=True)[raw]
        field = self.fields[name]
        if not field.read_only and self.instance is None:
            return
        if not field.read_only:
            linkage = self.initial_data.get(name)
            current = getattr(self.instance, f"{field.source}_id")
            if linkage is not None and linkage["id"] == str(current):
                return
        raise Forbidden(
            f"{raw} cannot be changed here: it is fixed when the resource is created.",
            pointer=f"/data/relationships/{raw}",
        )

    def error_objects(self, errors: dict) -> list[dict]:
        objects = []
        for name, messages in errors.items():
            if name == api_settings.NON_FIELD_ERRORS_KEY:
                pointer = "/data"
            else:
                member = "relationships" if self.is_relationship(name) else "attributes"
                pointer = f"/data/{member}/{format_field_name(name)}"
            objects += _objects_for(messages, pointer)
        return objects


def _objects_for(messages, pointer: str) -> list[dict]:
    if isinstance(messages, dict):
        return [
            error
            for key, value in messages.items()
            for error in _objects_for(value, f"{pointer}/{key}")
        ]
    if isinstance(messages, list):
        return [
            error for message in messages for error in _objects_for(message, pointer)
        ]
    code = messages.code if isinstance(messages, ErrorDetail) else None
    return [error_object(422, messages, pointer=pointer, code=code)]
