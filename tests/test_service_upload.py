"""Uploading an export through the API the upload page uses: checks, all or nothing, quarantine, audit."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.audit import entries
from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.tokens import add_token
from baliza.access.users import add_user
from baliza.cli.app import app as cli
from baliza.warehouse.publishing import file_identity
from baliza.web.app import create_app
from load_fixtures import VALID, write_dataset

runner = CliRunner()
AGENCY = "AG-1"
BAD_SEIZURES = (
    "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
    "S7,U1,2025-05-02T10:00:00Z,cocaine hydrochloride,cocaine_type,40,kg\n"
    "S8,U1,2025-05-03T10:00:00Z,heroin,opiates,-3,kg\n"
    "S9,U404,2025-05-04T10:00:00Z,heroin,opiates,1,kg\n"
)
BAD_PERSONS = "person_id,full_name,birth_date\nX3,Secret Name,1999-99-99\nX4,Rosa Diaz,1970-01-01\n"


def bad_export(folder: Path) -> Path:
    """A folder with good and bad rows: a negative quantity, an unknown unit, a person's impossible birth date."""
    return write_dataset(folder, {"seizures": BAD_SEIZURES, "persons": BAD_PERSONS},
                         manifest="dataset: upload test\n")


@pytest.fixture
def world(tmp_path: Path) -> Any:
    db = tmp_path / "w.duckdb"
    assert runner.invoke(cli, ["load", str(write_dataset(tmp_path / "first")), "--db", str(db),
                               "--agency", AGENCY]).exit_code == 0
    state = open_state_beside(db)
    headers = {}
    for name, agency, role in (("ana", AGENCY, Role.ANALYST), ("uo", AGENCY, Role.UNIT_OFFICER),
                               ("other", "AG-2", Role.ANALYST)):
        add_user(state, name, "a long password", agency, role)
        headers[name] = {"Authorization": f"Bearer {add_token(state, name)[1]}"}
    state.close()
    app = create_app(db)
    with TestClient(app) as client:
        yield db, app, client, headers
    app.state.baliza.close()


def _send(client: TestClient, headers: dict[str, str], files: dict[str, bytes]) -> str:
    upload_id = client.post("/api/uploads", headers=headers).json()["upload_id"]
    for name, data in files.items():
        answer = client.put(f"/api/uploads/{upload_id}/files/{name}", content=data, headers=headers)
        assert answer.status_code == 200, answer.text
    return upload_id


def _finished(client: TestClient, headers: dict[str, str], upload_id: str) -> dict[str, Any]:
    for _ in range(600):
        upload = client.get(f"/api/uploads/{upload_id}", headers=headers).json()
        if upload["state"] in ("done", "failed"):
            return upload
        time.sleep(0.1)
    raise AssertionError(f"the upload did not finish: {upload}")


def test_an_uploaded_folder_is_loaded_with_its_report_and_refused_rows_to_download(world: Any) -> None:
    db, _, client, headers = world
    folder = bad_export(db.parent / "bad")
    upload_id = _send(client, headers["ana"], {p.name: p.read_bytes() for p in folder.iterdir()})
    assert client.post(f"/api/uploads/{upload_id}/load", headers=headers["ana"]).status_code == 202
    upload = _finished(client, headers["ana"], upload_id)
    assert upload["state"] == "done", upload
    tables = upload["report"]["tables"]
    assert tables["seizures"]["accepted"] == 1 and tables["seizures"]["quarantined"] == 2
    assert tables["persons"]["quarantined"] == 1 and upload["report"]["agency"] == AGENCY
    assert all(".uploads" not in f["path"] for f in upload["report"]["files"])
    ids = {s["seizure_id"] for s in client.get("/api/seizures", headers=headers["ana"]).json()}
    assert "S7" in ids and "S8" not in ids  # visible once loaded, without a restart

    refused = client.get(f"/api/uploads/{upload_id}/quarantine.csv", headers=headers["ana"])
    assert refused.status_code == 200 and refused.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(refused.text)))
    assert sorted((r["table"], r["line"]) for r in rows) == [("persons", "2"), ("seizures", "3"), ("seizures", "4")]
    assert all(r["file"] in ("seizures.csv", "persons.csv") and r["reason"] for r in rows)
    assert "Secret Name" not in refused.text and "1999-99-99" not in refused.text
    assert "(personal data)" in refused.text
    assert client.get(f"/api/uploads/{upload_id}", headers=headers["other"]).status_code == 404  # another agency

    state = open_state_beside(db)
    actions = {(e.actor, e.action, e.subject) for e in entries(state, limit=20)}
    state.close()
    load_id = upload["load_id"]
    assert ("ana", "upload", f"loads/{load_id}") in actions
    assert ("ana", "export", f"loads/{load_id}/quarantine.csv") in actions
    assert not list(db.parent.glob(f".{db.name}.uploads/*"))  # the received files are gone


def test_a_zip_of_a_folder_is_unpacked_and_loaded(world: Any) -> None:
    _db, _, client, headers = world
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("export/seizures.csv", BAD_SEIZURES)
        archive.writestr("export/units.csv", VALID["units"])
        archive.writestr("__MACOSX/export/._seizures.csv", b"\x00\x05junk")
    upload_id = _send(client, headers["ana"], {"export.zip": packed.getvalue()})
    client.post(f"/api/uploads/{upload_id}/load", headers=headers["ana"])
    upload = _finished(client, headers["ana"], upload_id)
    assert upload["state"] == "done", upload
    assert upload["report"]["tables"]["seizures"]["accepted"] == 1


def test_a_failed_upload_changes_nothing_and_is_audited(world: Any) -> None:
    db, _, client, headers = world
    before = file_identity(db)
    upload_id = _send(client, headers["ana"], {
        "seizures.csv": BAD_SEIZURES.encode(),
        "cases.csv": "case_id,office_id\nC1,Oficina de Aduanas Ca\xf1ete\n".encode("latin-1")})
    client.post(f"/api/uploads/{upload_id}/load", headers=headers["ana"])
    upload = _finished(client, headers["ana"], upload_id)
    assert upload["state"] == "failed" and "cases.csv: line 2 is not UTF-8" in upload["error"]
    assert str(db.parent) not in upload["error"]  # no server paths
    assert file_identity(db) == before
    assert "S7" not in {s["seizure_id"] for s in client.get("/api/seizures", headers=headers["ana"]).json()}
    state = open_state_beside(db)
    assert ("ana", "upload_refused", f"uploads/{upload_id}") in {(e.actor, e.action, e.subject)
                                                                 for e in entries(state, limit=5)}
    state.close()


def test_names_types_sizes_roles_and_the_mapping_hook_are_checked(world: Any) -> None:
    _db, app, client, headers = world
    ana = headers["ana"]
    assert client.post("/api/uploads", headers=headers["uo"]).status_code == 403  # unit officers do not load
    upload_id = client.post("/api/uploads", headers=ana).json()["upload_id"]
    put = lambda name, data: client.put(f"/api/uploads/{upload_id}/files/{name}", content=data,  # noqa: E731
                                        headers=ana)
    assert put("..%2Fescape.csv", b"a,b\n").status_code in (400, 404)
    assert put(".hidden.csv", b"a,b\n").status_code == 400
    assert put("tool.exe", b"MZ\x90\x00").status_code == 415
    assert put("seizures.parquet", b"not parquet at all").status_code == 415
    assert put("seizures.xlsx", b"%PDF-1.7").status_code == 415
    assert put("seizures.csv", b"\x7fELF\x02\x01\x01\x00\x00").status_code == 415
    app.state.uploads.max_bytes = 1000
    assert put("seizures.csv", b"x" * 2000).status_code == 413
    assert not list((app.state.uploads.root / upload_id).iterdir())  # nothing refused is kept
    app.state.uploads.max_bytes = 10_000_000
    assert put("seizures.csv", BAD_SEIZURES.encode()).status_code == 200
    mapped = client.post(f"/api/uploads/{upload_id}/load", json={"mapping": "customs-2024"}, headers=ana)
    assert mapped.status_code == 400 and "customs-2024" in mapped.json()["detail"]
    assert "co-police" in mapped.json()["detail"]  # the shipped mappings are named
    other = client.put(f"/api/uploads/{upload_id}/files/x.csv", content=b"a\n", headers=headers["other"])
    assert other.status_code == 404
