"""Efficiency (issue 3) and KSIs (issue 4) equal an independent pandas computation from the raw files.

A small generated country is written to CSV, edge cases are appended to its files (a case resolved at 23:59:59
on a quarter's last day, a case with no defendant, a disposition for a person who is not a defendant, offsets in
timestamps, a case whose only defendant is never disposed), the folder is loaded with `load_datasets`, and every
row of `baliza efficiency --json` and `baliza ksi --json` is compared with `independent.py`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import independent
from baliza.cli.app import app
from baliza.demo import generate_country
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse

EXACT = ("incoming", "resolved", "pending_end", "clearance_rate", "disposition_time_days", "case_turnover_ratio",
         "dismissal_rate", "conviction_rate", "statute_barred_share")
MEDIANS = ("median_days_to_disposition", "median_days_seizure_to_case")


def _append(folder: Path, table: str, rows: list[dict[str, str]]) -> None:
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    with path.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writerows([{k: row.get(k, "") for k in header} for row in rows])


def _edge_cases(folder: Path) -> None:
    with (folder / "cases.csv").open(encoding="utf-8") as f:
        first = next(csv.DictReader(f))
    office, prosecutor = first["office_id"], first["lead_prosecutor_id"]
    with (folder / "dispositions.csv").open(encoding="utf-8") as f:
        judges = sorted({r["judge_id"] for r in csv.DictReader(f) if r["judge_id"]})
    judge, other_judge = judges[-1], judges[0]  # the tie below must not go to the greatest id by luck
    with (folder / "persons.csv").open(encoding="utf-8") as f:
        person = next(csv.DictReader(f))["person_id"]

    def case(cid: str, opened: str) -> dict[str, str]:
        return {"case_id": cid, "office_id": office, "opened_at": opened, "origin": "arrest",
                "lead_prosecutor_id": prosecutor, "assignment": "manual"}

    _append(folder, "cases", [
        case("EDGE-1", "2023-02-10T08:00:00Z"),          # resolved 23:59:59 on 31 March: Q1, March
        case("EDGE-2", "2023-03-31T23:30:00-05:00"),     # opened 1 April in UTC
        case("EDGE-3", "2023-05-05T10:00:00+02:00"),     # no defendant listed, one disposition
        case("EDGE-4", "2023-06-01T00:00:00Z"),          # a defendant never disposed
        case("EDGE-5", "2023-06-30T22:00:00-03:00"),     # a non-defendant disposed later than the defendant
        case("EDGE-6", "2023-08-01T12:00:00Z"),          # no defendant listed, no disposition
        case("EDGE-7", "2023-02-01T09:00:00Z"),          # disposed (a data error) before it was opened
        case("EDGE-8", "2023-10-02T09:00:00Z"),          # two judges dispose at the same instant
    ])
    _append(folder, "case_parties", [
        {"case_id": "EDGE-1", "person_id": person, "role": "defendant"},
        {"case_id": "EDGE-2", "person_id": person, "role": "defendant"},
        {"case_id": "EDGE-4", "person_id": person, "role": "defendant"},
        {"case_id": "EDGE-5", "person_id": person, "role": "defendant"},
        {"case_id": "EDGE-6", "person_id": person, "role": "witness"},
        {"case_id": "EDGE-7", "person_id": person, "role": "defendant"},
        {"case_id": "EDGE-8", "person_id": person, "role": "defendant"},
        {"case_id": "EDGE-8", "person_id": "P-NOT-A-PARTY", "role": "defendant"},
    ])
    _append(folder, "dispositions", [
        {"case_id": "EDGE-1", "person_id": person, "disposed_at": "2023-03-31T23:59:59Z", "outcome": "dismissed",
         "judge_id": judge},
        {"case_id": "EDGE-2", "person_id": person, "disposed_at": "2023-06-30T20:00:00-04:00",
         "outcome": "convicted", "judge_id": judge},
        {"case_id": "EDGE-3", "person_id": person, "disposed_at": "2023-09-30T23:59:59.999Z",
         "outcome": "withdrawn"},
        {"case_id": "EDGE-5", "person_id": person, "disposed_at": "2023-07-01T01:00:00Z", "outcome": "acquitted",
         "judge_id": judge},
        {"case_id": "EDGE-5", "person_id": "P-NOT-A-PARTY", "disposed_at": "2023-12-31T23:59:59Z",
         "outcome": "plea_convicted", "judge_id": judge},
        {"case_id": "EDGE-7", "person_id": person, "disposed_at": "2023-01-15T10:00:00Z", "outcome": "dismissed",
         "judge_id": judge},
        {"case_id": "EDGE-8", "person_id": person, "disposed_at": "2023-11-30T10:00:00Z", "outcome": "dismissed",
         "judge_id": judge},
        {"case_id": "EDGE-8", "person_id": "P-NOT-A-PARTY", "disposed_at": "2023-11-30T10:00:00Z",
         "outcome": "convicted", "judge_id": other_judge},
    ])
    _append(folder, "persons", [{"person_id": "P-NOT-A-PARTY"}])
    _ksi_edge_cases(folder, office, person)


def _ksi_edge_cases(folder: Path, office: str, person: str) -> None:
    """Seizures at the edges of the 48-hour and 90-day windows and of a quarter, with offsets and fractions."""
    with (folder / "seizures.csv").open(encoding="utf-8") as f:
        unit = next(csv.DictReader(f))["unit_id"]

    def seizure(sid: str, seized: str, shared: str, led: str = "") -> dict[str, str]:
        return {"seizure_id": sid, "unit_id": unit, "seized_at": seized, "substance": "cocaine",
                "substance_group": "cocaine_type", "quantity": "1", "quantity_unit": "kg",
                "shared_with_partners_at": shared, "intelligence_led": led}

    _append(folder, "seizures", [
        seizure("EDGE-S1", "2023-03-31T23:59:59.500Z", "2023-04-02T23:59:59.500Z", "true"),  # exactly 48 h
        seizure("EDGE-S2", "2023-03-31T20:00:00-04:00", "2023-04-03T00:00:00.500Z", "false"),  # 48 h and 0.5 s
        seizure("EDGE-S3", "2023-06-30T12:00:00Z", ""),
        seizure("EDGE-S4", "2023-06-30T12:00:00Z", ""),
    ])
    _append(folder, "arrests", [
        {"arrest_id": f"EDGE-A{k}", "person_id": person, "unit_id": unit, "arrested_at": "2023-06-30T12:00:00Z",
         "seizure_id": f"EDGE-S{k}"} for k in (3, 4)
    ])
    _append(folder, "cases", [  # 90 days exactly, and 90 days and half a second, after the seizure
        {"case_id": "EDGE-C3", "office_id": office, "opened_at": "2023-09-28T12:00:00Z", "origin": "seizure",
         "seizure_id": "EDGE-S3"},
        {"case_id": "EDGE-C4", "office_id": office, "opened_at": "2023-09-28T12:00:00.500Z", "origin": "seizure",
         "seizure_id": "EDGE-S4"},
    ])


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("independent")
    folder = root / "country"
    generate_country(folder, seed=11, scale="small")
    _edge_cases(folder)
    db = root / "w.duckdb"
    with open_warehouse(db) as wh:
        report = load_datasets(wh, [folder])
    assert sum(t.quarantined for t in report.tables.values()) == 0
    return folder, db


def _run(db: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(app, [*args, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("period", ["year", "quarter", "month"])
@pytest.mark.parametrize("by", ["office", "prosecutor", "judge"])
def test_efficiency_equals_independent_computation(country: tuple[Path, Path], period: str, by: str) -> None:
    folder, db = country
    rows = _run(db, "efficiency", "--period", period, "--by", by)
    expected = independent.efficiency(folder, period, by)
    key = "office_id" if by == "office" else "staff_id"
    seen: set[tuple[str, str]] = set()
    wrong = []
    for row in rows:
        if row["indicator"] not in EXACT + MEDIANS:
            continue
        subject = (row[key], row["period"])
        seen.add(subject)
        num, den = expected.get(subject, {}).get(row["indicator"], (0.0, 1.0 if row["indicator"] in EXACT[:3] else 0.0))
        want = (num if den else None) if row["indicator"] in MEDIANS else independent.value(num, den)
        if not (independent.close(row["value"], want) and independent.close(row["numerator"], num)
                and independent.close(row["denominator"], den)):
            wrong.append((subject, row["indicator"], (row["numerator"], row["denominator"]), (num, den)))
    assert not wrong, f"{len(wrong)} rows differ, e.g. {wrong[:5]}"
    active = {s for s, v in expected.items() if v["incoming"][0] or v["resolved"][0] or v["dismissal_rate"][1]}
    assert active <= seen, sorted(active - seen)[:5]


@pytest.mark.parametrize("period", ["year", "quarter"])
def test_ksi_equals_independent_computation(country: tuple[Path, Path], period: str) -> None:
    folder, db = country
    rows = _run(db, "ksi", "--period", period)
    expected = independent.ksi(folder, period)
    names = {k[1] for k in expected}
    checked, wrong = 0, []
    for row in rows:
        if row["indicator"] not in names:
            continue
        num, den = expected.get((row["unit_id"], row["indicator"], row["period"]), (0.0, 0.0))
        checked += 1
        if not (independent.close(row["value"], independent.value(num, den))
                and independent.close(row["numerator"], num) and independent.close(row["denominator"], den)):
            wrong.append((row["unit_id"], row["indicator"], row["period"], (row["numerator"], row["denominator"]),
                          (num, den)))
    assert checked > 50
    assert not wrong, f"{len(wrong)} rows differ, e.g. {wrong[:5]}"
    ours = {(r["unit_id"], r["indicator"], r["period"]) for r in rows}
    missing = [k for k, (num, den) in expected.items() if den and k not in ours]
    assert not missing, missing[:5]
