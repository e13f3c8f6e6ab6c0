"""Agencies' own exports, read through a mapping into the interchange format.

```python
from baliza.load.mapping import find_mapping, read_through_mapping
kcs = find_mapping("kcs")                               # shipped (src/baliza/mappings/kcs.yaml) or a path
declarations = read_through_mapping(["train.csv"], kcs, "consignments", keep_source=True)
declarations.to_pandas()                                # contract columns typed, the export's own columns,
                                                        # _file, _line, _problem (why a line is not data)
load_datasets(warehouse, [Path("exports/")], agency="AG-CO-PONAL", mapping=find_mapping("co-police"))
```

A mapping (YAML, documented in docs/mappings.md) says where the header is, which lines are not data,
and how each contract column is made. Loading through it is a normal load: the mapped rows go through the
same checks, quarantine (with the export file and line), history and all-or-nothing transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from baliza.contract import ColumnType
from baliza.load.mapping.spec import Mapping, MappingError, loose_key, parse_mapping, place_key, read_mapping_file
from baliza.load.mapping.stage import MappedReader, export_files

SHIPPED = Path(__file__).resolve().parents[2] / "mappings"
"""The mappings Baliza ships (`src/baliza/mappings/<name>.yaml`)."""

_TYPES = {
    ColumnType.INT: "BIGINT", ColumnType.DECIMAL: "DOUBLE", ColumnType.DATE: "DATE",
    ColumnType.DATETIME: "TIMESTAMP", ColumnType.BOOL: "BOOLEAN",
}


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def find_mapping(name_or_path: str | Path, *, shipped_only: bool = False) -> Mapping:
    """A mapping file, or a shipped mapping by name (`kcs`, `co-police`). With `shipped_only` (a name from
    a web form), only a shipped mapping: never a file of the server."""
    path = Path(name_or_path)
    if path.is_file() and not shipped_only:
        return read_mapping_file(path)
    if str(name_or_path) in shipped_mappings():
        shipped = SHIPPED / f"{name_or_path}.yaml"
        return read_mapping_file(shipped)
    raise MappingError(f"{name_or_path}: neither a mapping file nor a shipped mapping "
                       f"(shipped: {', '.join(shipped_mappings())})")


def read_through_mapping(
    paths: Sequence[Path | str],
    mapping: Mapping | str,
    table: str,
    *,
    keep_source: bool = False,
    id_key: str | None = None,
) -> pa.Table:
    """The rows of `table` that `mapping` makes from the export files `paths`, without a warehouse.

    Contract columns are typed (numbers, dates and times, booleans; text otherwise; a cell its type cannot
    read is null); `keep_source` adds the export's own columns under their header. Every line is there:
    `_problem` says why a line is not data (a total, a blank line), so filter on it. Ids made by a `hash`
    rule use `id_key` (default: one derived from the mapping's name, not secret: for analysis only; a load
    keys them with the warehouse's secret).
    """
    import duckdb

    chosen = find_mapping(mapping) if isinstance(mapping, str) else mapping
    mapped = chosen.table_mapping(table)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # a library call: no bar on the caller's terminal
    reader = MappedReader(chosen, "(read without loading)", id_key or f"baliza mapping {chosen.name}",
                          keep_source=keep_source)
    parts = []
    try:
        for number, path in enumerate(export_files(chosen, [Path(p) for p in paths])):
            source = next(s for s in reader.discover([path])[0] if s.table.name == table)
            staged = reader.stage(con, source, f"_bz_read_{number}")
            selected = []
            for i, name in enumerate(staged.header):
                quoted = '"' + name.replace('"', '""') + '"'
                if i < (staged.source_columns_from or 0):
                    sql_type = _TYPES.get(mapped.table.column(name).type)
                    selected.append(f"TRY_CAST(c{i} AS {sql_type}) AS {quoted}" if sql_type else f"c{i} AS {quoted}")
                elif keep_source:
                    selected.append(f"c{i} AS {quoted}")
            file_literal = "'" + str(path).replace("'", "''") + "'"
            parts.append(con.sql(f"SELECT {', '.join(selected)}, {file_literal} AS _file, _line, _problem "
                                 f"FROM _bz_read_{number} ORDER BY _line").to_arrow_table())
            reader.drop_scratch(con)
    finally:
        con.close()
    if not parts:
        raise MappingError(f"mapping {chosen.name}: no export files given")
    return pa.concat_tables(parts, promote_options="permissive")


__all__ = [
    "SHIPPED",
    "Mapping",
    "MappingError",
    "find_mapping",
    "loose_key",
    "parse_mapping",
    "place_key",
    "read_mapping_file",
    "read_through_mapping",
    "shipped_mappings",
]
