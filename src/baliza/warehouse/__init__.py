"""One store of the chain: DuckDB by default, reached through Ibis."""

from baliza.warehouse.store import DB_ENVIRONMENT_VARIABLE, Warehouse, open_warehouse, resolve_db_path

__all__ = ["DB_ENVIRONMENT_VARIABLE", "Warehouse", "open_warehouse", "resolve_db_path"]
