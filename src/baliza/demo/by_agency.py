"""Split a generated country into one dataset folder per reporting agency.

Each agency reports the rows of its own units and offices: customs the inspections and seizures of its
units, the police its arrests, the prosecution its cases with their parties, charges, events and
dispositions, the financial intelligence unit the assets and the crypto records, each programme its
enrolments and episodes (and the persons in them). Each folder has its own `manifest.yaml` whose
`reported_by` is that agency; references across folders resolve when the folders are loaded together.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from baliza.contract import TABLES
from baliza.contract.links import owned_with_target

# agencies by the kind the agencies table gives them, for rows that belong to no unit
_KIND_OWNERS = {"customs": "customs", "police": "police", "fiu": "fiu", "international": "international"}


def _text(value: str) -> str:
    """`value` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _owner_sql(fallback: dict[str, str]) -> dict[str, str]:
    """For each table, a query giving every row (all columns as text) and `_owner`, its agency."""
    customs, police, fiu = fallback["customs"], fallback["police"], fallback["fiu"]
    unit = "(select min(agency_id) from units u where u.unit_id = t.{col})"
    by_unit = lambda col, default: f"coalesce({unit.format(col=col)}, {_text(default)})"  # noqa: E731
    case_owner = ("coalesce((select min(u.agency_id) from cases c join units u on u.unit_id = c.office_id "
                  f"where c.case_id = x.case_id), {_text(fallback['reporting'])})")
    return {
        "agencies": "select *, agency_id as _owner from agencies",
        "units": f"select *, coalesce(agency_id, {_text(fallback['reporting'])}) as _owner from units",
        "entry_points": f"select *, {_text(customs)} as _owner from entry_points",
        "staff": f"select *, {by_unit('unit_id', fallback['reporting'])} as _owner from staff t",
        "persons": f"select t.*, coalesce(o.agency, {_text(fallback['reporting'])}) as _owner from persons t "
                   "left join person_owners o using (person_id)",
        "organizations": f"select *, {_text(customs)} as _owner from organizations",
        "consignments": "select c.*, coalesce((select min(u.agency_id) from inspections i join units u "
                        "on u.unit_id = i.unit_id where i.consignment_id = c.consignment_id), "
                        f"{_text(customs)}) as _owner from consignments c",
        "inspections": f"select *, {by_unit('unit_id', customs)} as _owner from inspections t",
        "seizures": f"select *, {by_unit('unit_id', customs)} as _owner from seizures t",
        "arrests": f"select *, {by_unit('unit_id', police)} as _owner from arrests t",
        "cases": f"select *, {by_unit('office_id', fallback['reporting'])} as _owner from cases t",
        **{name: f"select *, {case_owner} as _owner from {name} x" for name in owned_with_target("cases")},
        "assets": f"select *, {_text(fiu)} as _owner from assets",
        "operations": f"select *, {_text(fallback['international'])} as _owner from operations",
        "trainings": f"select *, {by_unit('unit_id', fallback['international'])} as _owner from trainings t",
        "crypto_transfers": f"select *, {_text(fiu)} as _owner from crypto_transfers",
        "crypto_io": f"select *, {_text(fiu)} as _owner from crypto_io",
        "crypto_tags": f"select *, {_text(fiu)} as _owner from crypto_tags",
        "online_listings": f"select *, {_text(police)} as _owner from online_listings",
        "farmer_enrolments": f"select *, {by_unit('programme_office_id', fallback['reporting'])} as _owner "
                             "from farmer_enrolments t",
        "treatment_episodes": f"select *, {by_unit('provider_id', fallback['reporting'])} as _owner "
                              "from treatment_episodes t",
    }


def _person_owners(con: duckdb.DuckDBPyConnection, present: set[str], customs: str) -> None:
    """The agency that reports each person: their programme first (protected people stay with it), then
    the unit that arrested them, then the office that named them in a case, then customs (travellers)."""
    sources = [("farmer_enrolments", "programme_office_id", 1), ("treatment_episodes", "provider_id", 2),
               ("arrests", "unit_id", 3)]
    parts = [f"select t.person_id, u.agency_id as agency, {rank} as rank from {table} t "
             f"join units u on u.unit_id = t.{column}" for table, column, rank in sources if table in present]
    if "case_parties" in present:
        parts.append("select p.person_id, u.agency_id, 4 from case_parties p join cases c using (case_id) "
                      "join units u on u.unit_id = c.office_id")
    if "consignments" in present:  # customs' own records of travellers
        parts.append(f"select traveller_id, {_text(customs)}, 5 from consignments where traveller_id is not null")
    union = " union all ".join(parts) or "select null::varchar as person_id, null::varchar as agency, 0 as rank"
    con.execute(f"create temp table person_owners as select person_id, arg_min(agency, rank) as agency "
                f"from ({union}) where person_id is not null group by person_id")


def split_by_agency(single: Path, out_dir: Path, reporting_agency: str) -> dict[str, dict[str, int]]:
    """Write `single` (one folder, one CSV per table) as one folder per agency under `out_dir`.

    Returns rows written per agency and table. Values are copied as text, unchanged.
    """
    con = duckdb.connect()
    present = set()
    for table in TABLES:
        path = single / f"{table.name}.csv"
        if path.exists():
            con.execute(f"create view {table.name} as select * from read_csv({_text(path.as_posix())}, "
                        "all_varchar=true, header=true)")
            present.add(table.name)
    kinds = dict(con.execute("select kind, min(agency_id) from agencies group by kind").fetchall()) \
        if "agencies" in present else {}
    fallback = {key: kinds.get(kind, reporting_agency) for key, kind in _KIND_OWNERS.items()}
    fallback["reporting"] = reporting_agency
    _person_owners(con, present, fallback["customs"])
    manifest = yaml.safe_load((single / "manifest.yaml").read_text(encoding="utf-8"))
    names = dict(con.execute("select agency_id, name from agencies").fetchall()) if "agencies" in present else {}
    written: dict[str, dict[str, int]] = {}
    queries = _owner_sql(fallback)
    for table in TABLES:
        if table.name not in present:
            continue
        query = queries[table.name]
        columns = ", ".join(f'"{c}"' for c in table.column_names)
        con.execute(f"create temp table owned as {query}")
        for (agency,) in con.execute("select distinct _owner from owned order by 1").fetchall():
            folder = out_dir / agency
            folder.mkdir(parents=True, exist_ok=True)
            target = (folder / f"{table.name}.csv").as_posix()
            con.execute(f"copy (select {columns} from owned where _owner = {_text(agency)}) to {_text(target)} "
                        "(header)")
            count = con.execute("select count(*) from owned where _owner = ?", [agency]).fetchone()[0]
            written.setdefault(agency, {})[table.name] = int(count)
        con.execute("drop table owned")
    con.close()
    for agency in written:
        own = {**manifest, "reported_by": agency,
               "dataset": f"{manifest.get('dataset', 'dataset')}: {names.get(agency, agency)}"}
        (out_dir / agency / "manifest.yaml").write_text(yaml.safe_dump(own, sort_keys=False), encoding="utf-8")
    return written
