"""Many new rows at once, with their history rows: the import service's writer.

Django's ``bulk_create`` prepares every value of every row through the field's methods
and builds one SQL statement per batch; for an import of 10,000 tasks that costs more
than parsing and scheduling together. Here a table's columns are looked up once, rows
are plain lists, and each table is written with one statement (PostgreSQL: one array
per column; SQLite: one prepared INSERT run per row). Primary keys are reserved
beforehand, so that parents, links and history rows can name the rows they point to
before these exist.

Each new row gets a "created" history row, as ``django-simple-history`` would record it:
the same fields, the acting user, the time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone

# field types whose Python values both drivers take as they are
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "FloatField",
        "BooleanField",
        "CharField",
        "TextField",
        "EmailField",
        "SlugField",
        "ForeignKey",
        "OneToOneField",
    }
)


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, in increasing order.

    PostgreSQL: taken from the table's sequence (one query). SQLite: the keys after the
    largest ever given (``AUTOINCREMENT`` never reuses a key); the caller's transaction
    must hold the write lock (Jalon's SQLite transactions are ``IMMEDIATE``, or any
    earlier write in the transaction takes it), so no one else can take them meanwhile.
    """
    if count <= 0:
        return []
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"reserve_ids: no support for {connection.vendor}")
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT MAX(n) FROM (SELECT MAX({quote(pk)}) AS n FROM {quote(table)} "
            "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        last = cursor.fetchone()[0] or 0
    return list(range(last + 1, last + 1 + count))


class Table:
    """The insert statement of a model's table and how to turn row values into its
    parameters: fields left out take their default; JSON and the like go through the
    field's own database conversion (with ``USE_TZ`` off, both drivers store naive
    datetimes themselves, as Django would)."""

    def __init__(
        self,
        model: type[Model],
        *,
        skip_primary_key: bool = False,
        ignore: Iterable[str] = (),
    ) -> None:
        """``ignore``: names that rows may hold and the table has not (left out)."""
        self.model = model
        self.fields = [
            f for f in model._meta.concrete_fields if not (skip_primary_key and f.primary_key)
        ]
        self.names = [f.attname for f in self.fields]
        self.known = frozenset(self.names) | frozenset(ignore)
        self.floats = [
            i for i, f in enumerate(self.fields) if f.get_internal_type() == "FloatField"
        ]
        self.converters: list[tuple[int, Callable[[Any], Any]]] = []
        for i, f in enumerate(self.fields):
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                if settings.USE_TZ:
                    self.converters.append((i, connection.ops.adapt_datetimefield_value))
            elif kind not in _PLAIN_TYPES:
                self.converters.append((i, _field_converter(f)))
        quote = connection.ops.quote_name
        head = "INSERT INTO {} ({})".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in self.fields)
        )
        if connection.vendor == "postgresql":
            # one array per column, whatever the number of rows; casts without lengths
            # (varchar(100)[] -> varchar[])
            arrays = ", ".join(
                "%s::{}[]".format(re.sub(r"\(.*\)", "", str(f.db_type(connection))))
                for f in self.fields
            )
            self.sql = f"{head} SELECT * FROM unnest({arrays})"
        else:
            self.sql = "{} VALUES ({})".format(head, ", ".join(["%s"] * len(self.fields)))

    def params(self, rows: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
        """The statement's parameters, one list per row given by attribute name
        (``task_id``); consecutive rows with the same names share their look-ups."""
        out: list[list[Any]] = []
        shape: Any = None
        fill: dict[str, Any] = {}
        pick = itemgetter(*self.names) if len(self.names) > 1 else _one(self.names[0])
        for values in rows:
            if values.keys() != shape:
                shape = values.keys()
                if not self.known.issuperset(shape):
                    unknown = sorted(set(shape) - self.known)
                    raise KeyError(f"{self.model.__name__} has no column {unknown}")
                fill = {f.attname: f.get_default() for f in self.fields if f.attname not in shape}
                if any(f.primary_key and f.attname in fill for f in self.fields):
                    raise KeyError(
                        f"{self.model.__name__}: give every row its key (reserve_ids) "
                        "or leave the key out of the table (skip_primary_key)"
                    )
            row = list(pick({**fill, **values} if fill else values))
            for i, convert in self.converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            out.append(row)
        return out

    def insert(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """One statement: PostgreSQL inserts from one array per column (``unnest``);
        SQLite runs one prepared INSERT per row (``executemany``, in-process)."""
        params = self.params(rows)
        if not params:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                columns = [list(column) for column in zip(*params, strict=True)]
                for i in self.floats:  # an array holds one type: 0 and 0.5 are both floats
                    columns[i] = [None if v is None else float(v) for v in columns[i]]
                cursor.execute(self.sql, columns)
            else:
                cursor.executemany(self.sql, params)


def _one(name: str) -> Callable[[Mapping[str, Any]], tuple[Any]]:
    def pick(values: Mapping[str, Any]) -> tuple[Any]:
        return (values[name],)

    return pick


def _field_converter(field: Any) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return convert


def insert_with_history(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, user: Any
) -> None:
    """Insert ``rows`` (attribute name -> value, the primary key included) and one
    "created" history row each, naming ``user`` (None: anonymous)."""
    if not rows:
        return
    Table(model).insert(rows)
    history = getattr(model, "history", None)
    if history is None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = history.model
    tracked = {f.attname for f in historical.tracked_fields}
    untracked = {f.attname for f in model._meta.concrete_fields} - tracked
    table = Table(historical, skip_primary_key=True, ignore=untracked)
    stamp = {
        "history_date": timezone.now(),
        "history_type": "+",
        "history_change_reason": "",
        "history_user_id": user.pk if user is not None else None,
    }
    table.insert({**row, **stamp} for row in rows)
