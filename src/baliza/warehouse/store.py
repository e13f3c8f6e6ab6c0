"""Opening the warehouse: an embedded DuckDB file by default, always reached through Ibis."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import ibis

from baliza.access.files import make_private, private_folder
from baliza.contract import TABLES
from baliza.warehouse.schema import all_ddl

if TYPE_CHECKING:
    import duckdb
    from ibis.backends.duckdb import Backend

    from baliza.access.scope import Scope
    from baliza.warehouse.engines import AnyWarehouse
    from baliza.warehouse.protocol import Engine

DEFAULT_DB = "baliza.duckdb"
DB_ENVIRONMENT_VARIABLE = "BALIZA_DB"


def chosen_db(db: str | os.PathLike[str] | None = None) -> str | os.PathLike[str]:
    """`--db` if given, else `BALIZA_DB`, else `./baliza.duckdb`: a path or an engine's address."""
    return db or os.environ.get(DB_ENVIRONMENT_VARIABLE) or DEFAULT_DB


def resolve_db_path(db: str | os.PathLike[str] | None = None, command: str = "this command") -> Path:
    """The DuckDB file `--db`, `BALIZA_DB` or `./baliza.duckdb` names (`engines.NotAFile` for an address of
    PostgreSQL or Spark: commands that work on the file itself, such as backups, need a file)."""
    from baliza.warehouse.engines import is_url, not_a_file

    chosen = chosen_db(db)
    if is_url(chosen):
        raise not_a_file(str(chosen), command)
    return Path(chosen).expanduser()


@dataclass
class DuckDBWarehouse:
    """The chain tables and their bookkeeping, in one DuckDB file, reached through Ibis.

    The default engine, and the one every load writes first (validation and quarantine run on DuckDB;
    `baliza.warehouse.engines` then publishes the tables to PostgreSQL or Spark). Satisfies
    `baliza.warehouse.protocol.Warehouse`; `duckdb` (the raw connection) is for the loader only.
    """

    path: Path
    read_only: bool = False
    home: Path = None  # type: ignore[assignment]  # where the warehouse is published: its keys live beside it
    con: Backend = field(init=False, repr=False)
    keys: Any = field(default=None, init=False, repr=False)  # a snapshot's KeyRing, read when it was opened

    def __post_init__(self) -> None:
        # A load writes a working copy and a server reads an alias of the file (`warehouse.publishing`):
        # `path` is the file opened, `home` the warehouse's name, beside which its key files are.
        self.home = Path(self.home) if self.home is not None else self.path
        if not self.read_only:
            private_folder(self.path.parent)  # the file and its WAL are created 0600 (see access.files)
        elif not self.path.exists():
            raise FileNotFoundError(
                f"no warehouse at {self.path}: load a dataset first (baliza load DIR --db {self.path})"
            )
        self.con = ibis.duckdb.connect(str(self.path), read_only=self.read_only)
        if not self.read_only:
            make_private(self.path)  # a warehouse made before files were private is tightened here
            self.ensure_schema()

    @property
    def engine(self) -> Engine:
        return "duckdb"

    @property
    def scope(self) -> Scope | None:
        return None  # the whole warehouse; `access.scope.ScopedWarehouse` cuts it to one principal

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """The raw DuckDB connection, for the loader's bulk SQL."""
        connection: duckdb.DuckDBPyConnection = self.con.con
        return connection

    def ensure_schema(self) -> None:
        for statement in all_ddl():
            self.duckdb.execute(statement)

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def row_counts(self) -> dict[str, int]:
        """Rows in each contract table."""
        return {t.name: int(self.table(t.name).count().execute()) for t in TABLES}

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> DuckDBWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The DuckDB class's former name, still imported by the loader, the web and older tests. Type an analysis's
# parameter with `baliza.warehouse.protocol.Warehouse` instead, so that it runs on every engine.
Warehouse = DuckDBWarehouse


@overload
def open_warehouse(db: str | os.PathLike[str] | None = None, *, read_only: Literal[False] = False
                   ) -> DuckDBWarehouse: ...


@overload
def open_warehouse(db: str | os.PathLike[str] | None = None, *, read_only: bool) -> AnyWarehouse: ...


def open_warehouse(db: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> AnyWarehouse:
    """Open the warehouse at `db`, `BALIZA_DB` or `./baliza.duckdb`: a DuckDB file (created if needed when
    not `read_only`), or, for reading, a PostgreSQL or Spark address (`baliza.warehouse.engines`)."""
    from baliza.warehouse.engines import is_url, open_url

    chosen = chosen_db(db)
    if is_url(chosen):
        if not read_only:
            raise ValueError("a PostgreSQL or Spark warehouse is written by `baliza load` only (it validates into "
                             "a DuckDB loading file, then publishes): open it read-only")
        return open_url(str(chosen))
    return DuckDBWarehouse(Path(chosen).expanduser(), read_only=read_only)
