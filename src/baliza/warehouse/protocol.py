"""What an analysis may ask of a warehouse, whichever engine holds it.

Analyses are Ibis expressions over `table(name)`, so the same code runs on the embedded DuckDB file, on a
PostgreSQL server and on Spark. Every warehouse-like object satisfies `Warehouse` structurally (no base
class): the DuckDB file (`store.DuckDBWarehouse`), the PostgreSQL schema (`postgres.PostgresWarehouse`),
the Spark folder of Parquet tables (`spark.SparkWarehouse`), one principal's view of any of them
(`access.scope.ScopedWarehouse`) and the web's per-thread and fast-lookup views.

- `table(name)`: the Ibis table (in a scoped warehouse, only the rows in scope);
- `engine`: "duckdb", "postgres" or "pyspark": what an analysis may check before an engine-specific
  shortcut, never instead of an Ibis expression;
- `con`: the Ibis backend (to run `con.execute(expr)` or build a literal table on the same engine);
- `scope`: None for the whole warehouse, else the access `Scope` the rows were cut to.

Engine-only operations (the loader's bulk SQL) live on the concrete classes (`DuckDBWarehouse.duckdb`),
never here: an analysis typed with this protocol cannot reach them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import ibis

    from baliza.access.scope import Scope

Engine = Literal["duckdb", "postgres", "pyspark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "postgres", "pyspark")


@runtime_checkable
class Warehouse(Protocol):
    """The chain tables as Ibis tables on one engine, whole or cut to one principal's scope."""

    @property
    def engine(self) -> Engine: ...

    @property
    def con(self) -> Any: ...  # an ibis BaseBackend (typed Any: the backends' classes differ per engine)

    @property
    def scope(self) -> Scope | None: ...

    def table(self, name: str) -> ibis.Table: ...


class NotOnThisEngine(AttributeError):
    """Something asked a PostgreSQL or Spark warehouse for the DuckDB file's own connection (`.duckdb`: the
    loader's bulk SQL, the web's fast lookups). No analysis does: they are Ibis expressions. (An
    AttributeError, so that `getattr(wh, "duckdb", None)` still answers None.)"""

    def __init__(self, engine: str) -> None:
        super().__init__(f"this works on a DuckDB file only, not on {engine}: give the DuckDB file (for a "
                         f"PostgreSQL or Spark warehouse, its loading file)")


def count_rows(warehouse: Warehouse, names: list[str]) -> dict[str, int]:
    """Rows in each of the tables `names`, in one query (a server or Spark plans each query for a while)."""
    import ibis

    counts = [warehouse.table(name).aggregate(n=lambda t: t.count()).mutate(name=ibis.literal(name))
              for name in names]
    found = {row["name"]: int(row["n"]) for row in ibis.union(*counts).to_pyarrow().to_pylist()}
    return {name: found[name] for name in names}


def whole_of(warehouse: Warehouse) -> Warehouse:
    """The unscoped warehouse behind a view (a scoped or per-thread warehouse keeps it as `.warehouse`):
    for bookkeeping tables (loads) that carry no agency scope."""
    found: Any = warehouse
    while getattr(found, "warehouse", None) is not None:
        found = found.warehouse
    return found
