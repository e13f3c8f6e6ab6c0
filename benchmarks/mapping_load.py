"""Benchmark: loading seizures through a mapping against loading the same rows in the interchange format.

    python benchmarks/mapping_load.py                   # 1 million rows (the issue's goal: at most 1.5x)
    python benchmarks/mapping_load.py --rows 200000     # when the machine is busy
    python benchmarks/mapping_load.py --repeat 2        # each load twice, interleaved: the least time counts

The export is a police force's own table (Spanish headers, `01/28/2018 12:00:00 AM` dates, department
and municipality names with and without accents, grams, no ids, a TOTAL line), read through the shipped
`co-police` mapping with its lookups pointed at the benchmark's units: dates parsed, words translated,
places looked up, ids made by a keyed hash. The same seizures are written as `seizures.csv` in the
interchange format, under the ids the mapping makes for them, and loaded into a second warehouse. Both
loads check and insert every row.

Each load is timed by the clock and by the processor time the process used (all DuckDB threads): on a
shared machine the clock depends on the neighbours, the processor time much less, so both ratios are shown.
With `--repeat`, both loads run that many times in turn (each into a new warehouse) and the least clock and
processor times are kept, which a busy neighbour inflates less.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from baliza.load import load_datasets
from baliza.load.mapping import find_mapping, read_through_mapping
from baliza.warehouse import open_warehouse

DEPARTMENTS = [("AMAZONAS", "LETICIA (CT)", "91001", "U-CO-DEAMA", "EP-CO-LETICIA"),
               ("BOGOTÁ D.C.", "BOGOTÁ D.C. (CT)", "11001", "U-CO-MEBOG", "EP-CO-ELDORADO"),
               ("BOGOTA D.C.", "BOGOTA D.C.", "11001", "U-CO-MEBOG", "EP-CO-ELDORADO"),
               ("NARIÑO", "TUMACO", "52835", "U-CO-DENAR", None),
               ("NARINO", "SAN ANDRÉS DE TUMACO", "52835", "U-CO-DENAR", None),
               ("ANTIOQUIA", "MEDELLÍN (CT)", "05001", "U-CO-DEANT", None),
               ("VALLE DEL CAUCA", "BUENAVENTURA", "76109", "U-CO-DEVAL", "EP-CO-BUENAVENTURA"),
               ("CAQUETÁ", "FLORENCIA (CT)", "18001", "U-CO-DIRAN", None)]
SUBSTANCES = [("BASE DE COCA", "cocaine_type"), ("BASUCO", "cocaine_type"), ("COCAINA", "cocaine_type"),
              ("MARIHUANA", "cannabis_type"), ("HEROINA", "opiates")]


def _list(values: list[object]) -> str:
    return "[" + ", ".join("NULL" if v is None else "'" + str(v) + "'" for v in values) + "]"


def write_inputs(folder: Path, rows: int) -> tuple[Path, Path, Path]:
    """The reference dataset, the police export and the same seizures in the interchange format."""
    reference, export, interchange = folder / "reference", folder / "export", folder / "interchange"
    for path in (reference, export, interchange):
        path.mkdir(parents=True, exist_ok=True)
    units = sorted({d[3] for d in DEPARTMENTS})
    points = sorted({d[4] for d in DEPARTMENTS if d[4]})
    (reference / "agencies.csv").write_text("agency_id,name,country,kind\nAG-CO-POLICE,Police,COL,police\n")
    (reference / "entry_points.csv").write_text("entry_point_id,name,kind,country\n" + "".join(
        f"{p},{p},airport,COL\n" for p in points))
    (reference / "units.csv").write_text("unit_id,agency_id,name,kind\n" + "".join(
        f"{u},AG-CO-POLICE,{u},investigation_unit\n" for u in units))
    con = duckdb.connect()
    n = len(DEPARTMENTS)
    con.execute(
        "CREATE TABLE drawn AS SELECT i, DATE '2018-01-01' + CAST(i * 7 % 365 AS INTEGER) AS day, "
        f"1 + i % {n} AS place, 1 + (i // 3) % {len(SUBSTANCES)} AS substance, 1 + (i * 7919) % 2000000 AS grams "
        f"FROM range({rows}) t(i)")
    dept, town, code, unit, point = (_list([d[k] for d in DEPARTMENTS]) for k in range(5))
    names, groups = _list([s[0] for s in SUBSTANCES]), _list([s[1] for s in SUBSTANCES])
    con.execute(
        "COPY (SELECT strftime(day, '%m/%d/%Y') || ' 12:00:00 AM' AS FECHA, "
        f"{dept}[place] AS DEPARTAMENTO, {town}[place] AS MUNICIPIO, dayname(day) AS DIA, "
        f"{names}[substance] AS \"CLASE DE ESTUPEFACIENTE\", 'VIA PUBLICA' AS \"CLASE DE SITIO\", 'URBANA' AS ZONA, "
        f"'GRAMOS' AS \"UNIDAD DE MEDIDA\", {code}[place] AS \"CÓDIGO DANE\", grams AS CANTIDAD FROM drawn ORDER BY i) "
        f"TO '{export / 'incautaciones.csv'}' (HEADER, DELIMITER ',')")
    with (export / "incautaciones.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"TOTAL,,,,,,,,,{con.execute('SELECT sum(grams) FROM drawn').fetchall()[0][0]}\n")
    # The same seizures under the ids the mapping makes for them (as long and as random as a load stores)
    made = read_through_mapping([export / "incautaciones.csv"], find_mapping("co-police"), "seizures")
    ids = made.filter(pc.is_null(made["_problem"])).select(["seizure_id"])
    con.register("made_ids", ids.append_column("i", pa.array(range(ids.num_rows), pa.int64())))
    con.execute("CREATE TABLE made AS SELECT i, seizure_id FROM made_ids")
    con.execute(
        "COPY (SELECT made.seizure_id, "
        f"{unit}[place] AS unit_id, strftime(day, '%Y-%m-%dT%H:%M:%S') AS seized_at, "
        f"{point}[place] AS entry_point_id, {names}[substance] AS substance, {groups}[substance] AS substance_group, "
        f"grams AS quantity, 'g' AS quantity_unit, 'COL' AS origin_country FROM drawn JOIN made USING (i) ORDER BY i) "
        f"TO '{interchange / 'seizures.csv'}' (HEADER, DELIMITER ',')")
    (interchange / "manifest.yaml").write_text("reported_by: AG-CO-POLICE\ntimezone: America/Bogota\n")
    return reference, export, interchange


def processor_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def timed_load(db: Path, reference: Path, data: Path, mapped: bool) -> tuple[float, float, int]:
    """(clock seconds, processor seconds, rows accepted) of loading `data`."""
    with open_warehouse(db) as warehouse:
        warehouse.duckdb.execute("SET memory_limit = '2GB'")
        load_datasets(warehouse, [reference])
        started, processor = time.perf_counter(), processor_seconds()
        report = load_datasets(warehouse, [data], agency="AG-CO-POLICE",
                               mapping=find_mapping("co-police") if mapped else None)
        seconds, processor = time.perf_counter() - started, processor_seconds() - processor
    return seconds, processor, report.tables["seizures"].accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="run each load this many times; keep the least")
    args = parser.parse_args()
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="baliza-mapping-bench-"))
    print(f"machine: {os.cpu_count()} cores; {args.rows:,} seizures; work folder {folder}", flush=True)
    reference, export, interchange = write_inputs(folder, args.rows)
    runs: dict[bool, list[tuple[float, float, int]]] = {False: [], True: []}
    for run in range(max(args.repeat, 1)):
        for mapped_load in (False, True):
            db = folder / f"{'mapped' if mapped_load else 'interchange'}-{run}.duckdb"
            db.unlink(missing_ok=True)
            runs[mapped_load].append(timed_load(db, reference, export if mapped_load else interchange, mapped_load))
            db.unlink(missing_ok=True)
    plain, plain_cpu, plain_rows = min(r[0] for r in runs[False]), min(r[1] for r in runs[False]), runs[False][0][2]
    mapped, mapped_cpu, mapped_rows = min(r[0] for r in runs[True]), min(r[1] for r in runs[True]), runs[True][0][2]
    print(f"interchange format:     {plain:7.2f} s  {plain_rows:,} rows  {plain_rows / plain:,.0f} rows/s  "
          f"(processor {plain_cpu:.2f} s)", flush=True)
    print(f"through co-police:      {mapped:7.2f} s  {mapped_rows:,} rows  {mapped_rows / mapped:,.0f} rows/s  "
          f"(processor {mapped_cpu:.2f} s)")
    print(f"ratio: {mapped / plain:.2f}x by the clock, {mapped_cpu / plain_cpu:.2f}x in processor time "
          "(goal: at most 1.5x)")
    if plain_rows != args.rows or mapped_rows != args.rows:
        sys.exit("not every row was accepted: the benchmark's inputs are wrong")


if __name__ == "__main__":
    main()
