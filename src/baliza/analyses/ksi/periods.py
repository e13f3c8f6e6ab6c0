"""Period labels as Ibis expressions, so that rows are put in periods by the engine, not in Python."""

from __future__ import annotations

import ibis.expr.types as ir

from baliza.analyses.periods import Granularity


def period_of(moment: ir.TimestampValue | ir.DateValue, granularity: Granularity) -> ir.StringValue:
    """The label (`2025`, `2025-Q1`, `2025-03`) of the period holding `moment`, as `analyses.periods` writes it."""
    year = moment.year().cast("string")
    if granularity is Granularity.YEAR:
        return year
    if granularity is Granularity.QUARTER:
        return year.concat("-Q", moment.quarter().cast("string"))
    return year.concat("-", moment.month().cast("string").lpad(2, "0"))
