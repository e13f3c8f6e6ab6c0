"""What a targeter looks at in a declaration, as Ibis expressions (they run on DuckDB, PostgreSQL or Spark).

Every history is time-aware: a declaration lodged on day D sees only what was known at the end of day D-1
(declarations seen, inspections made, drugs or fraud found), never its own outcome nor a later one.

- Parties (consignee, shipper, declarant, carrier, and the consignee-shipper pair): how many earlier
  declarations they made (0 means new), how long they have been known, and the share of their inspections
  that found something, shrunk towards the overall rate when they were inspected only a few times.
- Route: origin, departure or transit country, whether the goods were routed through a known hub, and the
  history of the origin, the route and the office.
- Commodity: the HS code's history; how often this HS code came from this origin before (a commodity that
  rarely comes from there is a reason to look), and with this description.
- Value and weight against the norm for the HS code: z-scores of the log unit value and the log mass against
  what was declared for that code before.
- Payment in cash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

SMOOTHING = 5.0
"""Inspections' weight of the overall rate in a party's shrunk hit rate."""
MIN_NORM = 5
"""Declarations of an HS code needed before its value and weight norms are used."""


@dataclass(frozen=True)
class History:
    """A history kept per value of `columns` (one party, one route, one commodity...)."""

    name: str
    columns: tuple[str, ...]
    known_since: bool = False  # days since first seen (parties)
    norms: bool = False  # value and mass norms (the HS code)


HISTORIES: tuple[History, ...] = (
    History("consignee", ("consignee",), known_since=True),
    History("shipper", ("shipper",), known_since=True),
    History("declarant", ("declarant",), known_since=True),
    History("carrier", ("carrier",), known_since=True),
    History("pair", ("consignee", "shipper")),
    History("hs", ("hs_code",), norms=True),
    History("hs_origin", ("hs_code", "origin_country")),
    History("hs_description", ("hs_code", "description")),
    History("origin", ("origin_country",)),
    History("route", ("origin_country", "departure_country")),
    History("office", ("office",)),
)
CATEGORICAL: tuple[str, ...] = ("office", "mode", "payment", "origin_country", "departure_country", "hs2", "hs4")
NUMERIC_ROW: tuple[str, ...] = ("log_mass", "log_value", "log_unit_value", "cash", "transit", "via_hub",
                                "hs_origin_share", "hs_description_share", "unit_value_z", "mass_z")


def history_columns(history: History) -> list[str]:
    names = [f"{history.name}_seen", f"{history.name}_inspected", f"{history.name}_hit_rate"]
    if history.known_since:
        names.append(f"{history.name}_days_known")
    return names


def numeric_features() -> list[str]:
    columns = [c for h in HISTORIES for c in history_columns(h) if not c.startswith(("hs_origin_", "hs_description_"))]
    return [*columns, *NUMERIC_ROW]


def prepare(declarations: ir.Table, hubs: Sequence[str]) -> ir.Table:
    """Row-level features and the day each declaration is known from."""
    d = declarations
    unit_value = ibis.ifelse((d.mass_kg > 0) & (d.value > 0), (d.value / d.mass_kg).ln(), ibis.null("float64"))
    hub_list = list(hubs) or ["-"]
    transit_text = d.transit.fill_null("")
    via_hub = d.departure_country.isin(hub_list) | ibis.or_(*[transit_text.contains(h) for h in hub_list])
    return d.mutate(
        day=d.declared_at.date(),
        hs2=d.hs_code.substr(0, 2),
        hs4=d.hs_code.substr(0, 4),
        log_mass=ibis.ifelse(d.mass_kg > 0, d.mass_kg.ln(), ibis.null("float64")),
        log_value=ibis.ifelse(d.value > 0, d.value.ln(), ibis.null("float64")),
        log_unit_value=unit_value,
        transit=ibis.ifelse(
            (d.departure_country.notnull() & (d.departure_country != d.origin_country.fill_null("")))
            | (transit_text != ""), 1.0, 0.0),
        via_hub=ibis.ifelse(via_hub, 1.0, 0.0),
        _hit=ibis.ifelse(d.known & (d.outcome == 1.0), 1.0, 0.0),
        _inspected=ibis.ifelse(d.known & d.outcome.notnull(), 1.0, 0.0),
    )


def _daily_history(rows: ir.Table, history: History, base_rate: float) -> ir.Table:
    """One row per (key, day): what was known of that key at the end of the day before."""
    keys = list(history.columns)
    keyed = rows.filter(*[rows[c].notnull() for c in keys])
    metrics = {"n": keyed.count(), "inspected": keyed._inspected.sum(), "hits": keyed._hit.sum()}
    if history.norms:
        uv, lm = keyed.log_unit_value, keyed.log_mass
        metrics |= {"uv_n": uv.count(), "uv_s": uv.sum(), "uv_q": (uv * uv).sum(),
                    "m_n": lm.count(), "m_s": lm.sum(), "m_q": (lm * lm).sum()}
    daily = keyed.group_by([*keys, "day"]).aggregate(**metrics)
    before = ibis.window(group_by=keys, order_by="day", rows=(None, -1))
    p = history.name
    seen = daily.n.sum().over(before).fill_null(0).cast("float64")
    inspected = daily.inspected.sum().over(before).fill_null(0)
    hits = daily.hits.sum().over(before).fill_null(0)
    out = {f"{p}_seen": seen, f"{p}_inspected": inspected,
           f"{p}_hit_rate": (hits + SMOOTHING * base_rate) / (inspected + SMOOTHING)}
    if history.known_since:
        first = daily.day.min().over(before)
        out[f"{p}_days_known"] = daily.day.delta(first, unit="day").cast("float64")
    if history.norms:
        for stem in ("uv", "m"):
            n = daily[f"{stem}_n"].sum().over(before).fill_null(0)
            s = daily[f"{stem}_s"].sum().over(before)
            q = daily[f"{stem}_q"].sum().over(before)
            out[f"_{stem}_mean"] = ibis.ifelse(n >= MIN_NORM, s / n, ibis.null("float64"))
            variance = (q / n) - (s / n) * (s / n)
            out[f"_{stem}_sd"] = ibis.ifelse(n >= MIN_NORM, ibis.greatest(variance, 1e-6).sqrt(), ibis.null("float64"))
    renamed = {f"_k{i}": daily[c] for i, c in enumerate(keys)}
    return daily.select(**renamed, _day=daily.day, **out)


def feature_table(declarations: ir.Table, hubs: Sequence[str], base_rate: float,
                  present: set[str] | None = None) -> ir.Table:
    """Every feature of every declaration, one row per declaration id.

    `declarations` holds targeting's fields (see `declarations.FIELDS`) and `known`: whether its outcome may
    feed the history (false for the declarations being scored, whose outcome is not known yet). A history
    whose key columns are empty throughout (`present` names the others) is left out: its features are missing.
    """
    rows = prepare(declarations, hubs)
    histories = [h for h in HISTORIES if present is None or set(h.columns) <= present]
    keys = list(dict.fromkeys(c for h in histories for c in h.columns))
    result = rows.select("id", "day", *keys)
    for history in histories:
        daily = _daily_history(rows, history, base_rate)
        predicates = [result[c] == daily[f"_k{i}"] for i, c in enumerate(history.columns)]
        joined = result.left_join(daily, [*predicates, result.day == daily._day])
        result = joined.select(*[joined[c] for c in result.columns],
                               *[joined[c] for c in daily.columns if not c.startswith(("_k", "_day"))])
    raw = {"declarant", "consignee", "shipper", "carrier", "description", "destination_country", "day",
           "_hit", "_inspected"}
    both = rows.drop(*raw).join(result.drop(*keys, "day").rename(_id="id"), rows.id == result.id)
    both = both.drop("_id") if "_id" in both.columns else both
    names = set(both.columns)
    missing = ibis.null("float64")

    def share(column: str) -> ir.Value:
        return both[column] / both.hs_seen.nullif(0) if {column, "hs_seen"} <= names else missing

    def against_norm(value: str, stem: str) -> ir.Value:
        return (both[value] - both[f"_{stem}_mean"]) / both[f"_{stem}_sd"] if f"_{stem}_mean" in names else missing

    features = both.mutate(hs_origin_share=share("hs_origin_seen"), hs_description_share=share("hs_description_seen"),
                           unit_value_z=against_norm("log_unit_value", "uv"), mass_z=against_norm("log_mass", "m"))
    return features.drop(*[c for c in ("_uv_mean", "_uv_sd", "_m_mean", "_m_sd") if c in names])
