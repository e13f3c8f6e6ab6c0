"""Results computed once per load and stored: every page reads one results object, a restart reads the
stored results instead of computing them again, and the stored file reads nothing without its key."""

from __future__ import annotations

import importlib
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.tokens import add_token
from baliza.access.users import add_user
from baliza.analyses.chain_links import seizure_chain
from baliza.cli.app import app as cli
from baliza.warehouse.results import read_results, results_folder, store_results
from baliza.web.app import create_app
from baliza.web.lookups import LookupWarehouse
from baliza.web.precompute import step_names
from baliza.web.results import LoadResults, results_of
from baliza.web.snapshots import Snapshot
from load_fixtures import write_dataset
from test_service_loading import AGENCY

runner = CliRunner()
ANALYSES = {  # every whole-country analysis behind a page: (module, function)
    "red flags": ("baliza.analyses.integrity", "red_flags"),
    "unit indicators": ("baliza.analyses.ksi", "compute_indicators"),
    "justice figures": ("baliza.report.justice", "justice_figures"),
    "country figures": ("baliza.report.country", "country_figures"),
    "chain breaks": ("baliza.analyses.chain_breaks", "break_rows"),
    "chain status": ("baliza.analyses.chain_breaks", "seizure_status"),
    "growth report": ("baliza.analyses.growth", "growth_report"),
    "stage dates": ("baliza.analyses.as_of", "stage_as_of"),
    "names": ("baliza.analyses.chain_links", "directory_names"),
    "load file owners": ("baliza.web.load_owners", "file_agencies"),
}
PAGES = {  # every page reading whole-country results, by the role that reads it
    Role.ANALYST: ["/", "/chain", "/api/chains", "/findings", "/api/findings", "/chain/seizure/S1",
                   "/api/seizures/S1/chain", "/indicators", "/indicators?granularity=quarter",
                   "/indicators?granularity=month", "/api/indicators?granularity=month", "/reports", "/sharing",
                   "/quarantine"],
    Role.PROSECUTION_INSPECTOR: ["/", "/justice", "/justice?granularity=year", "/justice?granularity=month",
                                 "/findings"],
    Role.OVERSIGHT: ["/", "/indicators", "/api/indicators?granularity=quarter"],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Role, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("results")
    db = tmp / "w.duckdb"
    assert runner.invoke(cli, ["load", str(write_dataset(tmp / "first")), "--db", str(db),
                               "--agency", AGENCY]).exit_code == 0
    state = open_state_beside(db)
    tokens = {}
    for role in PAGES:
        add_user(state, role.value, "a long password", AGENCY, role)
        tokens[role] = {"Authorization": f"Bearer {add_token(state, role.value)[1]}"}
    state.close()
    return db, tokens


def _count_analyses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls: Counter[str] = Counter()
    for name, (module_name, function) in ANALYSES.items():
        module = importlib.import_module(module_name)
        original = getattr(module, function)

        def counted(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, function, counted)
    return calls


def _serve(db: Path) -> Any:
    app = create_app(db, precompute=True)
    app.state.baliza.warm_up()
    app.state.baliza.wait_for_refresh(120)
    return app


def _visit(client: TestClient, tokens: dict[Role, dict[str, str]]) -> dict[str, int]:
    answers = {}
    for role, paths in PAGES.items():
        for path in paths:
            answer = client.get(path, headers=tokens[role])
            assert answer.status_code == 200, (role, path, answer.text[:300])
            answers[f"{role.value} {path}"] = len(answer.content)
    return answers


def test_pages_read_the_stored_results_and_a_restart_computes_nothing(warehouse: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db, tokens = warehouse
    calls = _count_analyses(monkeypatch)
    app = _serve(db)
    try:
        assert set(calls) == set(ANALYSES)  # each computed once, in the background
        computed = calls.copy()
        with TestClient(app) as client:
            first = _visit(client, tokens)
        assert calls == computed, "a page ran a whole-country analysis on request"
        assert results_of(app.state.baliza).on_request == []
    finally:
        app.state.baliza.close()
    assert len(list(results_folder(db).iterdir())) == 1  # one file: the results of the state served

    again = _serve(db)  # a restart: the stored results are read, nothing is computed again
    try:
        assert calls == computed, "the restart computed the results again"
        assert again.state.baliza.refresh.refreshes == 1 and again.state.baliza.refresh.error == ""
        with TestClient(again) as client:
            assert _visit(client, tokens) == first  # the same pages from the stored results
        assert calls == computed and results_of(again.state.baliza).on_request == []
    finally:
        again.state.baliza.close()


def test_every_declared_result_is_a_step_of_the_computation() -> None:
    names = step_names()
    for result in LoadResults.declared():
        assert any(name.startswith(result.label) for name in names), result.name
    assert "who holds each finding's rows" in names and "search index" in names


def test_stored_results_are_sealed_and_refused_when_altered_or_of_another_state(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    key, other_key = bytes(range(32)), bytes(32)
    values = {"values": {("directory_names", None): {"U1": "PCU Callao"}}, "owners": {}, "asked": set()}
    path = store_results(db, "1:1", values, key)
    assert path is not None and b"PCU Callao" not in path.read_bytes()  # names quoted from the data: not in clear
    assert path.stat().st_mode & 0o077 == 0
    assert read_results(db, "1:1", key) == values
    assert read_results(db, "1:1", other_key) is None
    assert read_results(db, "2:2", key) is None  # another state's results are never read for this one
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    assert read_results(db, "1:1", key) is None  # altered: refused before anything is unpickled
    store_results(db, "2:2", values, key)
    assert [p.name for p in results_folder(db).iterdir()] == ["2-2.bin"]  # the old state's results go


def test_a_result_read_before_it_was_computed_is_counted() -> None:
    asked: list[str] = []

    def warehouse() -> Any:
        asked.append("cursor")
        raise RuntimeError("no warehouse in this test")

    results = LoadResults("0:None", warehouse)
    assert results.agencies == []  # the analysis failed: its fallback, logged
    assert results.on_request == ["agencies"] and asked == ["cursor"]
    with pytest.raises(AttributeError):
        results.agencys  # noqa: B018  (a misspelt result is an error, never a silent computation)
    with pytest.raises(KeyError, match="decade"):
        results.indicators["decade"]


def test_a_worker_threads_cursor_refuses_use_from_another_thread(warehouse: Any) -> None:
    """DuckDB refuses a second call on a busy connection (ResourceInUse) instead of waiting: a cursor that
    reached another thread would fail only under load. It fails at once, and each thread gets its own."""
    db, _ = warehouse
    snapshot = Snapshot.open(db)
    try:
        mine = snapshot.thread_warehouse()
        seen: list[str] = []

        def other() -> None:
            try:
                mine.duckdb.execute("select 1")
            except RuntimeError as refused:
                seen.append(str(refused))
            theirs = snapshot.thread_warehouse()
            seen.append(str(theirs is not mine and theirs.duckdb.execute("select 1").fetchall() == [(1,)]))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert "another thread" in seen[0] and seen[1] == "True"
        assert mine.duckdb.execute("select 2").fetchall() == [(2,)]
    finally:
        snapshot.close()


def test_a_chain_read_through_the_in_memory_lookups_is_the_chain_read_from_duckdb(warehouse: Any) -> None:
    db, _ = warehouse
    snapshot = Snapshot.open(db)
    try:
        wh = snapshot.thread_warehouse()
        for seizure_id in ("S1", "S2", "S3"):
            scanned = seizure_chain(LookupWarehouse(wh, None, snapshot.cached), seizure_id)
            looked_up = seizure_chain(LookupWarehouse(wh, None, snapshot.cached, indexed=True), seizure_id)
            assert looked_up.to_dict() == scanned.to_dict()
            assert [e.stage for e in looked_up.events][:1] == ["seizure"]
        assert {"key-index:seizures:seizure_id", "key-index:cases:seizure_id"} <= set(snapshot.cache)
        with pytest.raises(KeyError):
            seizure_chain(LookupWarehouse(wh, None, snapshot.cached, indexed=True), "S-NONE")
    finally:
        snapshot.close()
