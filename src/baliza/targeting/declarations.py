"""Declarations in one shape, whoever wrote them: a customs export read through a column map, or the warehouse.

Targeting reads a *declaration*: its id and date, the office (entry point) it was lodged at, the parties
(declarant, consignee, shipper, carrier), the commodity (HS code, description), the route (origin,
departure or transit countries), payment, mass, value and, when it was inspected, the outcome. A customs
administration's own export is read through a mapping (`mappings/NAME.yaml`: field -> column), so nobody
renames columns by hand; the warehouse's consignments, inspections and seizures give the same fields.

`outcome` is 1 (drugs or fraud found), 0 (inspected, nothing found) or missing (not inspected, or the
export has no outcome column). `outcome_value` is what was at stake: the seized quantity, or the declared
value of a fraudulent declaration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from baliza.i18n import gettext as _

if TYPE_CHECKING:
    from baliza.warehouse.store import Warehouse

MAPPINGS = Path(__file__).parent / "mappings"
TEXT_FIELDS = ("id", "office", "mode", "declarant", "consignee", "shipper", "carrier", "hs_code", "description",
               "origin_country", "departure_country", "transit", "destination_country", "payment")
NUMBER_FIELDS = ("mass_kg", "value", "outcome", "outcome_value")
FIELDS = (*TEXT_FIELDS, "declared_at", *NUMBER_FIELDS)
REQUIRED = ("id", "declared_at")
EXTRA_PREFIX = "x_"


@dataclass(frozen=True)
class Mapping:
    """Which column of an export holds each field targeting reads."""

    name: str
    columns: dict[str, str]
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    cash_payments: tuple[str, ...] = ()
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def extra_categorical(self) -> list[str]:
        return [extra_name(c) for c in self.categorical]

    @property
    def extra_numeric(self) -> list[str]:
        return [extra_name(c) for c in self.numeric]


def extra_name(column: str) -> str:
    """`Tax Rate` -> `x_tax_rate`: an export's own column, named safely for every engine."""
    return EXTRA_PREFIX + re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_")


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping by name (`kcs`) or a mapping file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS / f"{name_or_path}.yaml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in MAPPINGS.glob("*.yaml")))
        raise ValueError(_("No mapping %(name)s: give a mapping file or one of %(shipped)s.",
                           name=str(name_or_path), shipped=shipped))
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    columns = raw.get("columns") or {}
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise ValueError(_("The mapping %(name)s names fields targeting does not read: %(fields)s.",
                           name=path.name, fields=", ".join(unknown)))
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise ValueError(_("The mapping %(name)s lacks the required fields %(fields)s.",
                           name=path.name, fields=", ".join(missing)))
    return Mapping(name=str(raw.get("name") or path.stem), columns={k: str(v) for k, v in columns.items()},
                   categorical=tuple(map(str, raw.get("categorical") or ())),
                   numeric=tuple(map(str, raw.get("numeric") or ())),
                   cash_payments=tuple(map(str, raw.get("cash_payments") or ())), title=str(raw.get("title", "")))


def read_declarations(path: str | Path, mapping: Mapping) -> pd.DataFrame:
    """The declarations in an export (CSV, or Parquet by its suffix), in targeting's fields.

    The outcome columns may be absent (declarations still to be scored); any other mapped column must be there.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(_("No declarations file at %(path)s.", path=str(path)))
    if path.suffix.lower() == ".parquet":
        raw = pd.read_parquet(path)
    else:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    optional = {mapping.columns.get("outcome"), mapping.columns.get("outcome_value")}
    wanted = [c for c in (*mapping.columns.values(), *mapping.categorical, *mapping.numeric) if c not in optional]
    absent = [c for c in wanted if c not in raw.columns]
    if absent:
        raise ValueError(_("The file %(path)s lacks the columns %(columns)s that the mapping %(name)s names.",
                           path=path.name, columns=", ".join(absent), name=mapping.name))
    frame = pd.DataFrame({f: raw[c] if c in raw.columns else None for f, c in mapping.columns.items()})
    for column in mapping.categorical:
        frame[extra_name(column)] = raw[column]
    for column in mapping.numeric:
        frame[extra_name(column)] = pd.to_numeric(raw[column], errors="coerce")
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
