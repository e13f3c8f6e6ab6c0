"""Ibis idioms that compile to the same result on every engine (DuckDB, PostgreSQL, Spark).

Some expressions Ibis accepts compile to SQL one engine refuses: PostgreSQL casts a boolean only to a
4-byte integer (`CAST(true AS BIGINT)` is an error there). The helpers here say the same thing in a form
every engine takes; an analysis uses them instead of the direct spelling.
"""

from __future__ import annotations

import ibis.expr.types as ir


def as_int(flag: ir.BooleanValue) -> ir.IntegerValue:
    """1 for true, 0 for false, null for null, as a 64-bit integer (to count flags with `sum`)."""
    return flag.cast("int32").cast("int64")
