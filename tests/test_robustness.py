"""Every analysis command runs without a traceback and says something sensible on odd but contract-valid data.

Each scenario is a tiny dataset written as CSV files and loaded with `load_datasets`, so that the whole path
(reading, validation, normalisation, warehouse, analyses, CLI) is exercised.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.contract import get_table
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse

Rows = dict[str, list[dict[str, str]]]


def write_dataset(folder: Path, tables: Rows, *, required_only: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        spec = get_table(name)
        columns = [c.name for c in spec.columns if c.required or not required_only]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows([{k: row.get(k, "") for k in columns} for row in rows])
    return folder


def mini_world(ident: Callable[[str], str] = str, *, day: str = "2025-03-{d:02d}", stamp: str = "T10:00:00Z",
               days: int = 20, unit: str = "kg", lab: bool = True, entry_points: bool = True,
               staff: bool = True, parties: bool = True, prosecutors: int = 3) -> Rows:
    """A small chain: two seizing units, one office, `days` seizures with arrests, cases and dispositions."""
    i = ident

    def at(d: int) -> str:
        return day.format(d=min(d, 28) if "{d" in day else d) + stamp

    t: Rows = {
        "agencies": [{"agency_id": i("AG 1"), "name": "Customs", "country": "PER", "kind": "customs"},
                     {"agency_id": i("AG 2"), "name": "Prosecution", "country": "PER", "kind": "prosecution"}],
        "entry_points": [{"entry_point_id": i("EP, Callao"), "name": "Callao", "kind": "seaport", "country": "PER",
                          "annual_traffic": "1000"}] if entry_points else [],
        "units": [
            {"unit_id": i("U 1"), "agency_id": i("AG 1"), "name": "PCU", "kind": "port_control_unit",
             "programme": "CCP", "entry_point_id": i("EP, Callao") if entry_points else "", "staff_count": "5",
             "operational_since": "2018-01-01"},
            {"unit_id": i("U 2"), "agency_id": i("AG 1"), "name": "JAITF", "kind": "airport_task_force",
             "programme": "AIRCOP", "staff_count": "4"},
            {"unit_id": i("O 1"), "agency_id": i("AG 2"), "name": "Office", "kind": "prosecution_office"},
            {"unit_id": i("C 1"), "agency_id": i("AG 2"), "name": "Court", "kind": "court"},
        ],
        "staff": ([{"staff_id": i(f"PR {k}"), "unit_id": i("O 1"), "role": "prosecutor"} for k in range(prosecutors)]
                  + [{"staff_id": i("J 1"), "unit_id": i("C 1"), "role": "judge"}]) if staff else [],
        "persons": [{"person_id": i(f"P {k}"), "full_name": "Ana Núñez"} for k in range(days)],
        "consignments": [], "inspections": [], "seizures": [], "arrests": [], "cases": [], "case_parties": [],
        "charges": [], "case_events": [], "dispositions": [],
        "trainings": [{"training_id": i("T 1"), "unit_id": i("U 1"), "kind": "training", "topic": "risk",
                       "starts_on": at(1)[:10], "hours": "8", "participants": "5"}],
    }
    for k in range(days):
        d = k % 28 + 1
        seizing = i("U 1") if k % 2 else i("U 2")
        t["consignments"].append({"consignment_id": i(f"CN {k}"), "entry_point_id": i("EP, Callao"),
                                  "mode": "sea_container", "declared_at": at(d)} if entry_points else {})
        t["inspections"].append({"inspection_id": i(f"IN {k}"), "consignment_id": i(f"CN {k}"), "unit_id": seizing,
                                 "inspected_at": at(d), "selection": "random" if k % 3 else "risk_profile",
                                 "outcome": "seizure"})
        t["seizures"].append({
            "seizure_id": i(f"SZ {k}"), "unit_id": seizing, "seized_at": at(d), "substance": "cocaine",
            "substance_group": "cocaine_type", "quantity": str(1 + k), "quantity_unit": unit,
            "lab_quantity": str(1 + k) if lab else "", "intelligence_led": "true" if k % 2 else "false",
            "inspection_id": i(f"IN {k}") if entry_points else "",
        })
        t["arrests"].append({"arrest_id": i(f"AR {k}"), "person_id": i(f"P {k}"), "unit_id": seizing,
                             "arrested_at": at(d), "seizure_id": i(f"SZ {k}")})
        if k % 4 == 3:
            continue  # a seizure with an arrest and no case
        case = i(f"CS {k}")
        t["cases"].append({"case_id": case, "office_id": i("O 1"), "opened_at": at(d), "origin": "seizure",
                           "seizure_id": i(f"SZ {k}"), "assignment": "random",
                           "lead_prosecutor_id": i(f"PR {k % prosecutors}") if staff else ""})
        if parties:
            t["case_parties"].append({"case_id": case, "person_id": i(f"P {k}"), "role": "defendant"})
        t["charges"].append({"charge_id": i(f"CH {k}"), "case_id": case, "person_id": i(f"P {k}"), "filed_at": at(d),
                             "offence": "trafficking", "substance_group": "cocaine_type",
                             "quantity": str((1 + k) * (0.5 if k % 5 == 0 else 1)), "quantity_unit": unit})
        t["case_events"].append({"event_id": i(f"EV {k}"), "case_id": case, "at": at(d), "kind": "assigned",
                                 "staff_id": i(f"PR {k % prosecutors}") if staff else ""})
        if k % 3:
            t["dispositions"].append({"case_id": case, "person_id": i(f"P {k}"), "disposed_at": at(d),
                                      "outcome": "dismissed" if k % 2 else "convicted",
                                      "judge_id": i("J 1") if staff else "", "sentence_months": "12"})
    if not entry_points:
        t["consignments"], t["inspections"] = [], []
    return {name: rows for name, rows in t.items() if rows}


def _only(*names: str) -> Callable[[Rows], Rows]:
    return lambda rows: {k: v for k, v in rows.items() if k in names}


def _mixed_units(p: Path) -> Path:
    """Half the seizures counted in tablets, half in plants, none weighed by a laboratory."""
    rows = mini_world(unit="tablets", lab=False)
    plants = mini_world(lambda s: f"{s}b", unit="plants", lab=False)
    for name, extra in plants.items():
        if name not in ("agencies", "entry_points"):
            rows[name] = rows.get(name, []) + extra
    for unit in rows["units"]:
        unit["agency_id"] = unit["agency_id"].removesuffix("b")
        unit["entry_point_id"] = unit.get("entry_point_id", "").removesuffix("b")
    for row in rows["consignments"]:
        row["entry_point_id"] = row["entry_point_id"].removesuffix("b")
    return write_dataset(p, rows)


# scenario: (dataset writer, the periods `baliza efficiency` must report, or None for any)
SCENARIOS: dict[str, tuple[Callable[[Path], Path], set[str] | None]] = {
    "only seizures": (lambda p: write_dataset(
        p, _only("agencies", "units", "seizures")(mini_world(entry_points=False))), set()),
    # two oddities in one world where they touch different tables (each world costs seconds)
    "cases without parties, one office with one prosecutor": (
        lambda p: write_dataset(p, mini_world(parties=False, prosecutors=1)), {"2025"}),
    "no staff table, units without entry points": (
        lambda p: write_dataset(p, mini_world(staff=False, entry_points=False)), {"2025"}),
    "required columns only, ids with spaces, accents and commas": (
        lambda p: write_dataset(p, mini_world(lambda s: f"Núm, {s} é"), required_only=True), {"2025"}),
    "tablets and plants without lab quantity": (_mixed_units, {"2025"}),
    # 23:30 at UTC-5 on 31 December is 1 January in UTC: the data's only day lies in 2026
    "a single day, written with an offset": (lambda p: write_dataset(
        p, mini_world(day="2025-12-31", stamp="T23:30:00-05:00")), {"2026"}),
    "2019 only": (lambda p: write_dataset(p, mini_world(day="2019-11-{d:02d}")), {"2019"}),
}


JSON_COMMANDS = [["efficiency", "--json"], ["efficiency", "--period", "quarter", "--by", "prosecutor", "--json"],
                 ["flags", "--json"], ["ksi", "--json"], ["benchmark", "--json"], ["entry-points", "--json"]]
WORDED_COMMANDS = [["efficiency", "--period", "month", "--by", "judge"], ["flags"], ["ksi", "--period", "month"],
                   ["ksi", "--all"], ["benchmark"], ["entry-points"]]


def _commands(out: Path, seizure: str | None, half: int | None = None) -> list[list[str]]:
    """Every analysis as JSON; the worded tables and the reports on every world when `half` is None, else
    the worded tables on even worlds and the reports on odd ones (each still meets three or four odd worlds,
    and the empty warehouse; the suite's time is bounded)."""
    reports = [["report", "growth", "--format", "html", "--out", str(out / "growth.html")],
               ["report", "country", "--format", "html", "--out", str(out / "country.html")]]
    commands = list(JSON_COMMANDS)
    if half is None or half % 2 == 0:
        commands += WORDED_COMMANDS
    if half is None or half % 2 == 1:
        commands += reports
    if seizure is not None:
        commands += [["chain", seizure, "--json"], ["chain", seizure]]
    return commands


def _check(db: Path, tmp: Path, seizure: str | None, half: int | None = None) -> dict[str, object]:
    """Run the commands; returns the parsed JSON of each `--json` command by its name."""
    runner = CliRunner()
    parsed: dict[str, object] = {}
    commands = _commands(tmp, seizure, half)
    for command in commands:
        result = runner.invoke(app, [*command, "--db", str(db)])
        where = f"baliza {' '.join(command)}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{where}: {result.exception!r}\n{result.output}")
        assert result.exit_code == 0, f"{where}: exit {result.exit_code}\n{result.output}"
        assert "Traceback" not in result.output, where
        if "--json" in command:
            parsed.setdefault(command[0], json.loads(result.stdout))
    if any(c[0] == "report" for c in commands):
        assert (tmp / "growth.html").stat().st_size > 500
        assert (tmp / "country.html").stat().st_size > 500
    return parsed


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_commands_survive_odd_data(name: str, tmp_path: Path) -> None:
    write, periods = SCENARIOS[name]
    folder = write(tmp_path / "dataset")
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as wh:
        report = load_datasets(wh, [folder])
        seizure = wh.duckdb.execute("SELECT MIN(seizure_id) FROM seizures").fetchone()[0]
    refused = {t: r.quarantined for t, r in report.tables.items() if r.quarantined}
    assert not refused, refused
    parsed = _check(db, tmp_path, seizure, list(SCENARIOS).index(name))
    efficiency = parsed["efficiency"]
    assert {row["period"] for row in efficiency} == periods  # type: ignore[union-attr]
    for row in efficiency:  # type: ignore[union-attr]
        assert row["value"] is None or row["value"] >= 0, row
    flagged_people = {f["subject"]["id"] for f in parsed["flags"] if f["subject"]["table"] == "staff"}  # type: ignore[union-attr, index]
    assert not flagged_people, f"{len(flagged_people)} people flagged on {len(efficiency)} rows of a tiny world"  # type: ignore[arg-type]


def test_commands_survive_an_empty_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    open_warehouse(db).close()
    _check(db, tmp_path, None)
    result = CliRunner().invoke(app, ["efficiency", "--db", str(db), "--json"])
    assert json.loads(result.stdout) == []
    assert json.loads(CliRunner().invoke(app, ["flags", "--db", str(db), "--json"]).stdout) == []
    missing = CliRunner().invoke(app, ["chain", "no such seizure", "--db", str(db)])
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_entry_point_counts_seizures_found_in_its_consignments(tmp_path: Path) -> None:
    """A seizure without its own entry_point_id lies where the consignment it was inspected in arrived."""
    folder = write_dataset(tmp_path / "dataset", mini_world(days=6))
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as wh:
        load_datasets(wh, [folder])
    views = json.loads(CliRunner().invoke(app, ["entry-points", "--db", str(db), "--json"]).stdout)
    assert [ep["seizures"] for view in views for ep in view["entry_points"]] == [6]
