"""One store of the chain: a DuckDB file by default, or a PostgreSQL schema or a Spark folder, reached through
Ibis (`protocol.Warehouse` is what analyses may ask of any of them; `engines` says which `--db` names)."""

from baliza.warehouse.protocol import ENGINES, Engine
from baliza.warehouse.store import (
    DB_ENVIRONMENT_VARIABLE,
    DuckDBWarehouse,
    Warehouse,
    open_warehouse,
    resolve_db_path,
)

__all__ = ["DB_ENVIRONMENT_VARIABLE", "ENGINES", "DuckDBWarehouse", "Engine", "Warehouse", "open_warehouse",
           "resolve_db_path"]
