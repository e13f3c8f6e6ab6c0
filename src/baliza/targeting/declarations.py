"""Declarations in one shape, whoever wrote them: a customs export read through its loading mapping, or the
warehouse.

Targeting reads a *declaration*: its id and date, the office (entry point) it was lodged at, the parties
(declarant, consignee, shipper, carrier), the commodity (HS code, description), the route (origin,
departure or transit countries), payment, mass, value and, when it was inspected, the outcome. A customs
administration's export is read through the same mapping that loads it (`src/baliza/mappings/NAME.yaml`,
`baliza.load.mapping`): its header, files, non-data lines and contract columns come from there, and its
`targeting:` section says which contract column or, where the contract has none, which of the export's own
columns holds each field. Nobody renames columns by hand, and one file describes one export format. The
warehouse's consignments, inspections and seizures give the same fields.

`outcome` is 1 (drugs or fraud found), 0 (inspected, nothing found) or missing (not inspected, or the
export has no outcome column). `outcome_value` is what was at stake: the seized quantity, or the declared
value of a fraudulent declaration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from baliza.i18n import gettext as _
from baliza.load.errors import LoadError
from baliza.load.mapping import find_mapping, read_through_mapping
from baliza.load.mapping.spec import Mapping as LoadingMapping

if TYPE_CHECKING:
    from baliza.warehouse.store import Warehouse

TEXT_FIELDS = ("id", "office", "mode", "declarant", "consignee", "shipper", "carrier", "hs_code", "description",
               "origin_country", "departure_country", "transit", "destination_country", "payment")
NUMBER_FIELDS = ("mass_kg", "value", "outcome", "outcome_value")
FIELDS = (*TEXT_FIELDS, "declared_at", *NUMBER_FIELDS)
REQUIRED = ("id", "declared_at")
OPTIONAL = ("outcome", "outcome_value")
"""Fields an export may lack: declarations still to be scored have no outcome."""
EXTRA_PREFIX = "x_"


@dataclass(frozen=True)
class Mapping:
    """Which column holds each field targeting reads: a contract column of `table` as the loading mapping
    makes it, or else a column of the export as written."""

    name: str
    columns: dict[str, str]
    loading: LoadingMapping
    table: str = "consignments"
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    cash_payments: tuple[str, ...] = ()

    @property
    def extra_categorical(self) -> list[str]:
        return [extra_name(c) for c in self.categorical]

    @property
    def extra_numeric(self) -> list[str]:
        return [extra_name(c) for c in self.numeric]

    def is_contract_column(self, name: str) -> bool:
        return name in self.loading.table_mapping(self.table).rules


def extra_name(column: str) -> str:
    """`Tax Rate` -> `x_tax_rate`: an export's own column, named safely for every engine."""
    return EXTRA_PREFIX + re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_")


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped loading mapping by name (`kcs`) or a mapping file by path, with its `targeting:` section."""
    try:
        loading = find_mapping(name_or_path)
    except LoadError:
        from baliza.load.mapping import shipped_mappings

        raise ValueError(_("No mapping %(name)s: give a mapping file or one of %(shipped)s.",
                           name=str(name_or_path), shipped=", ".join(shipped_mappings()))) from None
    section = loading.targeting
    columns = section.get("fields") or {}
    if not isinstance(columns, dict) or not columns:
        raise ValueError(_("The mapping %(name)s has no targeting section saying which column holds each field "
                           "targeting reads.", name=loading.name))
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise ValueError(_("The mapping %(name)s names fields targeting does not read: %(fields)s.",
                           name=loading.name, fields=", ".join(unknown)))
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise ValueError(_("The mapping %(name)s lacks the required fields %(fields)s.",
                           name=loading.name, fields=", ".join(missing)))
    table = str(section.get("table") or "consignments")
    try:
        loading.table_mapping(table)
    except LoadError as exc:
        raise ValueError(str(exc)) from None
    return Mapping(name=loading.name, columns={k: str(v) for k, v in columns.items()}, loading=loading, table=table,
                   categorical=tuple(map(str, section.get("categorical") or ())),
                   numeric=tuple(map(str, section.get("numeric") or ())),
                   cash_payments=tuple(map(str, section.get("cash_payments") or ())))


def read_declarations(path: str | Path, mapping: Mapping) -> pd.DataFrame:
    """The declarations in an export (CSV, a workbook, or Parquet by its suffix), in targeting's fields.

    The file is read through the loading mapping (lines that are not data are left out). The outcome columns
    may be absent (declarations still to be scored); any other column named must be there.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(_("No declarations file at %(path)s.", path=str(path)))
    try:
        read = read_through_mapping([path], mapping.loading, mapping.table, keep_source=True)
    except LoadError as exc:
        raise ValueError(_("The declarations in %(path)s cannot be read: %(reason)s", path=path.name,
                           reason=str(exc))) from None
    contract = len(mapping.loading.table_mapping(mapping.table).rules)
    names = read.column_names
    data = read.filter(read.column("_problem").is_null()) if read.column("_problem").null_count < len(read) else read
    mapped = {names[i]: data.column(i).to_pandas() for i in range(contract)}
    export = {names[i]: data.column(i).to_pandas() for i in range(contract, len(names) - 3)}

    def column(name: str) -> pd.Series | None:
        return mapped[name] if mapping.is_contract_column(name) else export.get(name)

    optional = {mapping.columns.get(f) for f in OPTIONAL}
    wanted = [c for c in (*mapping.columns.values(), *mapping.categorical, *mapping.numeric) if c not in optional]
    absent = [c for c in wanted if column(c) is None]
    if absent:
        raise ValueError(_("The file %(path)s lacks the columns %(columns)s that the mapping %(name)s names.",
                           path=path.name, columns=", ".join(absent), name=mapping.name))
    frame = pd.DataFrame({f: column(c) for f, c in mapping.columns.items()}, index=range(len(data)))
    for name in mapping.categorical:
        frame[extra_name(name)] = column(name)
    for name in mapping.numeric:
        frame[extra_name(name)] = pd.to_numeric(column(name), errors="coerce")
    frame = canonical(frame)
    if "value" in mapping.columns and "outcome_value" not in mapping.columns:
        frame["outcome_value"] = frame["value"]  # what a fraudulent declaration puts at stake
    if "payment" in mapping.columns:
        frame["cash"] = np.where(frame["payment"].isna(), np.nan,
                                 frame["payment"].isin(mapping.cash_payments).astype(float))
    return frame


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Every field present, text as text, numbers as floats, dates as timestamps; bad ids and dates refused."""
    out = frame.copy()
    for name in FIELDS:
        if name not in out.columns:
            out[name] = None
    for name in TEXT_FIELDS:
        out[name] = out[name].astype("string").str.strip().replace("", pd.NA).astype(object)
        out[name] = out[name].where(out[name].notna(), None)
    for name in NUMBER_FIELDS:
        out[name] = pd.to_numeric(out[name], errors="coerce").astype(float)
    if out["id"].isna().any():
        raise ValueError(_("%(count)s declarations have no id.", count=int(out["id"].isna().sum())))
    if out["id"].duplicated().any():
        raise ValueError(_("The declaration id %(id)s appears more than once.",
                           id=str(out["id"][out["id"].duplicated()].iloc[0])))
    dates = pd.to_datetime(out["declared_at"], errors="coerce")
    if dates.isna().any():
        raise ValueError(_("The declaration %(id)s has no readable date.", id=str(out["id"][dates.isna()].iloc[0])))
    out["declared_at"] = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
    bad = out["outcome"].notna() & ~out["outcome"].isin([0.0, 1.0])
    if bad.any():
        raise ValueError(_("The declaration %(id)s has an outcome that is neither 0 nor 1.",
                           id=str(out["id"][bad].iloc[0])))
    if "cash" not in out.columns:
        out["cash"] = np.nan
    return out


def warehouse_declarations(warehouse: Warehouse) -> pd.DataFrame:
    """The warehouse's consignments as declarations: outcome from their last inspection, value from its seizures."""
    from baliza.targeting.sources import consignment_declarations

    return canonical(consignment_declarations(warehouse).execute())


def arrow_declarations(frame: pd.DataFrame) -> Any:
    """The declarations as an Arrow table with every field typed (a column of nulls is still text or a number)."""
    import pyarrow as pa

    types: dict[str, pa.DataType] = {n: pa.string() for n in TEXT_FIELDS}
    types |= {n: pa.float64() for n in (*NUMBER_FIELDS, "cash")}
    types["declared_at"] = pa.timestamp("us")
    types["known"] = types["_scored"] = pa.bool_()
    columns = {}
    for name in frame.columns:
        kind = types.get(name)
        if kind is None:
            kind = pa.float64() if pd.api.types.is_float_dtype(frame[name]) else pa.string()
        values = frame[name]
        if kind == pa.string() and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            values = values.astype(object).where(values.notna(), None)
            values = values.map(lambda v: v if v is None else str(v))
        columns[name] = pa.array(values, type=kind, from_pandas=True)
    return pa.table(columns)
