"""Property: whatever is done to valid files, every row read is accepted or quarantined, never lost."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliza.warehouse import open_warehouse
from load_fixtures import VALID, count, load, write_dataset

GARBAGE = st.sampled_from(["", " ", "x", "-1", "2031-02-30", "1,5", "=SUM(A1)", "nan", "é", '"', "a\nb", "S1", "U9",
                           "C1", "TRUE", "9" * 30, "Kg"])


@st.composite
def mutated_dataset(draw: st.DrawFn) -> dict[str, str]:
    tables = {}
    for name, text in VALID.items():
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        for _ in range(draw(st.integers(0, 4))):
            if not body:
                break
            action = draw(st.sampled_from(["garble", "empty", "duplicate", "drop", "extra", "short"]))
            i = draw(st.integers(0, len(body) - 1))
            row = list(body[i])
            if action == "garble":
                row[draw(st.integers(0, len(row) - 1))] = draw(GARBAGE)
            elif action == "empty":
                row[draw(st.integers(0, len(row) - 1))] = ""
            elif action == "duplicate":
                body.insert(i, list(row))
            elif action == "drop":
                body.pop(i)
                continue
            elif action == "extra":
                row.append(draw(GARBAGE))
            elif action == "short" and len(row) > 1:
                row.pop()
            body[i] = row
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        tables[name] = out.getvalue()
    return tables


def _records(text: str) -> int:
    return sum(1 for row in list(csv.reader(io.StringIO(text)))[1:] if row and any(cell.strip() for cell in row))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_dataset())
def test_every_row_is_accepted_or_quarantined(tables: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with open_warehouse(root / "w.duckdb") as wh:
            report = load(wh, write_dataset(root / "d", tables))
            for name, text in tables.items():
                t = report.tables[name]
                assert t.rows == _records(text), name
                assert t.accepted + t.quarantined == t.rows, name
                assert count(wh, name) == t.accepted, name
                quarantined = wh.duckdb.execute(
                    "SELECT count(*) FROM quarantine WHERE table_name = ?", [name]
                ).fetchall()[0][0]
                assert quarantined == t.quarantined, name
