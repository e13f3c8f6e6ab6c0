"""The warehouse on Spark: a folder of Parquet tables, read by a Spark session (local mode or a cluster).

`--db spark:///absolute/path/to/folder` (or `spark:relative/folder`). The folder holds one sub-folder per
published load (`tables-<time>-<pid>/<table>.parquet`) and a pointer file, `CURRENT`, naming the one in
use. A load validates and quarantines into a DuckDB working copy exactly as for a file, then
`publish_spark` writes every table into a new sub-folder and replaces the pointer (`os.replace`, atomic):
readers see the old tables or the new ones, whole. The state just replaced is kept for readers still on
it; older ones are removed.

The Spark session is local (`local[2]`) unless `BALIZA_SPARK_MASTER` names a cluster; one session per
process is shared (`spark_session`), as starting one costs seconds.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from baliza.contract import TABLES
from baliza.warehouse.portable import portable_select, table_names
from baliza.warehouse.protocol import NotOnThisEngine, count_rows

if TYPE_CHECKING:
    import duckdb

    from baliza.access.scope import Scope
    from baliza.warehouse.protocol import Engine

SCHEME = "spark:"
POINTER = "CURRENT"
HOME_NAME = "baliza.duckdb"  # the loading file's default name, in the folder
MASTER_VARIABLE = "BALIZA_SPARK_MASTER"


def is_spark_url(db: object) -> bool:
    return isinstance(db, str) and db.startswith(SCHEME)


def spark_folder(url: str) -> Path:
    """The folder a `spark:` address names: `spark:///abs/path` or `spark:relative/path` (a query such as
    `?home=PATH` is left for `engines.loading_home`)."""
    if not is_spark_url(url):
        raise ValueError(f"not a Spark address (spark:///path/to/folder): {url}")
    rest = url[len(SCHEME):].split("?", 1)[0]  # the query (home=...) is the load's, not the folder's
    if rest.startswith("//"):
        rest = rest[2:]
        if not rest.startswith("/"):
            raise ValueError(f"a Spark address names a local folder, not a host: {url} (spark:///path/to/folder)")
    if not rest:
        raise ValueError(f"the Spark address names no folder: {url}")
    return Path(rest).expanduser()


def spark_session(cores: int = 2) -> Any:
    """The process's Spark session: local mode on `cores` cores (or the cluster in `BALIZA_SPARK_MASTER`),
    in UTC (the warehouse's timestamps are UTC without zone)."""
    from pyspark.sql import SparkSession

    master = os.environ.get(MASTER_VARIABLE) or f"local[{cores}]"
    return (SparkSession.builder.master(master).appName("baliza")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(cores))
            .config("spark.driver.memory", "2g").config("spark.sql.session.timeZone", "UTC")
            .getOrCreate())


def current_tables(folder: Path) -> Path | None:
    """The sub-folder of tables the pointer names (None before the first load)."""
    pointer = folder / POINTER
    if not pointer.exists():
        return None
    return folder / pointer.read_text().strip()


@dataclass
class SparkWarehouse:
    """The chain tables as Parquet files in one folder, read by Spark through Ibis.

    Each table is registered as a temporary view of the session, named `<prefix><table>`, so that two
    warehouses (or two states of one) can be open in the same session side by side.
    """

    folder: Path
    session: Any = None
    home: Path | None = None  # the loading file (keys and state store beside it); None: FOLDER/baliza.duckdb
    con: Any = field(init=False, repr=False)
    tables_folder: Path = field(init=False)
    _prefix: str = field(default="", init=False, repr=False)
    _views: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _tables: dict[str, ibis.Table] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        found = current_tables(self.folder)
        if found is None or not found.is_dir():
            raise FileNotFoundError(
                f"no warehouse in {self.folder}: load a dataset first (baliza load DIR --db spark://{self.folder})"
            )
        self.tables_folder = found
        self.home = Path(self.home) if self.home is not None else self.folder / HOME_NAME
        self.session = self.session or spark_session()
        self.con = ibis.pyspark.connect(self.session)
        self._prefix = f"baliza_{abs(hash((str(found), id(self)))) % 10**8}_"

    @classmethod
    def open(cls, url: str, session: Any = None) -> SparkWarehouse:
        return cls(spark_folder(url), session)

    @property
    def engine(self) -> Engine:
        return "pyspark"

    @property
    def scope(self) -> Scope | None:
        return None

    @property
    def path(self) -> Path:
        return self.folder

    @property
    def duckdb(self) -> Any:
        raise NotOnThisEngine("Spark")

    def table(self, name: str) -> ibis.Table:
        """The table as an Ibis table; its Parquet file is registered as a view when first asked for (each
        registration reads the file's footer: a command reading five tables pays for five, not fifty)."""
        if name not in self._tables:
            path = self.tables_folder / f"{name}.parquet"
            if not path.exists():
                raise KeyError(f"no table {name!r} in the Spark warehouse at {self.folder}")
            view = self._prefix + name
            self.session.read.parquet(str(path)).createOrReplaceTempView(view)
            self._views[name] = view
            self._tables[name] = self.con.table(view)
        return self._tables[name]

    def row_counts(self) -> dict[str, int]:
        """Rows in each contract table."""
        return count_rows(self, [t.name for t in TABLES])

    def close(self) -> None:
        for view in self._views.values():
            self.session.catalog.dropTempView(view)
        self._views.clear()
        self._tables.clear()

    def __enter__(self) -> SparkWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_parquet_tables(source: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Every table of the DuckDB warehouse as `<target>/<table>.parquet` (portable types). Rows per table."""
    target.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in table_names(source):
        path = str(target / f"{name}.parquet").replace("'", "''")
        source.execute(f"COPY ({portable_select(source, name)}) TO '{path}' (FORMAT parquet)")
        written[name] = int(source.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0])
    return written


def publish_spark(source: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Replace the Spark warehouse in `folder` by the DuckDB warehouse's tables, all at once.

    The tables are written into a new sub-folder, then the pointer file is replaced: a failure before that
    leaves the old tables current (and the half-written sub-folder is removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    previous = current_tables(folder)
    name = f"tables-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    target = folder / name
    try:
        written = write_parquet_tables(source, target)
        pointer = folder / f".{POINTER}.{os.getpid()}"
        pointer.write_text(name + "\n")
        os.replace(pointer, folder / POINTER)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    for old in folder.glob("tables-*"):
        # the state just replaced stays for readers still on it; older ones go
        if old.name != name and old != previous and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return written
