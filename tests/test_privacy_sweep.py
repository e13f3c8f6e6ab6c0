"""The sweep (issue 16, done when): protected people's names, document numbers and phones are nowhere.

The demo country of the session (`split_demo.split`, generated and loaded agency by agency) is copied
into a folder of its own. The names, documents and phones of its protected people (flagged, or in
`farmer_enrolments` or `treatment_episodes`) are read from the generator's CSV files, before any load;
values that a person who is not protected shares (a common name) are left out, since those may be shown.
Then, in that folder:

- a file of bad rows about protected people is loaded (`baliza load`), and the quarantine read back;
- every GET route of the web application, collected from the app itself (so routes added later are
  swept too), is asked by every demo account and by nobody, with ids of protected people and of others
  for its path parameters, every export format, and ids that do not exist (error pages);
- the log output is captured as plain lines and as JSON lines;
- every file under the folder is read, byte by byte (warehouse, WAL, state store, search index,
  temporary files, an encrypted backup).

Nothing may hold a secret, in any case, nor a phone's digits alone. The one exception is an audited
identity read: a programme officer's page of a person of its own programme, in the response whose
request wrote a `read_identity` audit entry for that very person.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute
from typer.testing import CliRunner

from baliza.access.state import audit, open_state, users
from baliza.access.tokens import add_token
from baliza.cli.app import app as cli
from baliza.web.app import create_app
from baliza.web.observability import JsonLogs

FORMATS = ("csv", "xlsx", "json", "html", "pdf")
MISSING = "ZZ-NOT-THERE-404"
SAMPLES = 1  # ids per path parameter besides the protected people's
OFFICER = "demo_programme_officer"


@dataclass
class Secrets:
    """The protected people's identifying values, and a scanner for them in any text."""

    names: dict[str, str] = field(default_factory=dict)  # folded name -> person id
    tokens: dict[str, str] = field(default_factory=dict)  # document or phone digits -> person id
    first_words: dict[str, list[str]] = field(default_factory=dict)
    _first: re.Pattern[str] | None = None

    def add(self, person_id: str, name: str, document: str, phone: str) -> None:
        if name.strip():
            folded = " ".join(name.lower().split())
            self.names[folded] = person_id
            self.first_words.setdefault(folded.split()[0], []).append(folded)
        if document.strip():
            self.tokens[document.strip().upper()] = person_id
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 7:
            self.tokens[digits] = person_id  # +51 951686436 -> 51951686436
            local = re.sub(r"\D", "", phone.split(" ", 1)[-1]) if " " in phone.strip() else ""
            if len(local) >= 7:
                self.tokens[local] = person_id  # and 951686436

    def forget(self, name: str, document: str, phone: str) -> None:
        """A value a person who is not protected also has: it may be shown, for them."""
        folded = " ".join(name.lower().split())
        if folded in self.names:
            del self.names[folded]
            self.first_words[folded.split()[0]].remove(folded)
        self.tokens.pop(document.strip().upper(), None)
        self.tokens.pop(re.sub(r"\D", "", phone), None)

    def find(self, text: str) -> dict[str, str]:
        """The secrets in `text` (any case; phones also as bare digits): secret -> person id."""
        if self._first is None:  # one regex of the first words, scanned in C: files are megabytes
            self._first = re.compile("(?<![a-z])(" + "|".join(map(re.escape, sorted(self.first_words))) + ")(?![a-z])")
        found: dict[str, str] = {}
        lower = text.lower()
        for word in self._first.finditer(lower):
            for name in self.first_words[word.group(1)]:
                if lower.startswith(name, word.start()):
                    found[name] = self.names[name]
        digests = [m.span() for m in _DIGEST.finditer(text)]  # in order, not overlapping
        starts = [start for start, _ in digests]
        for run in _CODE.finditer(text):
            at = bisect.bisect_right(starts, run.start()) - 1
            if at >= 0 and run.end() <= digests[at][1]:
                continue  # the digits of a hex digest (a blind index) that happen to spell a document
            code = run.group(0).upper()
            for start in range(len(run.group(1)) + 1):  # the letters before the digits may not be the document's
                if code[start:] in self.tokens:
                    found[code[start:]] = self.tokens[code[start:]]
        return found


_CODE = re.compile(r"([A-Za-z]{0,4})\d{6,}")
_DIGEST = re.compile(r"[0-9a-f]{32,}")  # md5 and longer digests, as blind indexes and pseudonyms are written


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def read_secrets(country: Path) -> tuple[Secrets, list[dict[str, str]]]:
    """The protected people of the generated country (from its CSV files), and their rows."""
    enrolled: dict[str, str] = {}
    for table in ("farmer_enrolments", "treatment_episodes"):
        for path in country.glob(f"*/{table}.csv"):
            enrolled |= {row["person_id"]: table for row in _rows(path)}
    people = [row for path in sorted(country.glob("*/persons.csv")) for row in _rows(path)]
    protected = [{**p, "why": enrolled.get(p["person_id"], "flag")} for p in people
                 if p["person_id"] in enrolled or p.get("protected", "").lower() == "true"]
    found = Secrets()
    for person in protected:
        found.add(person["person_id"], person["full_name"], person["id_document"], person["phone"])
    keep = {p["person_id"] for p in protected}
    for person in people:
        if person["person_id"] not in keep:
            found.forget(person["full_name"], person["id_document"], person["phone"])
    for path in country.glob("*/*.csv"):  # a document number that is also an id's digits (P-00008404) is public
        for row in _rows(path):
            for column, value in row.items():
                if column.endswith("_id") and value:
                    for digits in re.findall(r"\d{6,}", value):
                        found.tokens.pop(digits, None)
    return found, protected


# --- the routes of the app ------------------------------------------------------------------------------

def get_routes(app: Any) -> list[Any]:
    """Every GET route of the app, through included routers."""
    def walk(routes: list[BaseRoute]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's lazily included router
                yield from walk(route.original_router.routes)
            elif "GET" in (getattr(route, "methods", None) or ()):
                yield route
    return list(walk(app.routes))


def _query_params(route: Any) -> list[str]:
    dependant = getattr(route, "dependant", None)
    return [p.name for p in getattr(dependant, "query_params", [])] if dependant else []


@dataclass
class Answer:
    who: str
    path: str
    status: int
    text: str
    revealed: set[str]  # person ids of the read_identity entries this request wrote
    seconds: float = 0.0


@dataclass
class Sweep:
    secrets: Secrets
    protected: list[dict[str, str]]
    folder: Path
    answers: list[Answer] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    cli_output: list[str] = field(default_factory=list)
    files_while_serving: dict[str, bytes] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _copy_world(db: Path, state_url: str, folder: Path) -> Path:
    """The session's demo warehouse, its key and its state store, copied into `folder`."""
    folder.mkdir()
    target = folder / "country.duckdb"
    shutil.copyfile(db, target)
    for key in db.parent.glob(f"{db.name}*.key"):
        shutil.copyfile(key, folder / (target.name + key.name[len(db.name):]))
    state = Path(state_url.removeprefix("sqlite:///"))
    state_copy = folder / "country.state.sqlite"
    shutil.copyfile(state, state_copy)
    for key in state.parent.glob(f"{state.name}.*.key"):
        shutil.copyfile(key, folder / (state_copy.name + key.name[len(state.name):]))
    return target


def _bad_rows(protected: list[dict[str, str]], folder: Path) -> Path:
    """Persons rows about protected people that the loader refuses: a bad date, a bad flag, a ragged row."""
    folder.mkdir()
    header = "person_id,full_name,birth_date,nationality,id_document,phone,address,protected"
    lines = [header]
    for person in protected[:3]:
        cells = [person["person_id"], person["full_name"], "1975-13-45", "PER", person["id_document"],
                 person["phone"], "Calle Falsa 123", "maybe"]
        lines.append(",".join(f'"{c}"' for c in cells))
    ragged = protected[3]
    lines.append(f'{ragged["person_id"]},{ragged["full_name"]},{ragged["id_document"]},{ragged["phone"]},x,y,z,w,v')
    (folder / "persons.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _values(wh_path: Path, protected: list[dict[str, str]]) -> dict[str, list[str]]:
    """Ids to put in path parameters: protected people (and their cases and seizures), a few others."""
    import duckdb

    ids = [p["person_id"] for p in protected]
    chosen = [next(p["person_id"] for p in protected if p["why"] == why)
              for why in ("farmer_enrolments", "treatment_episodes", "flag") if any(p["why"] == why for p in protected)]
    marks = ", ".join("?" * len(ids))
    values: dict[str, list[str]] = {"person_id": chosen}
    with duckdb.connect(str(wh_path), read_only=True) as con:
        values["case_id"] = [r[0] for r in con.execute(
            f"SELECT DISTINCT case_id FROM case_parties WHERE person_id IN ({marks}) LIMIT 2", ids).fetchall()]
        values["seizure_id"] = [r[0] for r in con.execute(
            f"SELECT DISTINCT seizure_id FROM arrests WHERE person_id IN ({marks}) AND seizure_id IS NOT NULL "
            "LIMIT 2", ids).fetchall()]
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND "
                              "column_name LIKE '%\\_id' ESCAPE '\\' AND data_type = 'VARCHAR'").fetchall()
        for table, column in columns:
            picked = [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" '
                                                f"IS NOT NULL ORDER BY 1 LIMIT {SAMPLES}").fetchall()]
            values.setdefault(column, [])
            values[column] += [v for v in picked if v not in values[column]][:SAMPLES]
    values["chain"] = ["btc"]
    return values


def _paths(template: str, values: dict[str, list[str]]) -> list[str]:
    """The template with each parameter filled: known ids, then one that does not exist."""
    names = re.findall(r"{(\w+)}", template)
    filled = [template]
    for name in names:
        options = FORMATS if name == "fmt" else [*values.get(name, values.get(f"{name}_id", [])), MISSING]
        filled = [path.replace(f"{{{name}}}", option, 1) for path in filled for option in options]
    return filled


def _principals(state_url: str) -> dict[str, str | None]:
    """Every demo account (a fresh API token each) and nobody."""
    state = open_state(state_url)
    try:
        with state.engine.connect() as conn:
            names = [r[0] for r in conn.execute(sa.select(users.c.username)).fetchall() if r[0].startswith("demo_")]
        # one account per role: the demo's second analyst (of a partner agency) adds no role
        found: dict[str, str | None] = {name: add_token(state, name, "sweep")[1] for name in sorted(names)
                                        if name != "demo_partner_analyst"}
    finally:
        state.close()
    found["(nobody)"] = None
    return found


def _identity_reads_since(engine: sa.Engine, seq: int) -> tuple[int, set[str]]:
    """The newest audit entry's number, and the people named by `read_identity` entries after `seq`."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit.c.seq, audit.c.action, audit.c.detail).where(audit.c.seq > seq)
                            ).fetchall()
    revealed = {s.split("/", 1)[1] for r in rows if r.action == "read_identity"
                for s in json.loads(r.detail).get("subjects", [])}
    return max([seq, *(r.seq for r in rows)]), revealed


class _Lines(logging.Handler):
    def __init__(self, sink: list[str], formatter: logging.Formatter) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(self.format(record))


def _text(response: Any) -> str:
    kind = response.headers.get("content-type", "")
    if "pdf" in kind:
        return _pdf_text(response.content)
    if "spreadsheet" in kind or response.content[:2] == b"PK":
        return _xlsx_text(response.content)
    return response.content.decode("utf-8", errors="replace")


def _pdf_text(data: bytes) -> str:
    """A PDF's bytes with every compressed stream inflated (metadata, attachments, text that is not drawn
    through a font subset). Its drawn text is the HTML report's, swept as HTML: no PDF text reader here."""
    import zlib

    parts = [data.decode("latin-1")]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


def _xlsx_text(data: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())


@pytest.fixture(scope="module")
def sweep(split, tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    db, state_url, _readers, country = split
    secrets, protected = read_secrets(Path(country))
    assert len(secrets.names) > 50 and len(secrets.tokens) > 100, "the generated country should have protected people"
    tmp = tmp_path_factory.mktemp("sweep")
    folder = tmp / "warehouse"
    wh_path = _copy_world(Path(db), state_url, folder)
    state = f"sqlite:///{folder / 'country.state.sqlite'}"
    found = Sweep(secrets, protected, folder)
    plain = _Lines(found.logs, logging.Formatter("%(levelname)s %(name)s %(message)s"))
    as_json = _Lines(found.logs, JsonLogs())
    root = logging.getLogger()
    root.addHandler(plain)
    root.addHandler(as_json)
    level = root.level
    root.setLevel(logging.DEBUG)
    started = time.perf_counter()
    try:
        runner = CliRunner()
        loaded = runner.invoke(cli, ["load", str(_bad_rows(protected, tmp / "bad")), "--db", str(wh_path),
                                     "--agency", "AG-PER-DRUGS", "--json"])
        found.cli_output += [loaded.output, loaded.stdout]
        assert json.loads(loaded.stdout)["tables"]["persons"]["quarantined"] >= 4, loaded.output
        for command in (["quarantine", "--all", "--json"], ["quarantine", "--all"], ["status", "--all"]):
            shown = runner.invoke(cli, [*command, "--db", str(wh_path)])
            found.cli_output.append(shown.output)
        os.environ["BALIZA_BACKUP_PASSPHRASE"] = "a sweep passphrase of some length"
        try:
            backed = runner.invoke(cli, ["backup", str(folder / "sweep.baliza"), "--db", str(wh_path)])
        finally:
            del os.environ["BALIZA_BACKUP_PASSPHRASE"]
        assert backed.exit_code == 0, backed.output
        found.seconds["load, quarantine, backup"] = time.perf_counter() - started
        cpu = time.process_time()
        _crawl(found, wh_path, state)
        found.seconds["crawl"] = time.perf_counter() - started - found.seconds["load, quarantine, backup"]
        found.seconds["crawl (CPU of this process)"] = time.process_time() - cpu
    finally:
        root.removeHandler(plain)
        root.removeHandler(as_json)
        root.setLevel(level)
    return found


def _crawl(found: Sweep, wh_path: Path, state: str) -> None:
    values = _values(wh_path, found.protected)
    principals = _principals(state)
    app = create_app(wh_path, state_url=state)
    engine = sa.create_engine(state)
    seq, _ = _identity_reads_since(engine, 0)
    with TestClient(app, raise_server_exceptions=False) as client:
        routes = get_routes(app)
        found.routes = [r.path for r in routes]
        for route in routes:
            paths = _paths(route.path, values)
            if "q" in _query_params(route):
                paths += [f"{route.path}?q={values['person_id'][0]}"]
            for who, token in principals.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                for path in paths:
                    if path.endswith(".pdf") and who != OFFICER:
                        continue  # the same report as its HTML, slow to render: one reader is enough
                    if MISSING in path and who not in (OFFICER, "demo_analyst", "demo_admin"):
                        continue  # error pages: three readers are enough
                    asked = time.perf_counter()
                    response = client.get(path, headers=headers, follow_redirects=True)
                    seconds = time.perf_counter() - asked
                    revealed: set[str] = set()
                    if who == OFFICER:  # only a programme officer's reads may reveal (any other hit is a leak)
                        seq, revealed = _identity_reads_since(engine, seq)
                    found.answers.append(Answer(who, path, response.status_code, _text(response), revealed, seconds))
        found.files_while_serving = _files(found.folder)
    app.state.baliza.close()
    engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its path; a hard link of one already read (a server's link to the
    warehouse) is read once."""
    found: dict[str, bytes] = {}
    seen: set[tuple[int, int]] = set()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (path.stat().st_dev, path.stat().st_ino) not in seen:
            seen.add((path.stat().st_dev, path.stat().st_ino))
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


# --- the tests ------------------------------------------------------------------------------------------

def test_the_sweep_covers_every_route_and_every_role(sweep: Sweep) -> None:
    asked = {a.path.split("?")[0] for a in sweep.answers}
    assert len(sweep.routes) > 30
    for template in sweep.routes:
        assert any(re.fullmatch(re.sub(r"{\w+}", "[^/]+", template), path) for path in asked), template
    assert {a.who for a in sweep.answers} >= {OFFICER, "demo_oversight", "demo_admin",
                                              "demo_analyst", "(nobody)"}
    ok = [a for a in sweep.answers if a.status == 200]
    assert len(ok) > 100 and any(a.status == 404 for a in sweep.answers)
    # the sweep would see a leak: the programme officer does read protected identities, audited
    assert any(a.revealed and sweep.secrets.find(a.text) for a in ok), "no audited identity read was seen"
    print(f"swept {len(sweep.answers)} answers ({len(ok)} 200) of {len(sweep.routes)} routes; "
          + ", ".join(f"{k} {v:.1f} s" for k, v in sweep.seconds.items()))
    slowest = sorted(sweep.answers, key=lambda a: -a.seconds)[:8]
    print("slowest: " + ", ".join(f"{a.who} {a.path} {a.seconds:.1f} s" for a in slowest))


def test_no_page_api_export_or_report_shows_a_protected_identity(sweep: Sweep) -> None:
    leaks = []
    for answer in sweep.answers:
        hits = sweep.secrets.find(answer.text)
        allowed = answer.who == OFFICER and set(hits.values()) <= answer.revealed
        if hits and not allowed:
            leaks.append((answer.who, answer.path, answer.status, sorted(hits)[:3]))
    assert not leaks, leaks[:10]


def test_no_log_line_or_error_message_holds_one(sweep: Sweep) -> None:
    assert sweep.logs, "the logs were not captured"
    assert any('"route"' in line for line in sweep.logs)  # the JSON request lines are among them
    for line in sweep.logs:
        assert not sweep.secrets.find(line), line[:300]
    assert "quarantined" in " ".join(sweep.cli_output) or "1975-13-45" not in " ".join(sweep.cli_output)
    for output in sweep.cli_output:
        assert not sweep.secrets.find(output), output[:500]


def test_no_file_on_disk_holds_one(sweep: Sweep) -> None:
    after = _files(sweep.folder)
    names = set(sweep.files_while_serving) | set(after)
    assert "country.duckdb" in names and "country.state.sqlite" in names and "sweep.baliza" in names
    assert any(name.endswith(".search.sqlite") for name in names), names
    scanned = set(sweep.files_while_serving.values())
    for name, data in [*sweep.files_while_serving.items(), *((n, d) for n, d in after.items() if d not in scanned)]:
        hits = sweep.secrets.find(data.decode("latin-1"))
        assert not hits, (name, sorted(hits)[:3])
