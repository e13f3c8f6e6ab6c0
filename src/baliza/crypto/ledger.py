"""One chain's transactions as compressed arrays: what clustering and tracing read.

A UTXO chain (Bitcoin and its kind) comes from `crypto_io`: outputs and inputs, each input naming the output
it spends. An account chain (Ethereum, TRON, tokens) comes from `crypto_transfers`: one row per transfer of
one asset. Addresses and transactions are numbered once (dictionary encoding); amounts are kept as integers
in units of 1e-8 of the asset (satoshi for BTC), so that sums and FIFO slices are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from baliza.i18n import gettext as _

UNITS_PER_COIN = 100_000_000  # amounts are integers of 1e-8 of the asset
_INDEX_BITS = 24  # output indexes below 16.7 million (Bitcoin's largest transaction has about 13,000)


def to_units(amounts: Any) -> np.ndarray:
    """Decimal amounts (floats as the warehouse stores them) as integer units of 1e-8."""
    values = np.asarray(amounts, dtype=np.float64)
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError(_("An amount is missing or negative: every amount must be zero or more."))
    return np.rint(values * UNITS_PER_COIN).astype(np.int64)


def to_coins(units: float | int) -> float:
    """Integer (or fractional) units of 1e-8 as an amount of the asset, rounded to 1e-8."""
    return round(float(units) / UNITS_PER_COIN, 8)


def _encode(*columns: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[np.ndarray]]:
    """Number the distinct strings of `columns` together: the sorted values, and each column's codes (-1: null)."""
    arrays = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
    arrays = [a.cast(pa.string()) for a in arrays]
    distinct = pc.unique(pa.concat_arrays(arrays).drop_null())
    ordered = distinct.take(pc.array_sort_indices(distinct))
    codes = []
    for array in arrays:
        found = pc.fill_null(pc.index_in(array, value_set=ordered), -1)
        codes.append(found.to_numpy(zero_copy_only=False).astype(np.int64))
    return np.asarray(ordered.to_pylist(), dtype=object), codes


@dataclass
class UtxoLedger:
    """Inputs and outputs of a UTXO chain, numbered; outputs and inputs sorted by (transaction, index)."""

    chain: str
    addresses: np.ndarray  # address strings, sorted
    tx_hash: np.ndarray  # transaction hashes, sorted
    tx_time: np.ndarray  # datetime64[s] per transaction
    out_tx: np.ndarray
    out_index: np.ndarray
    out_addr: np.ndarray
    out_value: np.ndarray  # int64 units
    in_tx: np.ndarray
    in_addr: np.ndarray
    in_value: np.ndarray
    in_spent: np.ndarray  # the output each input spends, or -1 when that output is not in the data
    kind: str = field(default="utxo", init=False)

    @property
    def n_tx(self) -> int:
        return len(self.tx_hash)

    @cached_property
    def tx_input_value(self) -> np.ndarray:
        """S: all the value a transaction's inputs bring (linked to a known output or not)."""
        return np.bincount(self.in_tx, weights=self.in_value, minlength=self.n_tx)

    @cached_property
    def spender(self) -> np.ndarray:
        """The input spending each output, -1 when unspent in the data (a double spend keeps the first)."""
        spender = np.full(len(self.out_value), -1, dtype=np.int64)
        linked = np.flatnonzero(self.in_spent >= 0)
        spender[self.in_spent[linked][::-1]] = linked[::-1]
        return spender

    @cached_property
    def _by_address(self) -> sp.csr_matrix:
        """Outputs grouped by address: a counting sort (scipy's COO to CSR conversion), linear in the outputs."""
        n = len(self.out_addr)
        return sp.csr_matrix((np.ones(n, dtype=np.bool_), (self.out_addr, np.arange(n))),
                             shape=(len(self.addresses), n))

    @property
    def outputs_by_address(self) -> np.ndarray:
        """Output numbers grouped by address (those of address a: address_out_start[a]:address_out_start[a+1])."""
        return self._by_address.indices

    @property
    def address_out_start(self) -> np.ndarray:
        return self._by_address.indptr

    def build_indexes(self) -> None:
        """Build the indexes a trace reads (spender, outputs by address, transaction bounds) now, not on first use."""
        for name in ("spender", "_by_address", "out_start", "in_start", "tx_input_value"):
            getattr(self, name)

    @cached_property
    def out_start(self) -> np.ndarray:
        """Outputs of transaction t are out_start[t]:out_start[t+1] (outputs are sorted by transaction)."""
        return _bounds(self.out_tx, self.n_tx)

    @cached_property
    def in_start(self) -> np.ndarray:
        return _bounds(self.in_tx, self.n_tx)

    def address_codes(self, addresses: list[str]) -> np.ndarray:
        """Codes of `addresses` (-1 for an address the chain does not hold)."""
        return _lookup(self.addresses, addresses)

    @classmethod
    def from_arrow(cls, chain: str, io: pa.Table) -> UtxoLedger:
        """Build from `crypto_io` rows (columns as in the contract)."""
        io = io.filter(pc.equal(io["chain"], chain)) if "chain" in io.column_names else io
        is_out = pc.equal(io["direction"], "out")
        outs, ins = io.filter(is_out), io.filter(pc.invert(is_out))
        addresses, (out_addr, in_addr) = _encode(outs["address"], ins["address"])
        hashes, (out_tx, in_tx, spent_tx) = _encode(outs["tx_hash"], ins["tx_hash"], ins["spent_tx_hash"])
        # `spent_tx` was encoded against every hash, including the ones only named by inputs: keep known ones.
        known = np.zeros(len(hashes), dtype=bool)
        known[out_tx] = True
        known[in_tx] = True
        keep = known.copy()
        remap = np.cumsum(keep) - 1
        hashes = hashes[keep]
        out_tx, in_tx = remap[out_tx], remap[in_tx]
        spent_tx = np.where(spent_tx >= 0, np.where(known[np.maximum(spent_tx, 0)],
                                                    remap[np.maximum(spent_tx, 0)], -1), -1)
        times = np.full(len(hashes), np.datetime64("NaT"), dtype="datetime64[s]")
        times[in_tx] = ins["block_time"].to_numpy(zero_copy_only=False).astype("datetime64[s]")
        times[out_tx] = outs["block_time"].to_numpy(zero_copy_only=False).astype("datetime64[s]")
        out_index = outs["index"].to_numpy(zero_copy_only=False).astype(np.int64)
        in_index = ins["index"].to_numpy(zero_copy_only=False).astype(np.int64)
        o = np.lexsort((out_index, out_tx))
        i = np.lexsort((in_index, in_tx))
        out_tx, out_index, out_addr = out_tx[o], out_index[o], out_addr[o]
        out_value = to_units(outs["amount"].to_numpy(zero_copy_only=False))[o]
        spent_index = pc.fill_null(ins["spent_index"], -1).to_numpy(zero_copy_only=False).astype(np.int64)[i]
        in_tx, in_addr, spent_tx = in_tx[i], in_addr[i], spent_tx[i]
        in_value = to_units(ins["amount"].to_numpy(zero_copy_only=False))[i]
        out_key = (out_tx << _INDEX_BITS) + out_index
        in_key = (spent_tx << _INDEX_BITS) + spent_index
        at = np.minimum(np.searchsorted(out_key, in_key), max(len(out_key) - 1, 0))
        found = (spent_tx >= 0) & (spent_index >= 0) & (len(out_key) > 0)
        found &= out_key[at] == in_key if len(out_key) else False
        in_spent = np.where(found, at, -1)
        return cls(chain, addresses, hashes, times, out_tx, out_index, out_addr, out_value, in_tx, in_addr,
                   in_value, in_spent)


@dataclass
class AccountLedger:
    """Transfers of one asset on an account chain, in time order (ties in the order of the data's files and
    lines, else by hash, sender, receiver)."""

    chain: str
    asset: str
    addresses: np.ndarray
    tx_hash: np.ndarray  # per transfer
    time: np.ndarray  # datetime64[s] per transfer
    src: np.ndarray
    dst: np.ndarray
    value: np.ndarray  # int64 units
    kind: str = field(default="account", init=False)

    def address_codes(self, addresses: list[str]) -> np.ndarray:
        return _lookup(self.addresses, addresses)

    @classmethod
    def from_arrow(cls, chain: str, transfers: pa.Table, asset: str | None = None) -> AccountLedger:
        """Build from `crypto_transfers` rows; `asset` defaults to the chain's most frequent asset."""
        if "chain" in transfers.column_names:
            transfers = transfers.filter(pc.equal(transfers["chain"], chain))
        if asset is None and transfers.num_rows:
            counts = pc.value_counts(transfers["asset"]).to_pylist()
            asset = max(counts, key=lambda c: (c["counts"], c["values"]))["values"]
        transfers = transfers.filter(pc.equal(transfers["asset"], asset or ""))
        # time order; transfers at one time in the order the data gives them (load, file, line), else by hash
        keys = [("block_time", "ascending")]
        keys += [(k, "ascending") for k in ("_load_id", "_source_file", "_source_line") if k in transfers.column_names]
        keys += [("tx_hash", "ascending"), ("from_address", "ascending"), ("to_address", "ascending")]
        order = pc.sort_indices(transfers, sort_keys=keys)
        transfers = transfers.take(order)
        addresses, (src, dst) = _encode(transfers["from_address"], transfers["to_address"])
        return cls(chain, asset or "", addresses, np.asarray(transfers["tx_hash"].to_pylist(), dtype=object),
                   transfers["block_time"].to_numpy(zero_copy_only=False).astype("datetime64[s]"), src, dst,
                   to_units(transfers["amount"].to_numpy(zero_copy_only=False)))


Ledger = UtxoLedger | AccountLedger


def _bounds(sorted_codes: np.ndarray, n: int) -> np.ndarray:
    """Where each code's run starts in `sorted_codes` (n + 1 bounds), by counting: linear, no search."""
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_codes, minlength=n), out=bounds[1:])
    return bounds


def _lookup(sorted_values: np.ndarray, wanted: list[str]) -> np.ndarray:
    if not len(sorted_values):
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_values, np.asarray(wanted, dtype=object)), len(sorted_values) - 1)
    return np.where(sorted_values[at] == np.asarray(wanted, dtype=object), at, -1).astype(np.int64)


IO_COLUMNS = ("chain", "tx_hash", "block_time", "direction", "index", "address", "amount", "spent_tx_hash",
              "spent_index")
TRANSFER_COLUMNS = ("chain", "tx_hash", "block_time", "from_address", "to_address", "asset", "amount")


def load_ledger(warehouse: Any, chain: str, asset: str | None = None) -> Ledger:
    """The chain `chain` from the warehouse: UTXO when `crypto_io` holds it, else its account transfers."""
    io = warehouse.table("crypto_io")
    rows = io.filter(io.chain == chain).select(*IO_COLUMNS)
    if int(rows.count().execute()):
        return UtxoLedger.from_arrow(chain, rows.to_pyarrow())
    transfers = warehouse.table("crypto_transfers")
    rows = transfers.filter(transfers.chain == chain).select(*TRANSFER_COLUMNS, "_load_id", "_source_file",
                                                             "_source_line")
    if asset is not None:
        rows = rows.filter(rows.asset == asset)
    table = rows.to_pyarrow()
    if not table.num_rows:
        raise LookupError(_("The warehouse holds no transactions of the chain %(chain)s.", chain=chain))
    return AccountLedger.from_arrow(chain, table, asset)
