"""Loading rows into model instances without Django's generic ``__init__``.

``Model.__init__`` handles keyword arguments, defaults, descriptors and
signals; a row read from the database needs none of that when every
column is there, no field has a descriptor of its own that intercepts
assignment, and nothing listens to ``pre_init`` or ``post_init``. Loading
such a row is then filling the instance's ``__dict__``: a fifth of the
time, on the twenty to sixty rows of every list page.
"""

import inspect
from functools import cache

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init


class FastLoading:
    """A mixin for models (before ``models.Model``) that load rows directly.

    Falls back to Django's ``from_db`` for deferred columns, fields with
    assignment descriptors (files, say) and models with init signals.
    """

    @classmethod
    def from_db(cls, db: str, field_names, values) -> Model:
        attnames = _plain_attnames(cls)
        if (
            attnames is None
            or len(values) != len(attnames)
            or pre_init.has_listeners(cls)
            or post_init.has_listeners(cls)
        ):
            return super().from_db(db, field_names, values)
        instance = cls.__new__(cls)
        instance.__dict__.update(zip(attnames, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = db
        return instance


@cache
def _plain_attnames(model: type[Model]) -> tuple[str, ...] | None:
    """The concrete fields' attribute names, or None if one intercepts writes.

    A foreign key's id descriptor only forgets a cached related row when
    the id changes: a new instance has none.
    """
    attnames = tuple(field.attname for field in model._meta.concrete_fields)
    for name in attnames:
        descriptor = inspect.getattr_static(model, name, None)
        if hasattr(descriptor, "__set__") and type(descriptor) is not (
            ForeignKeyDeferredAttribute
        ):
            return None
    return attnames
