"""The warehouse on a PostgreSQL server: one schema holding the same tables as the DuckDB file.

`--db postgresql://user:password@host:port/database?schema=NAME` (the schema defaults to `baliza`). A load
validates and quarantines into a DuckDB working copy exactly as for a file, then `publish_postgres` copies
every table into a new schema and swaps it for the old one in one transaction: readers see the old tables
or the new ones, whole, never a half-done load.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import ibis
import pyarrow as pa
import sqlglot.expressions as sge

from baliza.contract import TABLES
from baliza.warehouse.portable import portable_tables
from baliza.warehouse.protocol import NotOnThisEngine, count_rows

if TYPE_CHECKING:
    import duckdb

    from baliza.access.scope import Scope
    from baliza.warehouse.protocol import Engine

DEFAULT_SCHEMA = "baliza"
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")


@dataclass(frozen=True)
class PostgresAddress:
    """Where a PostgreSQL warehouse lives: the server's connection settings and the schema of its tables."""

    host: str
    port: int
    user: str | None
    password: str | None
    database: str
    schema: str

    @classmethod
    def parse(cls, url: str) -> PostgresAddress:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ValueError(f"not a PostgreSQL address (postgresql://user:password@host/database): {redact(url)}")
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ValueError(f"the PostgreSQL address names no database: {redact(url)}")
        options = parse_qs(parts.query)
        schema = options.get("schema", [DEFAULT_SCHEMA])[0]
        if not _IDENTIFIER.match(schema):
            raise ValueError(f"the schema {schema!r} is not a plain lower-case name (letters, digits, _)")
        return cls(parts.hostname or "localhost", parts.port or 5432,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None, database, schema)

    def connect(self) -> Any:
        """An Ibis PostgreSQL backend on the server (its `con` is a psycopg connection)."""
        return ibis.postgres.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                     database=self.database)

    def with_schema(self, schema: str) -> PostgresAddress:
        return PostgresAddress(self.host, self.port, self.user, self.password, self.database, schema)

    def __str__(self) -> str:
        user = f"{self.user}@" if self.user else ""
        return f"postgresql://{user}{self.host}:{self.port}/{self.database}?schema={self.schema}"


def default_home(address: PostgresAddress) -> Path:
    """The loading file of the schema at `address` when the address names none (`home=`): `DATABASE-SCHEMA.duckdb`
    in the folder the command runs from."""
    return Path(f"{address.database}-{address.schema}.duckdb")


def redact(url: str) -> str:
    """`url` without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def is_postgres_url(db: object) -> bool:
    return isinstance(db, str) and db.split(":", 1)[0] in SCHEMES


@dataclass
class PostgresWarehouse:
    """The chain tables in one schema of a PostgreSQL database, reached through Ibis."""

    address: PostgresAddress
    home: Path | None = None  # the loading file (keys and state store beside it); None: the default one
    con: Any = field(init=False, repr=False)
    _tables: dict[str, ibis.Table] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.home = Path(self.home) if self.home is not None else default_home(self.address)
        self.con = self.address.connect()
        if self.address.schema not in self.con.list_databases():
            self.con.disconnect()
            raise FileNotFoundError(
                f"no warehouse in schema {self.address.schema} of {self.address}: "
                f"load a dataset first (baliza load DIR --db URL)"
            )

    @classmethod
    def open(cls, url: str) -> PostgresWarehouse:
        return cls(PostgresAddress.parse(url))

    @property
    def engine(self) -> Engine:
        return "postgres"

    @property
    def scope(self) -> Scope | None:
        return None

    @property
    def path(self) -> str:
        return str(self.address)  # what messages name it by (no password)

    @property
    def duckdb(self) -> Any:
        raise NotOnThisEngine("PostgreSQL")

    def table(self, name: str) -> ibis.Table:
        if name not in self._tables:  # Ibis asks the server for the schema on every call
            self._tables[name] = self.con.table(name, database=self.address.schema)
        return self._tables[name]

    def row_counts(self) -> dict[str, int]:
        """Rows in each contract table."""
        return count_rows(self, [t.name for t in TABLES])

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> PostgresWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_sql(schema: str, name: str, arrow: pa.Schema) -> str:
    columns = ibis.Schema.from_pyarrow(arrow).to_sqlglot_column_defs("postgres")
    target = sge.Table(this=sge.to_identifier(name, quoted=True), db=sge.to_identifier(schema, quoted=True))
    return sge.Create(kind="TABLE", this=sge.Schema(this=target, expressions=columns)).sql("postgres")


def copy_tables(source: duckdb.DuckDBPyConnection, cursor: Any, schema: str) -> dict[str, int]:
    """Create every table of the DuckDB warehouse in `schema` (which must exist) and copy its rows in
    (PostgreSQL's COPY, row by row from Arrow). Returns the rows copied per table."""
    copied = {}
    for name, rows in portable_tables(source):
        cursor.execute(_create_sql(schema, name, rows.schema))
        columns = ", ".join(_quoted(c) for c in rows.column_names)
        with cursor.copy(f"COPY {_quoted(schema)}.{_quoted(name)} ({columns}) FROM STDIN") as copy:
            for batch in rows.to_batches(max_chunksize=20_000):
                for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                    copy.write_row(row)
        copied[name] = rows.num_rows
    return copied


def publish_postgres(source: duckdb.DuckDBPyConnection, address: PostgresAddress) -> dict[str, int]:
    """Replace the warehouse in `address.schema` by the DuckDB warehouse's tables, all at once.

    The tables are written into a new schema, then, in one transaction, the old schema is renamed away,
    the new one takes its name and the old one is dropped: a failure at any point leaves the old tables.
    """
    backend = address.connect()
    connection = backend.con
    loading = f"{address.schema}__loading_{os.getpid()}"
    retired = f"{address.schema}__retired_{os.getpid()}"
    try:
        with connection.transaction(), connection.cursor() as cursor:
            # two loads of one warehouse take turns (the lock ends with the transaction)
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"baliza:{address.schema}"])
            cursor.execute(f"DROP SCHEMA IF EXISTS {_quoted(loading)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {_quoted(loading)}")
            copied = copy_tables(source, cursor, loading)
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [address.schema])
            if cursor.fetchone() is not None:
                cursor.execute(f"ALTER SCHEMA {_quoted(address.schema)} RENAME TO {_quoted(retired)}")
            cursor.execute(f"ALTER SCHEMA {_quoted(loading)} RENAME TO {_quoted(address.schema)}")
            cursor.execute(f"DROP SCHEMA IF EXISTS {_quoted(retired)} CASCADE")
    finally:
        backend.disconnect()
    return copied


def drop_schema(address: PostgresAddress) -> None:
    """Remove the warehouse's schema and its tables (tests and a retired warehouse)."""
    backend = address.connect()
    try:
        with backend.con.transaction(), backend.con.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {_quoted(address.schema)} CASCADE")
    finally:
        backend.disconnect()
