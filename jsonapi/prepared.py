"""Reads whose SQL is compiled once per shape of request.

Reading one resource, or a page of a list, is the API's most frequent
request, and Django compiles the same SQL for it every time: a quarter of
a single resource's CPU, an eighth of a page's. Here a view's queryset for
one *shape* of request (the view, whether it reads or writes, what it
includes, which filters it has) is compiled once per database connection,
with stand-ins for the values that change from request to request: the
id, the id to page after, and each id a filter holds. Later requests of
that shape run that SQL with their own values and limits, and each row
becomes a model instance exactly as Django's ``ModelIterable`` makes it
(joined rows and annotations included). A filter value that changes the
SQL itself (``filter[copy-scan]``, how many ids a list has) is part of the
shape instead (``jsonapi.filtersets``). A list's exact count is kept the
same way.

A queryset this cannot reproduce faithfully (prefetches, known related
objects, values(), extra selects, an SQL that does not hold each stand-in
as a single parameter) is not prepared: its shape is remembered as such,
and the ORM answers its requests.
"""

import itertools
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
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
# Shapes kept per connection: the key holds client input (the include
# list, how many ids a filter has), so a client must not grow it forever.
MAX_SHAPES = 256


def stand_ins() -> Iterator[int]:
    """Return the stand-ins for filter values: ids no row has, all distinct."""
    return itertools.count(STAND_IN - 1, -1)


@dataclass(frozen=True)
class Shape:
    """What one request's SQL depends on, and how to build it with stand-ins.

    ``build`` returns the queryset of every request of this shape, with
    each stand-in of ``values`` where this request's value goes; ``values``
    maps the stand-ins to this request's values.
    """

    key: Hashable
    build: Callable[[], QuerySet]
    values: Mapping[int, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    """The compiled SQL of one shape, and what turns its rows into models."""

    sql: str
    params: tuple
    # (position in ``params``, stand-in) of each value a request fills in.
    slots: tuple[tuple[int, int], ...]
    # None for a count, whose rows are numbers.
    compiler: SQLCompiler | None = None
    locks: bool = False

    def execute(
        self, connection, values: Mapping[int, object], limits: str = ""
    ) -> list[tuple]:
        """Run the SQL with ``values`` for the stand-ins, ``limits`` after it."""
        if self.locks and connection.get_autocommit():
            # What Django's compiler says of a lock outside a transaction.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with connection.cursor() as cursor:
            sql = f"{self.sql} {limits}" if limits else self.sql
            cursor.execute(sql, self.filled(values))
            return cursor.fetchall()

    def filled(self, values: Mapping[int, object]) -> list:
        """Return the parameters with ``values`` in place of the stand-ins."""
        params = list(self.params)
        for position, stand_in in self.slots:
            params[position] = values[stand_in]
        return params

    def rows(
        self, connection, values: Mapping[int, object], limits: str = ""
    ) -> list[Model]:
        """Return the models of the rows ``execute`` reads."""
        rows = self.execute(connection, values, limits)
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


def _unlocked(queryset: QuerySet) -> bool:
    """Whether ``queryset`` can be prepared as a page or count (no row lock)."""
    return _preparable(queryset) and not queryset.query.select_for_update


def _slots(params: list, stand_ins: set[int]) -> tuple | None:
    """Where each stand-in sits in ``params``; None unless each is there once."""
    if any(params.count(stand_in) != 1 for stand_in in stand_ins):
        return None
    return tuple((params.index(stand_in), stand_in) for stand_in in stand_ins)


def _compile(queryset: QuerySet, stand_ins: set[int]) -> Prepared | None:
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = _slots(list(params), stand_ins)
    if slots is None or compiler.has_extra_select:
        return None
    features = connections[queryset.db].features
    return Prepared(
        sql=sql,
        params=tuple(params),
        slots=slots,
        compiler=compiler,
        locks=bool(queryset.query.select_for_update and features.has_select_for_update),
    )


def prepare(queryset: QuerySet, stand_ins: set[int]) -> Prepared | None:
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
    return _compile(clone, {STAND_IN, *stand_ins})


def prepare_page(queryset: QuerySet, stand_ins: set[int]) -> Prepared | None:
    """Compile the ordered ``queryset``, whose slices add their own limits."""
    if not _unlocked(queryset):
        return None
    return _compile(queryset, stand_ins)


def prepare_after(queryset: QuerySet, stand_ins: set[int]) -> Prepared | None:
    """Compile the rows of ``queryset`` after an id, in id order."""
    if not _unlocked(queryset):
        return None
    return _compile(_after(queryset, STAND_IN), {STAND_IN, *stand_ins})


def _after(queryset: QuerySet, pk: int) -> QuerySet:
    return queryset.filter(pk__gt=pk).order_by("pk")


_NOT_PREPARED = object()


def _prepared(alias: str, shape: Shape, how: Callable) -> Prepared | None:
    """Return the shape's prepared query, or None to ask the ORM."""
    cache = shapes(alias)
    prepared = cache.get(shape.key)
    if prepared is None:
        if len(cache) >= MAX_SHAPES:
            return None
        queryset = shape.build()
        if queryset.db == alias:
            prepared = how(queryset, set(shape.values))
        cache[shape.key] = _NOT_PREPARED if prepared is None else prepared
    return None if prepared is _NOT_PREPARED else prepared


def get(alias: str, shape: Shape, pk: int) -> Model:
    """Return the row ``pk`` of the queryset ``shape.build()`` returns.

    ``build`` is called only the first time a shape is seen on this
    connection, or every time for a shape that cannot be prepared; the
    queryset must always be read from ``alias``. Raises Http404 when there
    is no such row.
    """
    prepared = _prepared(alias, shape, prepare)
    if prepared is None:
        queryset = shape.build()
        try:
            return queryset.get(pk=pk)
        except queryset.model.DoesNotExist:
            raise Http404 from None
    instances = prepared.rows(connections[alias], {**shape.values, STAND_IN: pk})
    if not instances:
        raise Http404
    if len(instances) > 1:
        model = type(instances[0])
        raise model.MultipleObjectsReturned(
            f"get() returned more than one {model._meta.object_name}"
        )
    return instances[0]


def count(shape: Shape | None, queryset: QuerySet) -> int:
    """Return ``queryset.count()``, compiled once for ``shape``.

    ``queryset`` is this request's, which ``shape.build()`` gives with
    stand-ins. Without a shape, the ORM compiles it.
    """
    if shape is None:
        return queryset.count()
    cache = shapes(queryset.db)
    prepared = cache.get(shape.key)
    if prepared is None and len(cache) < MAX_SHAPES:
        prepared, total = _count_and_prepare(shape, queryset)
        cache[shape.key] = _NOT_PREPARED if prepared is None else prepared
        return total
    if prepared is None or prepared is _NOT_PREPARED:
        return queryset.count()
    return prepared.execute(connections[queryset.db], shape.values)[0][0]


def _count_and_prepare(shape: Shape, queryset: QuerySet) -> tuple[Prepared | None, int]:
    """Count through Django's own SQL for the shape, and return that SQL.

    Django has no way to compile a count without running it, so the shape's
    queryset is counted once, with this request's values put in place of
    the stand-ins just before the SQL goes to the database: one query, the
    one the ORM would run. Only the debug query log shows the stand-ins.
    Returns None for the SQL when the ORM counted instead.
    """
    alias = queryset.db
    stand_in_queryset = shape.build()
    if stand_in_queryset.db != alias or not _unlocked(stand_in_queryset):
        return None, queryset.count()
    found = []

    def with_values(execute, sql, params, many, context):
        slots = _slots(list(params or ()), set(shape.values))
        found.append(None if slots is None else Prepared(sql, tuple(params), slots))
        if found[0] is None or len(found) > 1:
            return execute(sql, params, many, context)
        return execute(sql, found[0].filled(shape.values), many, context)

    with connections[alias].execute_wrapper(with_values):
        total = stand_in_queryset.count()
    if len(found) != 1 or found[0] is None:
        # Django counted without asking, asked twice, or the stand-ins were
        # not where the values go: this request's count is the ORM's.
        return None, queryset.count()
    return found[0], total


def page(shape: Shape | None, queryset: QuerySet, low: int, high: int) -> list[Model]:
    """Return ``list(queryset[low:high])``, compiled once for ``shape``.

    Without a shape, the ORM compiles it.
    """
    return _slice(shape, queryset, prepare_page, None, low, high)


def after(shape: Shape | None, queryset: QuerySet, pk: int, size: int) -> list[Model]:
    """Return the ``size`` rows of ``queryset`` after ``pk``, in id order.

    Without a shape, the ORM compiles it.
    """
    return _slice(shape, queryset, prepare_after, pk, 0, size)


def _slice(
    shape: Shape | None,
    queryset: QuerySet,
    how: Callable,
    after_pk: int | None,
    low: int,
    high: int,
) -> list[Model]:
    alias = queryset.db
    prepared = shape and _prepared(alias, shape, how)
    if not prepared:
        ordered = queryset if after_pk is None else _after(queryset, after_pk)
        return list(ordered[low:high])
    limits = connections[alias].ops.limit_offset_sql(low, high)
    values = shape.values if after_pk is None else {**shape.values, STAND_IN: after_pk}
    return prepared.rows(connections[alias], values, limits)


def shapes(alias: str) -> dict:
    """Return the shapes seen on this thread's connection to ``alias``."""
    return connections[alias].__dict__.setdefault("prepared_reads", {})
