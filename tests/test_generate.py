"""The synthetic country generator: complete, consistent, deterministic, and its truth kept apart."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from baliza.contract import TABLES, ColumnType, get_table
from baliza.demo import generate_country

TODAY = "2026-11-29"


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("world") / "country"
    started = time.perf_counter()
    summary = generate_country(out, seed=7, scale="small")
    return summary, time.perf_counter() - started


@pytest.fixture(scope="module")
def clean_country(tmp_path_factory: pytest.TempPathFactory):
    return generate_country(tmp_path_factory.mktemp("clean") / "country", seed=7, scale="small", corruption=False)


def _connect(folder: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in TABLES:
        con.execute(f"create view {table.name} as select * from read_csv('{folder / table.name}.csv', "
                    "all_varchar=true, header=true, quote='\"', escape='\"')")
    return con


def test_every_table_is_written_and_non_empty(country) -> None:
    summary, _ = country
    for table in TABLES:
        assert (summary.out_dir / f"{table.name}.csv").exists(), table.name
        assert summary.rows[table.name] > 0, table.name
    header = (summary.out_dir / "seizures.csv").read_text().splitlines()[0]
    assert header.replace('"', "").split(",") == list(get_table("seizures").column_names)


def test_small_scale_is_quick_and_about_fifty_thousand_rows(country) -> None:
    summary, seconds = country
    assert seconds < 20
    assert 30_000 < sum(summary.rows.values()) < 120_000


def test_every_reference_resolves_and_keys_are_unique(country) -> None:
    summary, _ = country
    con = _connect(summary.out_dir)
    for table in TABLES:
        keys = ", ".join(f'"{k}"' for k in table.key)
        duplicates = con.execute(f"select count(*) - count(distinct ({keys})) from {table.name}").fetchone()[0]
        assert duplicates == 0, table.name
        for column in table.references:
            target = get_table(column.references)
            dangling = con.execute(
                f'select count(*) from {table.name} where "{column.name}" is not null and "{column.name}" not in '
                f'(select "{target.key[0]}" from {target.name})').fetchone()[0]
            assert dangling == 0, f"{table.name}.{column.name}"
        for column in table.required_columns:
            empty = con.execute(f'select count(*) from {table.name} where coalesce("{column.name}", \'\') = \'\'')
            assert empty.fetchone()[0] == 0, f"{table.name}.{column.name}"
        for column in table.columns:
            if column.values:
                bad = con.execute(f'select count(*) from {table.name} where "{column.name}" not in '
                                  f"({', '.join(repr(v) for v in column.values)})").fetchone()[0]
                assert bad == 0, f"{table.name}.{column.name}"


def test_formats_follow_the_contract_and_no_date_is_in_the_future(country) -> None:
    summary, _ = country
    con = _connect(summary.out_dir)
    for table in TABLES:
        for column in table.columns:
            name = f'"{column.name}"'
            if column.type is ColumnType.DATETIME:
                bad = con.execute(f"select count(*) from {table.name} where {name} is not null and not "
                                  f"regexp_full_match({name}, '\\d{{4}}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ')")
                assert bad.fetchone()[0] == 0, f"{table.name}.{column.name}"
            if column.type in (ColumnType.DATE, ColumnType.DATETIME):
                latest = con.execute(f"select max({name}) from {table.name}").fetchone()[0]
                assert latest is None or latest[:10] <= TODAY, f"{table.name}.{column.name}: {latest}"
            if column.type is ColumnType.DECIMAL:
                bad = con.execute(f"select count(*) from {table.name} where {name} is not null and "
                                  f"try_cast({name} as double) is null").fetchone()[0]
                assert bad == 0, f"{table.name}.{column.name}"
    first = con.execute("select min(seized_at), max(seized_at) from seizures").fetchone()
    assert first[0] >= "2021-01-01" and first[1] <= "2025-12-31T23:59:59Z"


def test_manifest_names_an_agency_of_the_country(country) -> None:
    summary, _ = country
    manifest = yaml.safe_load((summary.out_dir / "manifest.yaml").read_text())
    assert manifest["contract_version"] == 0
    agencies = _connect(summary.out_dir).execute("select agency_id from agencies").fetchall()
    assert (manifest["reported_by"],) in agencies


def test_truth_is_written_outside_the_dataset_folder(country) -> None:
    summary, _ = country
    assert summary.truth_path == summary.out_dir.parent / "country.truth.json"
    assert not list(summary.out_dir.rglob("*truth*"))
    truth = json.loads(summary.truth_path.read_text())
    for key in ("seed", "scale", "corruption", "corrupt_prosecutors", "corrupt_judges", "low_conversion_units",
                "shrunk_cases", "steered_prosecutors", "limitation_cases", "evidence_cases", "laundering_addresses",
                "vendor_aliases", "honest_outliers"):
        assert key in truth
    assert truth["corruption"] is True and truth["corrupt_prosecutors"] and truth["laundering_addresses"]
    with pytest.raises(ValueError):
        generate_country(summary.out_dir.parent / "other", truth_path=summary.out_dir.parent / "other" / "t.json")


def test_planted_ids_exist_in_the_data(country) -> None:
    summary, _ = country
    truth = json.loads(summary.truth_path.read_text())
    con = _connect(summary.out_dir)
    staff = {r[0] for r in con.execute("select staff_id from staff").fetchall()}
    cases = {r[0] for r in con.execute("select case_id from cases").fetchall()}
    assert set(truth["corrupt_prosecutors"]) | set(truth["corrupt_judges"]) <= staff
    assert set(truth["honest_outliers"].values()) <= staff
    assert set(truth["honest_outliers"].values()).isdisjoint(truth["corrupt_prosecutors"])
    assert set(truth["shrunk_cases"]) | set(truth["limitation_cases"]) | set(truth["evidence_cases"]) <= cases
    addresses = {r[0] for r in con.execute("select from_address from crypto_transfers union "
                                           "select to_address from crypto_transfers").fetchall()}
    assert set(truth["laundering_addresses"]) <= addresses
    handles = {r[0] for r in con.execute("select vendor_handle from online_listings").fetchall()}
    assert all(set(pair) <= handles for pair in truth["vendor_aliases"])


def test_corrupt_prosecutors_dismiss_more_than_their_peers(country) -> None:
    summary, _ = country
    truth = json.loads(summary.truth_path.read_text())
    rates = dict(_connect(summary.out_dir).execute(
        "select c.lead_prosecutor_id, avg(case when d.outcome in ('dismissed', 'acquitted') then 1 else 0 end) "
        "from cases c join dispositions d using (case_id) where c.origin = 'seizure' group by 1").fetchall())
    corrupt = [rates[p] for p in truth["corrupt_prosecutors"] if p in rates]
    honest = sorted(v for p, v in rates.items() if p not in truth["corrupt_prosecutors"])
    assert min(corrupt) > honest[len(honest) // 2]


def test_targeted_selection_hits_more_often_than_random(country) -> None:
    summary, _ = country
    rates = dict(_connect(summary.out_dir).execute(
        "select selection in ('risk_profile', 'intelligence', 'partner_alert') as targeted, "
        "avg(case when outcome = 'seizure' then 1 else 0 end) from inspections group by 1").fetchall())
    assert rates[True] > 3 * rates[False]


def test_protected_people_are_marked(country) -> None:
    summary, _ = country
    con = _connect(summary.out_dir)
    unprotected = con.execute(
        "select count(*) from persons p where person_id in (select person_id from farmer_enrolments union "
        "select person_id from treatment_episodes) and protected <> 'true'").fetchone()[0]
    assert unprotected == 0


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_same_seed_gives_the_same_country(country, tmp_path: Path) -> None:
    summary, _ = country
    again = generate_country(tmp_path / "country", seed=7, scale="small")
    assert _digest(again.out_dir) == _digest(summary.out_dir)
    assert json.loads(again.truth_path.read_text()) == json.loads(summary.truth_path.read_text())
    other = generate_country(tmp_path / "other", seed=8, scale="small")
    assert _digest(other.out_dir) != _digest(summary.out_dir)


def test_corruption_off_plants_nothing_but_keeps_honest_outliers(clean_country) -> None:
    truth = json.loads(clean_country.truth_path.read_text())
    assert truth["corruption"] is False
    for key in ("corrupt_prosecutors", "corrupt_judges", "low_conversion_units", "shrunk_cases",
                "steered_prosecutors", "limitation_cases", "evidence_cases", "laundering_addresses",
                "vendor_aliases"):
        assert truth[key] == [], key
    assert set(truth["honest_outliers"]) == {"small_possession_prosecutor", "new_prosecutor", "busy_prosecutor"}
    assert all(clean_country.rows[t.name] > 0 for t in TABLES)


def test_cli_generate_prints_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from baliza.cli.app import app

    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "c"), "--seed", "2", "--clean", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["corruption"] is False and payload["rows"]["seizures"] > 0
    assert Path(payload["truth"]).exists() and Path(payload["truth"]).parent == tmp_path
