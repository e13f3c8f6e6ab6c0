"""Indicator values as people read them, by the indicator's kind: a share as a percentage ("14.9 %"), a count
whole ("85"), a mean to one decimal ("13.6"), a ratio as a multiple ("×17.2"); intervals alike. Installed
as Jinja filters (`figure`, `interval`, `percent`, `percentile`), built on `formatting.number`.
"""

from __future__ import annotations

from typing import Any

from baliza.i18n import gettext as _
from baliza.i18n.labels import indicator_heading
from baliza.web.formatting import number

KINDS_BY_INDICATOR = {  # the justice indicators are not in the KSI catalogue
    "clearance_rate": "proportion", "dismissal_rate": "proportion", "conviction_rate": "proportion",
    "disposition_time_days": "mean",
}


def kind_of(indicator: str) -> str:
    """The kind of a unit or office indicator: proportion, count, total, mean or ratio."""
    if indicator in KINDS_BY_INDICATOR:
        return KINDS_BY_INDICATOR[indicator]
    from baliza.analyses.ksi.catalogue import get_spec

    try:
        return get_spec(indicator).kind.value
    except KeyError:
        return "mean"


def percent(value: float | None, decimals: int = 1) -> str:
    """0.1496 -> '15 %' style text with `decimals` decimals ('–' for no value)."""
    if value is None:
        return "–"
    return _("%(value)s %%", value=number(100 * float(value), decimals))


def figure(value: float | None, indicator: str) -> str:
    """An indicator's value written for its kind."""
    if value is None:
        return "–"
    kind = kind_of(indicator)
    if kind == "proportion":
        return percent(value)
    if kind == "count":
        return number(round(float(value)), 0)
    if indicator == "targeting_lift":  # a ratio of two hit rates: how many times
        return _("×%(value)s", value=number(value, 1))
    return number(value, 1)


def interval(low: float | None, high: float | None, indicator: str) -> str:
    """A 95 % interval as 'low–high' in the indicator's kind ('' when there is none)."""
    if low is None or high is None:
        return ""
    return f"{figure(low, indicator)}–{figure(high, indicator)}"


def percentile(value: float | None) -> str:
    """A peer percentile (0 worst, 100 best) as an ordinal-free phrase: 'better than 72 % of peers'."""
    if value is None:
        return "–"
    return _("better than %(share)s of peers", share=percent(value / 100, 0))


def install(env: Any) -> None:
    """The filters, and the label functions of `names`, for the dashboard's templates."""
    from baliza.web import names

    env.filters.update({"figure": figure, "percent": percent, "percentile": percentile})
    env.globals.update({"interval": interval, "indicator_label": indicator_heading,
                        "rule_label": names.rule_label, "decision_label": names.decision_label,
                        "table_label": names.table_label})
