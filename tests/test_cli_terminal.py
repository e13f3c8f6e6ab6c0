"""The CLI in a 100-column terminal, as an analyst meets it on the demo country: summaries that fit, headings
never cut, names instead of codes, numbers with separators in the chosen language, unknown ids refused
with the close matches, small peer groups said to be small, progress on long steps."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.demo import generate_country
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse

WIDTH = 100
TERMINAL = {"COLUMNS": str(WIDTH), "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", "BALIZA_STATE_URL": ""}


@pytest.fixture(autouse=True)
def terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's console as in a 100-column terminal. A process's console reads COLUMNS once, when it is made
    (at import): in a pytest-xdist worker that is the worker's COLUMNS, not `TERMINAL`'s, so set it here."""
    from baliza.cli.output import console

    monkeypatch.setattr(console, "_width", WIDTH)


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo's country (seed 7) in one warehouse, with its unit names and row counts read back."""
    tmp = tmp_path_factory.mktemp("terminal")
    db = tmp / "w.duckdb"
    generate_country(tmp / "country", seed=7, scale="small", truth_path=tmp / "truth.json")
    with open_warehouse(db) as wh:
        load_datasets(wh, [tmp / "country"])
        units = dict(wh.duckdb.execute("SELECT unit_id, name FROM units").fetchall())
        offices = dict(wh.duckdb.execute("SELECT unit_id, name FROM units WHERE kind = 'prosecution_office'")
                       .fetchall())
        counts = wh.row_counts()
    return {"db": db, "units": units, "offices": offices, "counts": counts}


def run(country: dict[str, Any], *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, [*args, "--db", str(country["db"])], env={**TERMINAL, **(env or {})})


def assert_fits(result: Any, where: str) -> None:
    """Exit 0, no line over 100 columns, nothing cut short with an ellipsis."""
    assert result.exit_code == 0, f"{where}: {result.output}"
    long = [line for line in result.stdout.splitlines() if len(line) > WIDTH]
    assert not long, f"{where}: {len(long)} lines over {WIDTH} columns, e.g. {long[0]!r}"
    assert "…" not in result.stdout, f"{where}: something was cut:\n{result.stdout}"


def first_column(text: str, heading: str, next_heading: str) -> str:
    """The words of a table's first column, its cells' wrapped lines joined (names wrap within it)."""
    lines = text.splitlines()
    edge = next(line for line in lines if line.startswith(heading) and next_heading in line).index(next_heading)
    return " ".join(" ".join(line[:edge].strip() for line in lines).split())


@pytest.mark.parametrize("command", [
    ["ksi"], ["ksi", "--period", "quarter", "--ids"], ["ksi", "--unit", "U-PCU-PAITA"], ["efficiency"],
    ["efficiency", "--all", "--ids"], ["efficiency", "--by", "judge"], ["efficiency", "--by", "prosecutor"],
    ["benchmark", "--ids"], ["entry-points", "--ids"], ["status"], ["status", "--all"], ["flags"],
    ["quarantine"],
])
def test_every_table_fits_a_100_column_terminal(country: dict[str, Any], command: list[str]) -> None:
    assert_fits(run(country, *command), " ".join(command))


def test_efficiency_headings_are_whole_and_offices_named(country: dict[str, Any]) -> None:
    result = run(country, "efficiency")
    assert_fits(result, "efficiency")
    heading = result.stdout.split("─" * 10)[0]  # the lines above the heading rule
    for word in ("Opened", "Resolved", "Pending", "Cleared", "Days", "dispose", "Turnover", "Dismissed",
                 "Convicted", "Median"):
        assert word in heading.split(), f"{word!r} missing from the headings:\n{heading}"
    names = first_column(result.stdout, "office", "Opened")
    for office_id, name in country["offices"].items():
        assert name in names, f"office {name} not named"
        assert office_id not in result.stdout  # ids only with --ids
    assert all(office_id in run(country, "efficiency", "--ids").stdout for office_id in country["offices"])


def test_ksi_is_a_summary_by_default_and_everything_with_all(country: dict[str, Any]) -> None:
    summary, everything = run(country, "ksi"), run(country, "ksi", "--all")
    assert summary.exit_code == 0 and everything.exit_code == 0
    rows = json.loads(run(country, "ksi", "--json").stdout)
    assert len(everything.stdout.splitlines()) >= len(rows) > 1000  # one line at least for each figure
    assert len(summary.stdout.splitlines()) < 150  # a screenful or two, not 1,578 lines
    names = first_column(summary.stdout, "unit", "Seizures")
    reported = {r["unit_id"] for r in rows if r["indicator"] == "seizures"}
    for unit_id in reported:
        assert country["units"][unit_id] in names
    assert "--all" in summary.stdout  # says how to see the rest


def test_an_unknown_unit_stops_with_the_close_matches(country: dict[str, Any]) -> None:
    for command in (["ksi", "--unit", "paita"], ["report", "growth", "--unit", "paita"]):
        result = run(country, *command)
        assert result.exit_code == 1, result.output
        assert "U-PCU-PAITA" in result.stderr and "U-SEA-PAITA" in result.stderr
        assert "paita" in result.stderr and result.stdout == ""  # no empty table
    nothing = run(country, "ksi", "--unit", "zzzz")
    assert nothing.exit_code == 1 and "baliza ksi" in nothing.stderr


def test_a_unit_may_be_named_instead_of_its_id(country: dict[str, Any]) -> None:
    by_name = run(country, "ksi", "--unit", country["units"]["U-PCU-PAITA"].upper())
    assert by_name.exit_code == 0, by_name.output
    assert "U-PCU-PAITA" in by_name.stdout and "Hit rate" in by_name.stdout


def test_benchmark_says_a_peer_group_of_two_is_too_small(country: dict[str, Any]) -> None:
    figures = json.loads(run(country, "benchmark", "--json").stdout)
    ranks = [f for f in figures if f["indicator"] == "hit_rate_peer_percentile"]
    small = {f["unit_id"] for f in ranks if f["denominator"] + 1 < 3}
    assert small, "the demo has peer groups of two units"
    result = run(country, "benchmark", "--ids")
    assert_fits(result, "benchmark")
    assert "100 (100–100)" not in result.stdout
    for line in result.stdout.splitlines():
        if any(unit_id in line.split() for unit_id in small):
            assert "group too small" in line, line
    assert "(2 units)" in result.stdout


def test_numbers_carry_separators_of_the_chosen_language(country: dict[str, Any]) -> None:
    n = country["counts"]["consignments"]
    assert n >= 1000
    english = run(country, "status")
    assert f"{n:,}" in english.stdout
    spanish = CliRunner().invoke(app, ["--lang", "es", "status", "--db", str(country["db"])], env=TERMINAL)
    assert f"{n:,}".replace(",", ".") in spanish.stdout
    from_environment = run(country, "status", env={"LANG": "pt_BR.UTF-8"})
    assert f"{n:,}".replace(",", ".") in from_environment.stdout


def test_long_steps_say_what_they_do(country: dict[str, Any], tmp_path: Path) -> None:
    result = run(country, "report", "growth", "--out", str(tmp_path / "g.html"))
    assert result.exit_code == 0, result.output
    assert "Computing each unit's indicators" in result.stderr and "Writing" in result.stderr
    assert "Computing" not in result.stdout  # progress never mixes with what a script reads


def test_report_country_is_written_in_the_language_asked_for(country: dict[str, Any], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import baliza.report.country as report
    from baliza.i18n import current

    spoken: list[str] = []
    monkeypatch.setattr(report, "write_country_report", lambda *args, **kwargs: spoken.append(current()))
    for args, env, expected in ((["report", "country", "--lang", "es"], {}, "es"),
                                (["--lang", "pt", "report", "country"], {}, "pt"),
                                (["report", "country"], {"LC_ALL": "es_CO.UTF-8"}, "es"),
                                (["report", "country"], {}, "en")):
        result = run(country, *args, "--out", str(tmp_path / "c.html"), env=env)
        assert result.exit_code == 0, result.output
        assert spoken[-1] == expected, args


def test_demo_refuses_a_busy_port_at_once_and_names_a_free_one(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.perf_counter()
        result = CliRunner().invoke(app, ["demo", "--db", str(tmp_path / "d.duckdb"), "--port", str(port)],
                                    env=TERMINAL)
        seconds = time.perf_counter() - started
    assert result.exit_code == 1
    assert f"port {port}" in result.stderr and "--port" in result.stderr and "--no-serve" in result.stderr
    assert seconds < 5 and not (tmp_path / "d.duckdb").exists()  # before building anything


def test_demo_accounts_keep_each_password_on_its_users_line() -> None:
    from baliza.access.roles import Role
    from baliza.cli.demo import show_accounts
    from baliza.cli.output import console

    class Account:
        def __init__(self, username: str, password: str, role: Role) -> None:
            self.username, self.password, self.role, self.agency_id = username, password, role, "AG-1"
            self.sees = "its agency's seizures, cases and persons, findings on them, and what is shared with it"

    accounts = [Account(f"demo_{role.value}", f"pw{role.value.upper()}x9Q", role) for role in Role]
    saved = console.width
    console.width = 80
    try:
        with console.capture() as captured:
            show_accounts(accounts, {"AG-1": "A ministry with a rather long name, as ministries have"})
    finally:
        console.width = saved
    lines = captured.get().splitlines()
    for account in accounts:
        assert any(line.split() == [account.username, account.password] for line in lines), account.username
    assert all(len(line) <= 80 for line in lines)


def test_other_unknown_ids_stop_with_the_close_matches(country: dict[str, Any]) -> None:
    chain = run(country, "chain", "SZ-87")  # the id typed without its zeros
    assert chain.exit_code == 1 and "SZ-0000087" in chain.stderr.split("Close matches:")[1]
    table = run(country, "quarantine", "--table", "seizure")
    assert table.exit_code == 1 and "seizures" in table.stderr
    country_code = run(country, "entry-points", "--country", "XXX")
    assert country_code.exit_code == 1 and "PER" in country_code.stderr
    period = run(country, "benchmark", "--period", "1999")
    assert period.exit_code == 1 and "2025" in period.stderr
