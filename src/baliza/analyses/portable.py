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


def most_frequent(table: ir.Table, keys: list[str], column: str) -> ir.Table:
    """Per `keys`, the most frequent non-null value of `column` (ties: the smallest value), as a table of the
    keys and `column`. Ibis's `mode()` has no Spark spelling, and breaks ties differently on each engine."""
    import ibis

    counted = table.filter(table[column].notnull()).group_by([*keys, column]).aggregate(_n=lambda t: t.count())
    ranked = counted.mutate(_rank=ibis.row_number().over(group_by=[counted[k] for k in keys],
                                                        order_by=[ibis.desc(counted._n), counted[column]]))
    return ranked.filter(ranked._rank == 0).select(*keys, column)


def last_item(array: ir.ArrayValue) -> ir.Value:
    """The last element of `array`, null when it is empty or null. (`array[-1]` compiles for Spark to
    `ELEMENT_AT(array, 0)`, an error there.)"""
    import ibis

    size = array.length()
    return ibis.cases((size > 0, array[size - 1]), else_=ibis.null(array.type().value_type))
