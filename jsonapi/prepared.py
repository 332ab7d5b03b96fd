"""Reads whose SQL is compiled once per shape of request.

Reading one resource, or a page of an unfiltered list, is the API's most
frequent request, and Django compiles the same SQL for it every time: a
quarter of a single resource's CPU, an eighth of a page's. Here a view's
queryset for one *shape* of request (the view, whether it reads or writes,
what it includes) is compiled once per database connection, with a
stand-in for the id (or the id to page after); later requests of that
shape run that SQL with their own id and limits, and each row becomes a
model instance exactly as Django's ``ModelIterable`` makes it (joined rows
and annotations included).

A queryset this cannot reproduce faithfully (prefetches, known related
objects, values(), extra selects, an SQL that does not hold the id as a
single parameter) is not prepared: its shape is remembered as such, and
``get`` answers through the ORM.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import (
    MAX_GET_RESULTS,
    ModelIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.http import Http404

# An id no row has, inside the range of every integer primary key, so that
# it can be found among the compiled parameters.
STAND_IN = -987_654_321


@dataclass(frozen=True)
class Prepared:
    """The compiled SQL of one shape, and what turns its rows into models."""

    sql: str
    params: tuple
    # Where the stand-in sits in ``params``; None for a query without one.
    position: int | None
    compiler: SQLCompiler
    locks: bool

    def rows(self, connection, value: int | None = None, limits: str = "") -> list:
        """Run the SQL with ``value`` for the stand-in, and ``limits`` after it."""
        if self.locks and connection.get_autocommit():
            # What Django's compiler says of a lock outside a transaction.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(self.params)
        if self.position is not None:
            params[self.position] = value
        with connection.cursor() as cursor:
            cursor.execute(f"{self.sql} {limits}" if limits else self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        return self.instances(self.compiler.results_iter([rows]))

    @cached_property
    def _layout(self) -> tuple:
        """Where the model's columns sit in a row, as ModelIterable finds them."""
        compiler = self.compiler
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, compiler.using)
        annotations = tuple(compiler.annotation_col_map.items())
        return klass_info["model"], names, start, end, populators, annotations

    def instances(self, rows) -> list[Model]:
        """Build models from converted rows, as Django's ModelIterable does."""
        model, names, start, end, populators, annotations = self._layout
        alias = self.compiler.using
        instances = []
        for row in rows:
            instance = model.from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


def _preparable(queryset: QuerySet) -> bool:
    query = queryset.query
    return not (
        queryset._prefetch_related_lookups
        or queryset._known_related_objects
        or queryset._iterable_class is not ModelIterable
        or query.combinator
        or query.distinct_fields
        or query.is_sliced
        or not query.can_filter()
    )


def _compile(queryset: QuerySet, *, stand_in: bool) -> Prepared | None:
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    params = list(params)
    if params.count(STAND_IN) != (1 if stand_in else 0) or compiler.has_extra_select:
        return None
    features = connections[queryset.db].features
    return Prepared(
        sql=sql,
        params=tuple(params),
        position=params.index(STAND_IN) if stand_in else None,
        compiler=compiler,
        locks=bool(queryset.query.select_for_update and features.has_select_for_update),
    )


def prepare(queryset: QuerySet) -> Prepared | None:
    """Compile ``queryset.get(pk=...)`` once, or return None if it cannot be."""
    if not _preparable(queryset):
        return None
    # What QuerySet.get() does, with the stand-in for the id.
    clone = queryset.filter(pk=STAND_IN).order_by()
    if (
        not clone.query.select_for_update
        or connections[clone.db].features.supports_select_for_update_with_limit
    ):
        clone.query.set_limits(high=MAX_GET_RESULTS)
    return _compile(clone, stand_in=True)


def prepare_page(queryset: QuerySet) -> Prepared | None:
    """Compile the ordered ``queryset``, whose slices add their own limits."""
    if not _preparable(queryset) or queryset.query.select_for_update:
        return None
    return _compile(queryset, stand_in=False)


def prepare_after(queryset: QuerySet) -> Prepared | None:
    """Compile the rows of ``queryset`` after an id, in id order."""
    if not _preparable(queryset) or queryset.query.select_for_update:
        return None
    return _compile(_after(queryset, STAND_IN), stand_in=True)


def _after(queryset: QuerySet, pk: int) -> QuerySet:
    return queryset.filter(pk__gt=pk).order_by("pk")


_NOT_PREPARED = object()


def _prepared(
    alias: str, shape: Hashable, build: Callable[[], QuerySet], how: Callable
) -> tuple[Prepared | None, QuerySet | None]:
    """Return the shape's prepared query, or the queryset to ask the ORM."""
    cache = shapes(alias)
    prepared = cache.get(shape)
    if prepared is _NOT_PREPARED:
        return None, build()
    if prepared is None:
        queryset = build()
        prepared = how(queryset) if queryset.db == alias else None
        cache[shape] = _NOT_PREPARED if prepared is None else prepared
        if prepared is None:
            return None, queryset
    return prepared, None


def get(alias: str, shape: Hashable, build: Callable[[], QuerySet], pk: int) -> Model:
    """Return the row ``pk`` of the queryset ``build()`` returns for ``shape``.

    ``build`` is called only the first time a shape is seen on this
    connection, or every time for a shape that cannot be prepared; the
    queryset must always be read from ``alias``. Raises Http404 when there
    is no such row.
    """
    prepared, queryset = _prepared(alias, shape, build, prepare)
    if prepared is None:
        try:
            return queryset.get(pk=pk)
        except queryset.model.DoesNotExist:
            raise Http404 from None
    instances = prepared.rows(connections[alias], pk)
    if not instances:
        raise Http404
    if len(instances) > 1:
        model = type(instances[0])
        raise model.MultipleObjectsReturned(
            f"get() returned more than one {model._meta.object_name}"
        )
    return instances[0]


def page(
    shape: Hashable | None, queryset: QuerySet, low: int, high: int
) -> list[Model]:
    """Return ``list(queryset[low:high])``, compiled once for ``shape``.

    Without a shape, the ORM compiles it.
    """
    return _slice(shape, queryset, prepare_page, None, low, high)


def after(
    shape: Hashable | None, queryset: QuerySet, pk: int, size: int
) -> list[Model]:
    """Return the ``size`` rows of ``queryset`` after ``pk``, in id order.

    Without a shape, the ORM compiles it.
    """
    return _slice(shape, queryset, prepare_after, pk, 0, size)


def _slice(
    shape: Hashable | None,
    queryset: QuerySet,
    how: Callable,
    after_pk: int | None,
    low: int,
    high: int,
) -> list[Model]:
    alias = queryset.db
    prepared = shape and _prepared(alias, shape, lambda: queryset, how)[0]
    if not prepared:
        ordered = queryset if after_pk is None else _after(queryset, after_pk)
        return list(ordered[low:high])
    limits = connections[alias].ops.limit_offset_sql(low, high)
    return prepared.rows(connections[alias], after_pk, limits)


def shapes(alias: str) -> dict:
    """Return the shapes seen on this thread's connection to ``alias``."""
    return connections[alias].__dict__.setdefault("prepared_reads", {})
