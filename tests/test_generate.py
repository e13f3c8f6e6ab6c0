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


DEADLINES = {"limitation_date"}  # a deadline may lie in the future; an event may not


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
            if column.type in (ColumnType.DATE, ColumnType.DATETIME) and column.name not in DEADLINES:
                latest = con.execute(f"select max({name}) from {table.name}").fetchone()[0]
                assert latest is None or latest[:10] <= TODAY, f"{table.name}.{column.name}: {latest}"
            if column.type is ColumnType.DECIMAL:
                bad = con.execute(f"select count(*) from {table.name} where {name} is not null and "
                                  f"try_cast({name} as double) is null").fetchone()[0]
                assert bad == 0, f"{table.name}.{column.name}"
    first = con.execute("select min(seized_at), max(seized_at) from seizures").fetchone()
    assert first[0] >= "2021-01-01" and first[1] <= "2025-12-31T23:59:59Z"


def test_every_value_casts_to_its_warehouse_type(country) -> None:
    from baliza.warehouse.schema import SQL_TYPES

    summary, _ = country
    con = _connect(summary.out_dir)
    for table in TABLES:
        for column in table.columns:
            if column.type in (ColumnType.LIST, ColumnType.BOOL) or SQL_TYPES[column.type] == "VARCHAR":
                continue
            sql_type = "TIMESTAMPTZ" if column.type is ColumnType.DATETIME else SQL_TYPES[column.type]
            bad = con.execute(f'select count(*) from {table.name} where "{column.name}" is not null and '
                              f'try_cast("{column.name}" as {sql_type}) is null').fetchone()[0]
            assert bad == 0, f"{table.name}.{column.name}"
    booleans = con.execute("select distinct protected from persons").fetchall()
    assert {b[0] for b in booleans} <= {"true", "false"}
    countries = con.execute("select count(*) from seizures where origin_country is not null and "
                            "not regexp_full_match(origin_country, '[A-Z]{3}')").fetchone()[0]
    assert countries == 0


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


def test_lists_point_at_real_units_and_entry_points(country) -> None:
    summary, _ = country
    con = _connect(summary.out_dir)
    for column, table, key in (("unit_ids", "units", "unit_id"), ("entry_point_ids", "entry_points",
                                                                  "entry_point_id")):
        dangling = con.execute(
            f"select count(*) from (select unnest(string_split({column}, '|')) as id from operations) "
            f"where id not in (select {key} from {table})").fetchone()[0]
        assert dangling == 0, column


def test_chain_has_linked_codefendants_open_cases_and_released_assets(country) -> None:
    summary, _ = country
    con = _connect(summary.out_dir)
    linked = con.execute(
        "select count(*) from case_parties a join case_parties b on a.case_id = b.case_id and a.person_id < "
        "b.person_id join persons p on p.person_id = a.person_id join persons q on q.person_id = b.person_id "
        "where a.role = 'defendant' and b.role = 'defendant' and (p.phone = q.phone or (p.address = q.address "
        "and split_part(p.full_name, ' ', 2) = split_part(q.full_name, ' ', 2)))").fetchone()[0]
    assert linked > 0
    open_cases = con.execute("select count(*) from cases where case_id not in (select case_id from dispositions)")
    assert open_cases.fetchone()[0] > 0
    released = con.execute("select count(*) from assets where released_at is not null").fetchone()[0]
    recovered = con.execute("select count(*) from assets where recovered_at is not null").fetchone()[0]
    assert released > 0 and recovered > 0


def test_country_fits_the_warehouse_and_its_chain_view(country, tmp_path: Path) -> None:
    from baliza.warehouse import open_warehouse
    from baliza.warehouse.schema import SQL_TYPES
    from baliza.warehouse.views import case_status, chain

    summary, _ = country
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        for table in TABLES:
            values = []
            for column in table.columns:
                name = f'"{column.name}"'
                if column.type is ColumnType.LIST:
                    values.append(f"string_split({name}, '|')")
                elif column.type is ColumnType.DATETIME:
                    values.append(f"cast(cast({name} as timestamptz) at time zone 'UTC' as timestamp)")
                else:
                    values.append(f"cast({name} as {SQL_TYPES[column.type]})")
            names = ", ".join(f'"{c}"' for c in table.column_names)
            warehouse.duckdb.execute(
                f"insert into {table.name} ({names}) select {', '.join(values)} "
                f"from read_csv('{summary.out_dir / table.name}.csv', all_varchar=true)")
        status = case_status(warehouse).to_pandas()
        seizures = chain(warehouse).to_pandas()
    assert set(status["status"]) == {"open", "resolved"}
    assert len(seizures) == summary.rows["seizures"]
    with_case = seizures[seizures["case_id"].notna() & seizures["lab_base"].notna() & (seizures["n_charges"] > 0)]
    ratio = (with_case["charged_base"] / with_case["lab_base"]).median()
    assert 0.98 < ratio < 1.02
