"""The attack of issue 9 (item 1): read the warehouse's bytes and look for a person's identity.

Whoever can read the DuckDB file (or its WAL) must not find a person's name, birth date, ID document,
phone or address in clear: not after the person was protected first and reloaded unprotected, not
after a protection (flag, enrolment, treatment episode) arrived in a later load, not when the person
only appears in a quarantined row or a normalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from baliza.access.fieldcrypt import decrypt, key_for
from baliza.warehouse import Warehouse, open_warehouse
from load_fixtures import VALID, load, write_dataset

NAME, BORN, DOCUMENT, PHONE, ADDRESS = (
    "Zacarias Quispilloclla", "1987-03-14", "DNI-77441122", "+51 987 654 321", "Jr. Ayacucho 1234",
)
IDENTITY = (NAME, BORN, DOCUMENT, PHONE, ADDRESS)
HEADER = "person_id,full_name,birth_date,nationality,id_document,phone,address,protected\n"
DIRECTORY = {k: VALID[k] for k in ("agencies", "entry_points", "units")}


def person(protected: str, address: str = ADDRESS) -> str:
    return HEADER + f'Z1,{NAME},{BORN},PER,{DOCUMENT},{PHONE},"{address}",{protected}\n'


def clear_values_on_disk(db: Path, values: tuple[str, ...] = IDENTITY) -> list[str]:
    """The values found in clear in the warehouse file or its WAL."""
    found = []
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():
            content = path.read_bytes()
            found += [f"{value!r} in {path.name}" for value in values if value.encode() in content]
    return found


def open_uncompressed(db: Path) -> Warehouse:
    """A warehouse whose blocks hold strings as they are (no compression could hide a clear value)."""
    wh = open_warehouse(db)
    wh.duckdb.execute("SET force_compression = 'uncompressed'")
    return wh


def load_in_turn(tmp_path: Path, *datasets: dict[str, str]) -> Path:
    """Load the datasets one after the other, checking the bytes while open (WAL) and after closing."""
    db = tmp_path / "w.duckdb"
    wh = open_uncompressed(db)
    try:
        for turn, tables in enumerate(datasets):
            load(wh, write_dataset(tmp_path / f"d{turn}", tables))
            assert clear_values_on_disk(db) == [], f"after load {turn + 1}, while open"
    finally:
        wh.close()
    assert clear_values_on_disk(db) == [], "after closing"
    return db


@pytest.fixture(autouse=True)
def _key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BALIZA_KEY", raising=False)


def test_the_clear_values_are_what_the_attack_looks_for(tmp_path: Path) -> None:
    """The grep finds the values when they are there (so its silence below means something)."""
    db = tmp_path / "plain.duckdb"
    with open_uncompressed(db) as wh:
        wh.duckdb.execute("CREATE TABLE t (a VARCHAR, b VARCHAR)")
        wh.duckdb.execute("INSERT INTO t VALUES (?, ?), (?, ?)", [NAME, PHONE, ADDRESS, BORN])
        wh.duckdb.execute("CHECKPOINT")
    assert len(clear_values_on_disk(db)) == 4


def test_protected_first_then_reloaded_unprotected(tmp_path: Path) -> None:
    db = load_in_turn(tmp_path, DIRECTORY | {"persons": person("true")}, {"persons": person("false")})
    with open_warehouse(db) as wh:
        stored, history = wh.duckdb.execute(
            "SELECT (SELECT full_name FROM persons), (SELECT count(*) FROM persons__history)"
        ).fetchall()[0]
    assert decrypt(key_for(db), stored) == NAME and history == 1  # the protected version went to history


def test_unprotected_first_then_enrolled_later(tmp_path: Path) -> None:
    enrolment = ("enrolment_id,person_id,programme_office_id,region,crop,enrolled_at,status\n"
                 "F1,Z1,U1,VRAEM,coca,2025-02-01,enrolled\n")
    load_in_turn(tmp_path, DIRECTORY | {"persons": person("false")}, {"farmer_enrolments": enrolment})


def test_unprotected_first_then_flagged_then_in_treatment(tmp_path: Path) -> None:
    episode = ("episode_id,person_id,provider_id,admitted_at,setting,primary_substance_group\n"
               "T1,Z1,U1,2025-01-05,outpatient,cocaine_type\n")
    load_in_turn(tmp_path, DIRECTORY | {"persons": person("")}, {"persons": person("true", "Av. Grau 77")},
                 {"treatment_episodes": episode})


def test_a_person_named_only_in_a_quarantined_row(tmp_path: Path) -> None:
    """The birth date cannot be read, so the row is quarantined: its raw cells (an unknown `nombre`
    column too) and the offending value are sealed; a ragged row's cells are sealed wherever they fell."""
    persons = (HEADER.rstrip("\n") + ",nombre\n"
               f'Z1,{NAME},14/03/1987x,PER,{DOCUMENT},{PHONE},"{ADDRESS}",false,{NAME}\n'
               f"Z2,false,{BORN}\n")  # ragged: the birth date fell in the nationality column
    db = load_in_turn(tmp_path, DIRECTORY | {"persons": persons})
    with open_warehouse(db) as wh:
        rows = wh.duckdb.execute("SELECT value, CAST(raw AS VARCHAR) FROM quarantine ORDER BY line").fetchall()
        assert wh.duckdb.execute("SELECT count(*) FROM persons").fetchall()[0][0] == 0
    assert len(rows) == 2 and decrypt(key_for(db), rows[0][0]) == "14/03/1987x"
    assert '"person_id":"Z1"' in rows[0][1].replace(" ", "")  # the clerk still finds the row


def test_normalised_personal_cells_are_sealed(tmp_path: Path) -> None:
    """A name with a space before it, an address read as a formula: `normalisations` keeps the
    original and the normalised cell, sealed."""
    persons = HEADER + f'Z1,"  {NAME}",{BORN},PER,{DOCUMENT},{PHONE},"=HYPERLINK({ADDRESS})",false\n'
    db = load_in_turn(tmp_path, DIRECTORY | {"persons": persons})
    with open_warehouse(db) as wh:
        rules = wh.duckdb.execute("SELECT column_name, rule, original FROM normalisations ORDER BY 1").fetchall()
    assert [(c, r) for c, r, _ in rules] == [("address", "formula_neutralised"), ("full_name", "whitespace")]
    assert decrypt(key_for(db), rules[1][2]) == f"  {NAME}"


def test_blind_indexes_link_people_without_showing_them(tmp_path: Path) -> None:
    """Exact lookups work on sealed values: two people sharing a phone share its blind index; a
    protected person has none (never linked to anyone)."""
    from baliza.access.fieldcrypt import Sealer

    persons = (HEADER + f"Z1,{NAME},,PER,,{PHONE},,false\nZ2,Other Name,,PER,,{PHONE},,false\n"
               f"Z3,Third Name,,PER,,+51 1,,false\nZ4,Hidden Name,,PER,,{PHONE},,true\n")
    db = load_in_turn(tmp_path, DIRECTORY | {"persons": persons})
    with open_warehouse(db) as wh:
        phones = dict(wh.duckdb.execute("SELECT person_id, phone FROM person_lookups").fetchall())
    assert set(phones) == {"Z1", "Z2", "Z3"}
    assert phones["Z1"] == phones["Z2"] == Sealer(key_for(db)).blind_index("phone:" + PHONE)
    assert phones["Z3"] != phones["Z1"]


def test_readers_who_may_read_a_person_see_the_sealed_cells_decrypted(tmp_path: Path) -> None:
    from baliza.access.principal import Principal
    from baliza.access.protection import MASK, present_persons
    from baliza.access.roles import Role
    from baliza.access.scope import Scope

    persons = HEADER + f"Z1,{NAME},{BORN},PER,{DOCUMENT},{PHONE},,false\nZ4,Hidden Name,,PER,,{PHONE},,true\n"
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as wh:
        load(wh, write_dataset(tmp_path / "d", DIRECTORY | {"persons": persons}), agency="A1")
        scope = Scope(Principal("ana", "A1", Role.ANALYST), {}, [])
        rows = scope.filter(wh, "persons").order_by("person_id").to_pyarrow().to_pylist()
        shown = {r["person_id"]: r for r in present_persons(wh, scope, rows)}
    assert (shown["Z1"]["full_name"], shown["Z1"]["birth_date"], shown["Z1"]["phone"]) == (NAME, BORN, PHONE)
    assert shown["Z4"]["full_name"] == MASK and shown["Z4"]["phone"] == MASK


def test_a_warehouse_written_in_clear_is_sealed_and_rebuilt_by_the_next_load(tmp_path: Path) -> None:
    """A warehouse from an earlier Baliza (clear cells, in `persons` and its history): the next load seals
    them, and the file is rebuilt so that the old blocks do not keep them."""
    db = tmp_path / "w.duckdb"
    with open_uncompressed(db) as wh:
        for table in ("persons", "persons__history"):
            wh.duckdb.execute(f"INSERT INTO {table} (person_id, full_name, birth_date, id_document, phone, address) "
                              "VALUES ('Z1', ?, ?, ?, ?, ?)", list(IDENTITY))
        wh.duckdb.execute("CHECKPOINT")
    assert clear_values_on_disk(db)  # the attack works on such a file
    with open_uncompressed(db) as wh:
        report = load(wh, write_dataset(tmp_path / "d", DIRECTORY))
        assert report.protected_rows_encrypted == 2
        stored, linked = wh.duckdb.execute(  # the warehouse is still usable, through the same object
            "SELECT (SELECT phone FROM persons), (SELECT count(*) FROM person_lookups WHERE phone IS NOT NULL)"
        ).fetchall()[0]
        assert clear_values_on_disk(db) == []
    assert clear_values_on_disk(db) == [] and decrypt(key_for(db), stored) == PHONE and linked == 1
