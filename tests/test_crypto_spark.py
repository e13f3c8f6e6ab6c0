"""The trace as iterative joins on Spark (local mode) gives the numpy engine's results on the test chain.

`spark` is the test session's one Spark session (`tests/engines.py`): starting one costs 10 to 60 seconds."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from baliza.crypto.chaindata import read_chain
from baliza.crypto.utxo_trace import trace_utxo
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse
from crypto_world import build_utxo, write_csv

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning",
                                        "ignore:.*copy keyword.*")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark (Debian: openjdk-17-jre-headless)", allow_module_level=True)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("spark")
    world = build_utxo(seed=3)
    write_csv(folder / "data", "crypto_io", world.io)
    write_csv(folder / "data", "crypto_tags", world.tags)
    with open_warehouse(folder / "w.duckdb") as warehouse:
        load_datasets(warehouse, [folder / "data"], agency="AG-FIU")
        return read_chain(warehouse, "btc"), world


@pytest.mark.slow
@pytest.mark.parametrize("method", ["poison", "haircut"])
def test_spark_trace_equals_the_numpy_trace(spark, chain, method: str) -> None:
    from baliza.crypto.spark import spark_trace_utxo

    data, world = chain
    seeds = data.ledger.address_codes(world.seeds)
    stop = data.tags.stop_addresses(data.clustering)
    expected = trace_utxo(data.ledger, seeds, stop, method, 6)
    got = spark_trace_utxo(spark, data.ledger, seeds, stop, method, 6)
    assert sum(len(h.items) for h in expected[1:]) > 20  # the trace goes somewhere
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.items.tolist() == theirs.items.tolist()
        assert np.allclose(mine.taint, theirs.taint, rtol=0, atol=1e-6)  # units of 1e-8: far below a satoshi
        assert mine.parent.tolist() == theirs.parent.tolist()
