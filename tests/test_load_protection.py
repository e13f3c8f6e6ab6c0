"""Confidential people: identifying columns encrypted at rest, never in clear in quarantine or logs."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from baliza.access.fieldcrypt import decrypt, encrypt, is_encrypted, key_for
from baliza.warehouse import open_warehouse
from load_fixtures import VALID, load, write_dataset

PERSONS = (
    "person_id,full_name,birth_date,nationality,id_document,phone,address,protected\n"
    "X1,Juan Perez,1980-02-03,PER,DNI-1,+51 1,Lima,false\n"
    "X2,Maria Lopez,1990-04-05,COL,CC-2,+57 2,Bogota,true\n"
    "X3,Rosa Quispe,1975-06-07,PER,DNI-3,,Cusco,\n"
    "X4,Pedro Bad,1975-13-45,PER,DNI-4,,Puno,\n"
)
EPISODES = (
    "episode_id,person_id,provider_id,admitted_at,setting,primary_substance_group\n"
    "T1,X3,U1,2025-01-05,outpatient,cocaine_type\n"
)


def test_fieldcrypt_round_trip_and_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BALIZA_KEY", raising=False)
    key = key_for(tmp_path / "w.duckdb")
    assert len(key) == 32 and key_for(tmp_path / "w.duckdb") == key
    key_file = tmp_path / "w.duckdb.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    token = encrypt(key, "Maria Lopez")
    assert token.startswith("enc:v1:") and is_encrypted(token) and not is_encrypted("Maria Lopez")
    assert decrypt(key, token) == "Maria Lopez" and encrypt(key, "Maria Lopez") != token
    monkeypatch.setenv("BALIZA_KEY", base64.b64encode(b"k" * 32).decode())
    assert key_for(tmp_path / "other.duckdb") == b"k" * 32


def test_protected_people_are_encrypted_after_the_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BALIZA_KEY", raising=False)
    db = tmp_path / "w.duckdb"
    tables = {k: VALID[k] for k in ("agencies", "entry_points", "units")}
    tables |= {"persons": PERSONS, "treatment_episodes": EPISODES}
    with open_warehouse(db) as wh:
        report = load(wh, write_dataset(tmp_path / "d", tables))
        assert report.tables["persons"].quarantined == 1
        rows = {r[0]: r[1:] for r in wh.duckdb.execute(
            "SELECT person_id, full_name, birth_date, id_document, phone, address, nationality FROM persons"
        ).fetchall()}
        quarantine = wh.duckdb.execute("SELECT value, reason, CAST(raw AS VARCHAR) FROM quarantine").fetchall()
    key = key_for(db)
    for person in ("X1", "X2", "X3"):  # not protected; protected flag; treatment client: all sealed
        assert all(is_encrypted(v) for v in rows[person][:5] if v is not None), person
        assert rows[person][5] in {"COL", "PER"}  # nationality is not identifying
    assert decrypt(key, rows["X1"][0]) == "Juan Perez" and decrypt(key, rows["X1"][1]) == "1980-02-03"
    assert decrypt(key, rows["X2"][0]) == "Maria Lopez" and decrypt(key, rows["X3"][1]) == "1975-06-07"
    text = repr(quarantine)
    for secret in ("Pedro Bad", "1975-13-45", "DNI-4", "Puno"):
        assert secret not in text
    assert "birth_date (value withheld: personal data) is not a date" in quarantine[0][1]


def test_a_person_enrolled_later_stays_sealed_with_history(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    base = {k: VALID[k] for k in ("agencies", "entry_points", "units")}
    with open_warehouse(db) as wh:
        load(wh, write_dataset(tmp_path / "d1", base | {"persons": PERSONS.replace("Juan Perez", "Juan P")}))
        load(wh, write_dataset(tmp_path / "d2", {"persons": PERSONS}))  # X1 changed: old row to history
        assert is_encrypted(wh.duckdb.execute("SELECT full_name FROM persons__history").fetchall()[0][0])
        enrolment = (
            "enrolment_id,person_id,programme_office_id,region,crop,enrolled_at,status\n"
            "F1,X1,U1,VRAEM,coca,2025-02-01,enrolled\n"
        )
        load(wh, write_dataset(tmp_path / "d3", {"farmer_enrolments": enrolment}))
        current = wh.duckdb.execute("SELECT full_name FROM persons WHERE person_id = 'X1'").fetchall()[0][0]
        old = wh.duckdb.execute("SELECT full_name FROM persons__history WHERE person_id = 'X1'").fetchall()[0][0]
    assert is_encrypted(current) and is_encrypted(old)
    assert decrypt(key_for(db), old) == "Juan P"


def test_the_row_hash_of_persons_is_keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = {"persons": "person_id,full_name\nX1,Ana\n", "agencies": VALID["agencies"]}
    hashes = []
    for key in (b"a" * 32, b"b" * 32):
        monkeypatch.setenv("BALIZA_KEY", base64.b64encode(key).decode())
        with open_warehouse(tmp_path / f"{key[:1].decode()}.duckdb") as wh:
            load(wh, write_dataset(tmp_path / "d", tables))
            hashes.append(wh.duckdb.execute(
                "SELECT (SELECT _row_hash FROM persons), (SELECT _row_hash FROM agencies WHERE agency_id = 'A1')"
            ).fetchall()[0])
    assert hashes[0][0] != hashes[1][0]  # a person's hash depends on the secret key
    assert hashes[0][1] == hashes[1][1]  # other tables' do not
