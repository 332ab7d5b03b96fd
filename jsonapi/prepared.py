"""Single-resource reads whose SQL is compiled once per shape of request.

Reading one resource by id is the API's most frequent request, and Django
compiles the same SQL for it on every request: about a quarter of the
request's CPU. Here a view's queryset for one *shape* of request (the view,
whether it reads or writes, what it includes) is compiled once per
database connection, with a stand-in id; later requests of that shape run
that SQL with their own id, and the row becomes a model instance exactly as
Django's ``ModelIterable`` makes it (joined rows and annotations included).

A queryset this cannot reproduce faithfully (prefetches, known related
objects, values(), extra selects, an SQL that does not hold the id as a
single parameter) is not prepared: its shape is remembered as such, and
``get`` answers through the ORM.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

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
    """The compiled SQL of one shape, and what turns its row into a model."""

    sql: str
    params: tuple
    position: int
    compiler: SQLCompiler
    locks: bool

    def fetch(self, connection, pk: int) -> Model | None:
        if self.locks and connection.get_autocommit():
            # What Django's compiler says of a lock outside a transaction.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(self.params)
        params[self.position] = pk
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        if len(rows) > 1:
            model = self.compiler.klass_info["model"]
            raise model.MultipleObjectsReturned(
                f"get() returned more than one {model._meta.object_name}"
            )
        return self.instance(next(iter(self.compiler.results_iter([rows]))))

    def instance(self, row) -> Model:
        """Build the model from one converted row, as ModelIterable does."""
        compiler = self.compiler
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        alias = compiler.using
        instance = klass_info["model"].from_db(alias, names, row[start:end])
        for populator in get_related_populators(klass_info, select, alias):
            populator.populate(row, instance)
        for name, position in compiler.annotation_col_map.items():
            setattr(instance, name, row[position])
        return instance


def prepare(queryset: QuerySet) -> Prepared | None:
    """Compile ``queryset.get(pk=...)`` once, or return None if it cannot be."""
    query = queryset.query
    if (
        queryset._prefetch_related_lookups
        or queryset._known_related_objects
        or queryset._iterable_class is not ModelIterable
        or query.combinator
        or query.distinct_fields
        or not query.can_filter()
    ):
        return None
    # What QuerySet.get() does, with the stand-in for the id.
    clone = queryset.filter(pk=STAND_IN).order_by()
    connection = connections[clone.db]
    if (
        not clone.query.select_for_update
        or connection.features.supports_select_for_update_with_limit
    ):
        clone.query.set_limits(high=MAX_GET_RESULTS)
    compiler = clone.query.get_compiler(using=clone.db)
    sql, params = compiler.as_sql()
    if list(params).count(STAND_IN) != 1 or compiler.has_extra_select:
        return None
    return Prepared(
        sql=sql,
        params=tuple(params),
        position=list(params).index(STAND_IN),
        compiler=compiler,
        locks=bool(
            clone.query.select_for_update and connection.features.has_select_for_update
        ),
    )


_NOT_PREPARED = object()


def get(alias: str, shape: Hashable, build: Callable[[], QuerySet], pk: int) -> Model:
    """Return the row ``pk`` of the queryset ``build()`` returns for ``shape``.

    ``build`` is called only the first time a shape is seen on this
    connection, or every time for a shape that cannot be prepared; the
    queryset must always be read from ``alias``. Raises Http404 when there
    is no such row.
    """
    connection = connections[alias]
    cache = shapes(alias)
    prepared = cache.get(shape)
    if prepared is None:
        queryset = build()
        prepared = prepare(queryset) if queryset.db == alias else None
        cache[shape] = _NOT_PREPARED if prepared is None else prepared
        if prepared is None:
            return _orm_get(queryset, pk)
    elif prepared is _NOT_PREPARED:
        return _orm_get(build(), pk)
    instance = prepared.fetch(connection, pk)
    if instance is None:
        raise Http404
    return instance


def shapes(alias: str) -> dict:
    """Return the shapes seen on this thread's connection to ``alias``."""
    return connections[alias].__dict__.setdefault("prepared_reads", {})


def _orm_get(queryset: QuerySet, pk: int) -> Model:
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None
