"""Results computed once per load (never on request), `/health`, `/metrics`, request ids and JSON logs."""

from __future__ import annotations

import io
import json
import logging
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
from baliza.cli.app import app as cli
from baliza.web.app import create_app
from baliza.web.observability import JsonLogs
from load_fixtures import write_dataset
from test_service_loading import AGENCY, SECOND

runner = CliRunner()
ANALYSES = {  # module, function: every whole-country analysis a page reads
    "red flags": ("baliza.analyses.integrity", "red_flags"),
    "unit indicators": ("baliza.analyses.ksi", "compute_indicators"),
    "justice figures": ("baliza.report.justice", "justice_figures"),
    "country figures": ("baliza.report.country", "country_figures"),
}


@pytest.fixture
def served(tmp_path: Path) -> Any:
    db = tmp_path / "w.duckdb"
    assert runner.invoke(cli, ["load", str(write_dataset(tmp_path / "first")), "--db", str(db),
                               "--agency", AGENCY]).exit_code == 0
    state = open_state_beside(db)
    tokens = {}
    for role in (Role.ANALYST, Role.ADMIN, Role.PROSECUTION_INSPECTOR):
        add_user(state, role.value, "a long password", AGENCY, role)
        tokens[role] = {"Authorization": f"Bearer {add_token(state, role.value)[1]}"}
    state.close()
    app = create_app(db, precompute=True)
    with TestClient(app) as client:
        yield db, app, client, tokens
    app.state.baliza.close()


def _count_analyses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    import importlib

    calls: Counter[str] = Counter()
    for name, (module_name, function) in ANALYSES.items():
        module = importlib.import_module(module_name)
        original = getattr(module, function)

        def counted(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, function, counted)
    return calls


def _visit_every_results_page(client: TestClient, tokens: dict[Role, dict[str, str]]) -> None:
    analyst, inspector = tokens[Role.ANALYST], tokens[Role.PROSECUTION_INSPECTOR]
    for path in ("/api/findings", "/api/indicators?granularity=year", "/api/indicators?granularity=quarter",
                 "/api/indicators?granularity=month"):
        assert client.get(path, headers=analyst).status_code == 200, path
    for granularity in ("year", "quarter", "month"):
        assert client.get(f"/justice?granularity={granularity}", headers=inspector).status_code == 200


def test_results_are_computed_after_each_load_and_pages_only_read_them(served: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db, app, client, tokens = served
    ctx = app.state.baliza
    calls = _count_analyses(monkeypatch)
    ctx.warm_up()
    ctx.wait_for_refresh(120)
    assert set(calls) == set(ANALYSES)  # each computed in the background, at start
    at_start = calls.copy()
    _visit_every_results_page(client, tokens)
    assert calls == at_start, "a page ran a whole-country analysis on request"

    assert runner.invoke(cli, ["load", str(write_dataset(db.parent / "second", SECOND)), "--db", str(db),
                               "--agency", AGENCY]).exit_code == 0
    client.get("/health")  # the next request notices the new file; its results are computed, then served
    ctx.wait_for_refresh(120)
    assert all(calls[name] > at_start[name] for name in ANALYSES)
    after_load = calls.copy()
    seizures = client.get("/api/seizures", headers=tokens[Role.ANALYST]).json()
    assert {"S4", "S5"} <= {s["seizure_id"] for s in seizures}
    _visit_every_results_page(client, tokens)
    assert calls == after_load, "a page ran a whole-country analysis on request after a load"

    status = client.get("/api/service", headers=tokens[Role.ADMIN]).json()  # progress, for administrators
    assert status["results"]["state"] == "serving" and status["results"]["refreshes"] >= 2
    assert status["results"]["done"] == status["results"]["total"] > 5 and status["loads"] == 2
    assert client.get("/api/service", headers=tokens[Role.ANALYST]).status_code == 403


def test_health_says_ok_and_nothing_else(served: Any) -> None:
    _, _, client, _ = served
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_metrics_count_requests_by_route_template_with_latencies_loads_and_queue(served: Any) -> None:
    _, _, client, tokens = served
    assert client.get("/api/seizures/S1/chain", headers=tokens[Role.ANALYST]).status_code == 200
    assert client.get("/api/seizures/S2/chain", headers=tokens[Role.ANALYST]).status_code == 200
    text = client.get("/metrics").text
    assert 'baliza_http_requests_total{method="GET",route="/api/seizures/{seizure_id}/chain",status="200"} 2' in text
    assert "S1" not in text and "S2" not in text
    assert 'baliza_http_request_duration_seconds_bucket{route="/api/seizures/{seizure_id}/chain",le="+Inf"} 2' in text
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    assert lines["baliza_warehouse_loads"] == "1" and lines["baliza_load_running"] == "0"
    assert lines["baliza_load_queue"] == "0" and "baliza_results_computing" in lines


def test_request_ids_and_json_logs_without_personal_data(served: Any) -> None:
    _, _, client, tokens = served
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogs())
    logger = logging.getLogger("baliza.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        given = client.get("/api/persons/X1", headers={**tokens[Role.ANALYST], "X-Request-ID": "proxy-id-12345"})
        made = client.get("/api/persons/X2?q=Maria", headers={**tokens[Role.ANALYST], "X-Request-ID": "bad id\n"})
    finally:
        logger.removeHandler(handler)
    assert given.headers["x-request-id"] == "proxy-id-12345"
    assert made.headers["x-request-id"] != "bad id\n" and len(made.headers["x-request-id"]) == 32
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["request_id"] for e in entries] == ["proxy-id-12345", made.headers["x-request-id"]]
    assert {e["route"] for e in entries} == {"/api/persons/{person_id}"}
    assert all(e["status"] == given.status_code and e["ms"] >= 0 for e in entries[:1])
    logged = stream.getvalue()
    for personal in ("X1", "X2", "Maria", "Juan", "analyst", "testclient"):
        assert personal not in logged

