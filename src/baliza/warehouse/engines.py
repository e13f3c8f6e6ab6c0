"""Which engine `--db` names, and opening or loading a warehouse there.

`--db` (or `BALIZA_DB`) takes:

- a path: a DuckDB file (the default engine, `./baliza.duckdb`);
- `postgresql://user:password@host:port/database?schema=NAME`: a schema of a PostgreSQL database;
- `spark:///absolute/folder` (or `spark:relative/folder`): a folder of Parquet tables read by Spark.

A load validates, normalises and quarantines exactly as for a file, into a DuckDB working copy of the
warehouse's *loading file* (which keeps the loads' history, the quarantine and the key files beside it),
then publishes every table to the engine, all at once, before the loading file itself is replaced: a
failed publication leaves both as they were. The loading file is `home=PATH` in the address's query, by
default `<folder>/baliza.duckdb` for Spark and `./<database>-<schema>.duckdb` (in the folder the load
runs from) for PostgreSQL. Reading commands never need it: they read the engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from baliza.warehouse.postgres import (
    PostgresAddress,
    PostgresWarehouse,
    default_home,
    is_postgres_url,
    publish_postgres,
    redact,
)
from baliza.warehouse.spark import HOME_NAME, SparkWarehouse, is_spark_url, publish_spark, spark_folder
from baliza.warehouse.store import DuckDBWarehouse

if TYPE_CHECKING:
    import duckdb

    from baliza.warehouse.loadlock import LoadHolder
    from baliza.warehouse.protocol import Engine

AnyWarehouse = DuckDBWarehouse | PostgresWarehouse | SparkWarehouse
Publisher = Callable[["duckdb.DuckDBPyConnection"], dict[str, int]]


class NotAFile(FileNotFoundError):
    """A command that works on a DuckDB file was given the address of another engine."""


def is_url(db: object) -> bool:
    return is_postgres_url(db) or is_spark_url(db)


def engine_of(db: str | os.PathLike[str]) -> Engine:
    if is_postgres_url(db):
        return "postgres"
    if is_spark_url(db):
        return "pyspark"
    return "duckdb"


def _home_option(db: str) -> Path | None:
    query = db.split("?", 1)[1] if "?" in db else ""
    found = parse_qs(query).get("home")
    return Path(found[0]).expanduser() if found else None


def loading_home(db: str) -> Path:
    """The DuckDB file a load of the warehouse at `db` (an address) validates into and keeps."""
    chosen = _home_option(db)
    if chosen is not None:
        return chosen
    if is_spark_url(db):
        return spark_folder(db) / HOME_NAME
    return default_home(PostgresAddress.parse(db))


def home_of(db: str | os.PathLike[str] | None) -> Path:
    """The DuckDB file beside which the warehouse at `db` (`--db`, else `BALIZA_DB`, else `./baliza.duckdb`)
    keeps its key files and its state store (accounts, grants, audit log): the file itself, or for a
    PostgreSQL or Spark address its loading file."""
    from baliza.warehouse.store import chosen_db

    chosen = chosen_db(db)
    if is_url(chosen):
        return loading_home(str(chosen))
    return Path(chosen).expanduser()


def publisher(db: str) -> Publisher:
    """What publishes a loaded DuckDB warehouse to the engine `db` names."""
    if is_postgres_url(db):
        address = PostgresAddress.parse(db)
        return lambda source: publish_postgres(source, address)
    folder = spark_folder(db)
    return lambda source: publish_spark(source, folder)


def open_url(db: str) -> PostgresWarehouse | SparkWarehouse:
    """The warehouse at a PostgreSQL or Spark address, for reading (writes go through `baliza load`)."""
    if is_postgres_url(db):
        return PostgresWarehouse(PostgresAddress.parse(db), home=_home_option(db))
    return SparkWarehouse(spark_folder(db), home=_home_option(db))


ENGINE_NAMES: dict[str, str] = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "pyspark": "Spark"}


def not_a_file(db: str, command: str) -> NotAFile:
    return NotAFile(f"{command} works on a DuckDB file, and --db names a {ENGINE_NAMES[engine_of(db)]} warehouse "
                    f"({redact(db)}): "
                    f"give the file (for PostgreSQL and Spark, the loading file: {loading_home(db)})")


@contextmanager
def publishing_to(db: str | os.PathLike[str], who: str, on_wait: Callable[[LoadHolder], None] | None = None,
                  wait: bool = True) -> Iterator[DuckDBWarehouse]:
    """A writable DuckDB copy of the warehouse at `db` (a file or an address), published when the block ends
    without an exception and thrown away otherwise (`warehouse.publishing`). For an address, every table is
    published to the engine first; the loading file is replaced only once that succeeded."""
    from baliza.warehouse.publishing import publishing, working_path

    if not is_url(db):
        with publishing(Path(db), who, on_wait=on_wait, wait=wait) as warehouse:
            yield warehouse
        return
    url = str(db)
    home, publish = loading_home(url), publisher(url)

    def publish_copy() -> None:  # under the load lock, the working copy closed and whole
        with DuckDBWarehouse(working_path(home), read_only=True) as loaded:
            publish(loaded.duckdb)

    with publishing(home, who, on_wait=on_wait, wait=wait, before_publish=publish_copy) as warehouse:
        yield warehouse
