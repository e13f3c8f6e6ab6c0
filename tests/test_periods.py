"""A period's label is the same whether Python or Ibis (on the engine) writes it."""

from datetime import date, datetime

import duckdb
import ibis
import pytest

from baliza.analyses.periods import Granularity, period_bounds, period_label, period_of

MOMENTS = [datetime(2024, 2, 29, 23, 59, 59), datetime(2025, 3, 31, 23, 59), datetime(2025, 4, 1),
           datetime(2025, 12, 31, 12)]


@pytest.mark.parametrize("granularity", list(Granularity))
def test_python_and_ibis_write_the_same_label(granularity: Granularity) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, moment TIMESTAMP)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(MOMENTS)))
    python = [period_label(m.date(), granularity) for m in MOMENTS]
    t = ibis.duckdb.from_connection(con).table("t")
    via_ibis = t.order_by("i").select(label=period_of(t["moment"], granularity)).to_pyarrow()["label"].to_pylist()
    assert python == via_ibis
    for label, moment in zip(python, MOMENTS, strict=True):
        first, last = period_bounds(label)
        assert first <= moment.date() <= last and isinstance(first, date)
