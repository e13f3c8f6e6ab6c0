"""The UTXO trace as iterative joins on Spark, for a chain too large for one machine.

The same rules as `utxo_trace` (poison and haircut; FIFO is sequential by nature and stays there), written as
relational steps a cluster runs: each hop joins the frontier's outputs to the inputs that spend them, sums
the taint per transaction (haircut) or keeps the transactions reached (poison), and joins those to their
outputs. The frontier is brought back after each hop (it is small beside the chain), which keeps each
hop's plan short. Results equal the numpy engine's (tests run Spark in local mode).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from baliza.crypto.hops import Hop
from baliza.crypto.ledger import UtxoLedger


def local_session(cores: int = 2) -> Any:
    """A Spark session in local mode (what CI and a single analyst's machine run)."""
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(f"local[{cores}]").appName("baliza-crypto")
            .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(cores * 2))
            .config("spark.driver.memory", "2g").getOrCreate())


def spark_trace_utxo(spark: Any, ledger: UtxoLedger, seeds: np.ndarray, stop_address: np.ndarray, method: str,
                     max_hops: int) -> list[Hop]:
    """Hops 0..max_hops of a forward poison or haircut trace, computed by Spark."""
    from pyspark.sql import functions as F

    if method not in ("poison", "haircut"):
        raise ValueError("The Spark engine traces by the poison and haircut rules.")
    seed_out = np.isin(ledger.out_addr, seeds[seeds >= 0])
    outputs = spark.createDataFrame(pd.DataFrame({
        "o": np.arange(len(ledger.out_value), dtype=np.int64), "tx": ledger.out_tx.astype(np.int64),
        "value": ledger.out_value.astype(np.float64), "seed": seed_out,
        "stop": stop_address[ledger.out_addr] & ~seed_out})).cache()
    linked = ledger.in_spent >= 0
    spends = spark.createDataFrame(pd.DataFrame({"o": ledger.in_spent[linked].astype(np.int64),
                                                 "in_tx": ledger.in_tx[linked].astype(np.int64)}))
    spends = spends.dropDuplicates(["o"]).cache()  # a double spend keeps one input, as the numpy engine does
    totals = spark.createDataFrame(pd.DataFrame({"tx": np.arange(ledger.n_tx, dtype=np.int64),
                                                 "total_in": ledger.tx_input_value.astype(np.float64)})).cache()
    items = np.flatnonzero(seed_out)
    hops = [Hop(items, ledger.out_value[items].astype(np.int64), np.full(len(items), -1, dtype=np.int64))]
    visited = outputs.filter("seed").select("o") if method == "poison" else None
    for _ in range(max_hops):
        last = hops[-1]
        if not len(last.items):
            hops.append(Hop.empty())
            continue
        frontier = spark.createDataFrame(pd.DataFrame({"o": last.items.astype(np.int64),
                                                       "taint": last.taint.astype(np.float64)}))
        carried = (frontier.join(outputs.filter(~F.col("stop")).select("o"), "o")
                   .join(spends, "o")
                   .groupBy("in_tx")
                   .agg(F.sum("taint").alias("carried"),
                        F.max(F.struct(F.col("taint"), (-F.col("o")).alias("neg_o"))).alias("best")))
        reached = (carried.join(outputs.filter(~F.col("seed")), carried.in_tx == outputs.tx)
                   .join(totals, "tx")
                   .select("o", "value", "carried", "total_in", (-F.col("best.neg_o")).alias("parent")))
        if method == "poison":
            reached = reached.join(visited, "o", "left_anti").withColumn("taint", F.col("value"))
        else:
            reached = reached.withColumn("taint", F.when(F.col("total_in") > 0, F.col("value") * F.col("carried")
                                                         / F.col("total_in")).otherwise(F.lit(0.0)))
        found = reached.filter(F.col("taint") > 0).select("o", "taint", "parent").toPandas()
        found = found.sort_values("o")
        taint = found["taint"].to_numpy()
        hop = Hop(found["o"].to_numpy(dtype=np.int64),
                  taint.astype(np.int64) if method == "poison" else taint, found["parent"].to_numpy(np.int64))
        hops.append(hop)
        if visited is not None and len(hop.items):
            visited = visited.union(spark.createDataFrame(pd.DataFrame({"o": hop.items}))).cache()
    return hops
