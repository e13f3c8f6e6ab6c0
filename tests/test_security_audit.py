"""Issue 9, item 6: whoever can write the state store cuts or rewrites the audit log.

The attacks, each with a shell and the sqlite3 tool: drop the append-only triggers and truncate the
tail; delete an entry and re-hash the rest (as the unkeyed chain allowed); the same with the key in
hand, which only an anchor kept elsewhere catches; edit the anchor itself.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.access.audit import anchor, entry_hash, read_anchor, record, verify
from baliza.access.state import open_state
from baliza.cli.app import app as cli


@pytest.fixture
def log(tmp_path: Path):
    store = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    for n in range(1, 9):
        record(store, f"user{n}", "AG-CUS", "read_case", f"cases/C{n}", {"n": n})
    yield store, tmp_path / "state.sqlite"
    store.close()


def _tamper(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    db.execute("drop trigger if exists audit_no_update")
    db.execute("drop trigger if exists audit_no_delete")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def _rehash(path: Path, digest) -> None:  # type: ignore[no-untyped-def]
    """Renumber and re-chain every entry with `digest(fields) -> hash`: a rewrite that leaves no gap."""
    db = sqlite3.connect(path)
    rows = db.execute("select seq, at, actor, agency_id, action, subject, detail from audit order by seq").fetchall()
    db.execute("delete from audit")
    prev = "0" * 64
    for seq, (_old, at, actor, agency, action, subject, detail) in enumerate(rows, start=1):
        digest_value = digest(seq, at, actor, agency, action, subject, detail, prev)
        db.execute("insert into audit values (?,?,?,?,?,?,?,?,?)",
                   (seq, at, actor, agency, action, subject, detail, prev, digest_value))
        prev = digest_value
    db.commit()
    db.close()


def _plain_sha256(*fields: object) -> str:
    return hashlib.sha256(json.dumps(list(fields), ensure_ascii=False).encode()).hexdigest()


def test_an_intact_log_verifies_with_and_without_its_anchor(log) -> None:
    store, _ = log
    kept = anchor(store)
    record(store, "later", "AG-CUS", "read_case", "cases/C9")  # entries after the anchor are fine
    assert verify(store) == [] and verify(store, kept) == []
    assert kept.entries == 8 and read_anchor(kept.to_json()) == kept


def test_cutting_the_tail_is_caught_by_the_anchor(log) -> None:
    store, path = log
    kept = anchor(store)
    _tamper(path, "delete from audit where seq > 6")
    problems = verify(store, kept)
    assert [p.seq for p in problems] == [7] and "cut short" in problems[0].reason


def test_deleting_an_entry_and_rehashing_the_rest_is_caught(log) -> None:
    store, path = log
    _tamper(path, "delete from audit where seq = 3")
    _rehash(path, _plain_sha256)  # what the unkeyed chain let anyone do
    problems = verify(store)
    assert problems and {p.seq for p in problems} == set(range(1, 8))
    assert all("MAC" in p.reason for p in problems)


def test_a_rewrite_made_with_the_key_is_caught_by_an_anchor_kept_elsewhere(log) -> None:
    store, path = log
    kept = anchor(store)
    key = store.key("audit")
    _tamper(path, "delete from audit where seq = 3")
    _rehash(path, lambda *fields: entry_hash(key, *fields))
    record(store, "cover", "AG-CUS", "read_case", "cases/C1")  # the count is 8 again
    assert verify(store) == []  # the chain alone cannot tell
    problems = verify(store, kept)
    assert [p.seq for p in problems] == [8] and "rewritten" in problems[0].reason


def test_an_edited_anchor_is_refused(log) -> None:
    store, path = log
    kept = json.loads(anchor(store).to_json())
    _tamper(path, "delete from audit where seq > 4")
    kept["entries"] = 4  # the attacker moves the anchor back to match the cut log
    kept["head"] = sqlite3.connect(path).execute("select hash from audit where seq = 4").fetchone()[0]
    problems = verify(store, read_anchor(json.dumps(kept)))
    assert [p.seq for p in problems] == [0] and "signature" in problems[0].reason
    with pytest.raises(ValueError, match="not an audit anchor"):
        read_anchor('{"entries": 3}')


def test_the_cli_anchors_and_verifies_against_the_anchor(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "country.duckdb"
    env = {"BALIZA_PASSWORD": "a long password", "BALIZA_STATE_URL": ""}

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, [*args, "--db", str(db)], env=env)
        return result.exit_code, result.output

    for name in ("ana", "ben", "eva"):
        assert run("user", "add", name, "--agency", "AG-CUS", "--role", "analyst")[0] == 0
    anchor_file = tmp_path / "kept-elsewhere" / "anchor.json"
    code, out = run("audit", "anchor", "--out", str(anchor_file))
    assert code == 0 and "3 entries" in out
    code, out = run("audit", "verify", "--anchor", str(anchor_file))
    assert code == 0 and "intact" in out
    _tamper(tmp_path / "country.state.sqlite", "delete from audit where seq = 3")
    code, out = run("audit", "verify", "--anchor", str(anchor_file), "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"] and report["problems"][0]["seq"] == 3
    code, out = run("audit", "verify")
    assert code == 0  # without the anchor, a cut tail is still a valid chain: keep anchors
    (tmp_path / "bad.json").write_text("{}")
    code, out = run("audit", "verify", "--anchor", str(tmp_path / "bad.json"))
    assert code == 1
