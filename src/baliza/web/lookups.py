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
from typing import Any, cast

import ibis
import pyarrow as pa

from baliza.access.scope import Scope
from baliza.warehouse.protocol import Engine
from baliza.warehouse.store import Warehouse

Compiled = Callable[[str, Callable[[], Any]], Any]  # (name, compute) -> SQL or a KeyIndex, kept by the caller
MAX_INDEXED_ROWS = 2_000_000  # larger tables are looked up in DuckDB (a copy in memory would be too big)


class KeyIndex:
    """A whole table held in memory (Arrow) with the row numbers of each value of one column: a chain's dozen
    lookups then cost a dictionary hit each instead of a scan of the table in DuckDB. Built once per state
    of the warehouse (the snapshot keeps it) for tables of at most `MAX_INDEXED_ROWS` rows."""

    def __init__(self, rows: pa.Table, column: str) -> None:
        self.rows = rows.combine_chunks()  # `take` on a table of several chunks costs tens of milliseconds
        self.positions: dict[Any, list[int]] = {}
        for position, value in enumerate(rows[column].to_pylist()):
            self.positions.setdefault(value, []).append(position)

    @classmethod
    def build(cls, cursor: Any, sql: str, column: str) -> KeyIndex | None:
        if cursor.sql(f"select count(*) from ({sql})").fetchall()[0][0] > MAX_INDEXED_ROWS:
            return None
        return cls(cursor.sql(sql).to_arrow_table(), column)

    def take(self, values: list[Any]) -> pa.Table:
        found = sorted({p for v in values for p in self.positions.get(v, ())})  # in the table's order, as DuckDB
        return self.rows.take(pa.array(found, type=pa.int64()))


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
        index = table.index(self.membership.column) if table.index is not None else None
        if index is not None:
            return index.take(values)
        if not values:
            return table.cursor.sql(f"select * from ({table.sql()}) where false").to_arrow_table()
        # a list of parameters (not a join on a list) lets DuckDB skip the row groups that cannot match
        marks = ", ".join("?" * len(values))
        sql = f'select * from ({table.sql()}) where "{self.membership.column}" in ({marks})'
        return table.cursor.sql(sql, params=values).to_arrow_table()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.membership.table.expression.filter(self.membership.to_ibis()), name)


class LookupTable:
    def __init__(self, expression: Callable[[], ibis.Table], sql: Callable[[], str], cursor: Any,
                 index: Callable[[str], KeyIndex | None] | None = None) -> None:
        self._expression, self.sql, self.cursor, self.index = expression, sql, cursor, index
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

    def __init__(self, warehouse: Warehouse, scope: Scope | None, compiled: Compiled, *,
                 indexed: bool = False) -> None:
        """`indexed` (whole warehouse only): lookups read `KeyIndex`es kept through `compiled`."""
        self.warehouse, self.scope, self._compiled = warehouse, scope, compiled
        self._indexed = indexed and scope is None
        if scope is None:
            self._scope_key = "*whole*"
        else:
            grants = ",".join(sorted(g.grant_id for g in scope.grants))
            self._scope_key = f"{scope.principal.agency_id}:{grants}"

    @property
    def path(self) -> object:
        return self.warehouse.path

    @property
    def engine(self) -> Engine:
        return self.warehouse.engine

    @property
    def con(self) -> Any:
        return self.warehouse.con

    def table(self, name: str) -> ibis.Table:
        """The table as an Ibis table would answer (a `LookupTable` standing in for one: plain lookups by
        key are answered by DuckDB directly, anything else is handed to the Ibis table)."""
        return cast(ibis.Table, self.lookup_table(name))

    def lookup_table(self, name: str) -> LookupTable:
        def expression() -> ibis.Table:
            if self.scope is None:
                return self.warehouse.table(name)
            return self.scope.filter(self.warehouse, name)

        key = f"scoped-sql:{name}:{self._scope_key}"
        cursor = self.warehouse.duckdb

        def sql() -> str:
            return self._compiled(key, lambda: str(ibis.to_sql(expression())))

        def index(column: str) -> KeyIndex | None:
            text = sql()  # first: the keeper computes one thing at a time
            kept: Any = self._compiled(f"key-index:{name}:{column}", lambda: KeyIndex.build(cursor, text, column))
            return kept  # type: ignore[no-any-return]

        return LookupTable(expression, sql, cursor, index if self._indexed else None)
