"""Fast key lookups for analyses that read a principal's scoped warehouse row by row (a seizure's chain).

Building and compiling an Ibis expression costs milliseconds, and a chain asks for a dozen small sets of
rows. `LookupWarehouse` answers the one pattern those analyses use,
`t = wh.table(name); t.filter(t[column].isin(values)).to_pyarrow()`, with one parameterised SQL query
on the thread's DuckDB cursor; the scope's own filter is compiled to SQL once per table and set of
grants. Anything else is handed to the Ibis table unchanged, so an analysis written another way still
works, only slower.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ibis
import pyarrow as pa

from baliza.access.scope import Scope
from baliza.warehouse.store import Warehouse

Compiled = Callable[[str, Callable[[], str]], str]  # (name, compute) -> SQL, kept by the caller


class Membership:
    """`table[column].isin(values)`, kept as data until it is used."""

    def __init__(self, table: LookupTable, column: str, values: Iterable[Any]) -> None:
        self.table, self.column, self.values = table, column, list(values)

    def to_ibis(self) -> ibis.Value:
        return self.table.expression[self.column].isin(self.values)

    def __and__(self, other: Any) -> ibis.Value:
        return self.to_ibis() & _ibis(other)

    def __or__(self, other: Any) -> ibis.Value:
        return self.to_ibis() | _ibis(other)

    def __invert__(self) -> ibis.Value:
        return ~self.to_ibis()


def _ibis(value: Any) -> Any:
    return value.to_ibis() if isinstance(value, Membership) else value


class LookupColumn:
    def __init__(self, table: LookupTable, column: str) -> None:
        self.table, self.column = table, column

    def isin(self, values: Iterable[Any]) -> Membership:
        return Membership(self.table, self.column, values)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table.expression[self.column], name)


class Lookup:
    """The rows of a scoped table whose column is in a set of values."""

    def __init__(self, membership: Membership) -> None:
        self.membership = membership

    def to_pyarrow(self) -> pa.Table:
        table = self.membership.table
        values = self.membership.values
        if not values:
            return table.cursor.sql(f"select * from ({table.sql()}) where false").to_arrow_table()
        # a list of parameters (not a join on a list) lets DuckDB skip the row groups that cannot match
        marks = ", ".join("?" * len(values))
        sql = f'select * from ({table.sql()}) where "{self.membership.column}" in ({marks})'
        return table.cursor.sql(sql, params=values).to_arrow_table()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.membership.table.expression.filter(self.membership.to_ibis()), name)


class LookupTable:
    def __init__(self, expression: Callable[[], ibis.Table], sql: Callable[[], str], cursor: Any) -> None:
        self._expression, self.sql, self.cursor = expression, sql, cursor
        self._built: ibis.Table | None = None

    @property
    def expression(self) -> ibis.Table:
        """The scoped Ibis table, built only when a query is not a plain lookup."""
        if self._built is None:
            self._built = self._expression()
        return self._built

    def __getitem__(self, column: Any) -> Any:
        return LookupColumn(self, column) if isinstance(column, str) else self.expression[column]

    def filter(self, *predicates: Any) -> Any:
        if len(predicates) == 1 and isinstance(predicates[0], Membership) and predicates[0].table is self:
            return Lookup(predicates[0])
        return self.expression.filter(*(_ibis(p) for p in predicates))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.expression, name)


class LookupWarehouse:
    """The warehouse as one principal sees it (as `ScopedWarehouse`), with fast lookups by key; with no
    scope, the whole warehouse (for analyses that judge on all the data, such as a seizure's chain)."""

    def __init__(self, warehouse: Warehouse, scope: Scope | None, compiled: Compiled) -> None:
        self.warehouse, self.scope, self._compiled = warehouse, scope, compiled
        if scope is None:
            self._scope_key = "*whole*"
        else:
            grants = ",".join(sorted(g.grant_id for g in scope.grants))
            self._scope_key = f"{scope.principal.agency_id}:{grants}"

    @property
    def path(self) -> object:
        return self.warehouse.path

    def table(self, name: str) -> LookupTable:
        def expression() -> ibis.Table:
            if self.scope is None:
                return self.warehouse.table(name)
            return self.scope.filter(self.warehouse, name)

        key = f"scoped-sql:{name}:{self._scope_key}"
        return LookupTable(expression, lambda: self._compiled(key, lambda: str(ibis.to_sql(expression()))),
                           self.warehouse.duckdb)
