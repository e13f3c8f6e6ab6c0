"""Writing tables in the contract's CSV format: ISO dates, `Z` datetimes, `|` lists, dot decimals.

A table is handed over as columns (NumPy arrays, pyarrow arrays or lists) and converted by the type the
contract gives each column, so the generator never formats a value by hand. Tables are written in batches,
which keeps memory flat at the large scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from baliza.contract import ColumnType, Table, get_table

Columns = Mapping[str, Any]


def make_ids(prefix: str, start: int, n: int, width: int = 7) -> pa.Array:
    """Ids `prefix` + zero-padded running number, e.g. `SZ-0000012`."""
    numbers = pc.cast(pa.array(np.arange(start, start + n, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _as_arrow(values: Any, column_type: ColumnType, n: int) -> pa.Array:
    if values is None:
        return pa.nulls(n, pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        if column_type is ColumnType.DATETIME and pa.types.is_timestamp(values.type):
            return pc.strftime(values, format="%Y-%m-%dT%H:%M:%SZ")
        return values
    array = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if column_type is ColumnType.DATETIME:
        return pc.strftime(pa.array(array.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%SZ")
    if column_type is ColumnType.DATE:
        return pa.array(array.astype("datetime64[D]"))
    if array.dtype == object and column_type in (ColumnType.INT, ColumnType.DECIMAL):
        kind = pa.int64() if column_type is ColumnType.INT else pa.float64()
        return pa.array([None if v is None else v for v in array.tolist()], type=kind)
    if column_type is ColumnType.INT:
        if array.dtype.kind == "f":
            return pa.array(array, from_pandas=True).cast(pa.int64())
        return pa.array(array.astype(np.int64))
    if column_type is ColumnType.DECIMAL:
        return pa.array(np.asarray(array, dtype=np.float64), from_pandas=True)
    if column_type is ColumnType.BOOL:
        if array.dtype == bool:
            return pa.array(array)
        return pa.array(array.tolist(), type=pa.bool_())
    if array.dtype.kind in "iu":
        return pc.cast(pa.array(array), pa.string())
    return pa.array(array.tolist() if array.dtype == object else array, type=pa.string(), from_pandas=True)


def to_arrow(table: Table, columns: Columns) -> pa.Table:
    """The columns of `table` in contract order, each converted by its contract type; absent ones empty."""
    unknown = set(columns) - set(table.column_names)
    if unknown:
        raise ValueError(f"{table.name}: columns not in the contract: {sorted(unknown)}")
    n = len(next(iter(columns.values())))
    arrays = [_as_arrow(columns.get(c.name), c.type, n) for c in table.columns]
    return pa.Table.from_arrays(arrays, names=list(table.column_names))


class DatasetWriter:
    """One CSV file per contract table in a dataset folder, appended to batch by batch."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.rows: dict[str, int] = {}
        self._writers: dict[str, tuple[pacsv.CSVWriter, Any]] = {}

    def write(self, table_name: str, columns: Columns) -> int:
        table = get_table(table_name)
        batch = to_arrow(table, columns)
        if table_name not in self._writers:
            sink = (self.out_dir / f"{table_name}.csv").open("wb")
            schema = pa.schema([pa.field(name, pa.string()) for name in table.column_names])
            self._writers[table_name] = (pacsv.CSVWriter(sink, schema), sink)
        writer, _ = self._writers[table_name]
        as_text = pa.Table.from_arrays(
            [pc.cast(batch.column(i), pa.string()) if batch.column(i).type != pa.string() else batch.column(i)
             for i in range(batch.num_columns)],
            names=batch.column_names,
        )
        # Booleans cast to 'true'/'false'; dates to ISO; numbers to their shortest text.
        writer.write_table(as_text)
        self.rows[table_name] = self.rows.get(table_name, 0) + batch.num_rows
        return batch.num_rows

    def close(self) -> None:
        for writer, sink in self._writers.values():
            writer.close()
            sink.close()
        self._writers.clear()

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
