"""A police force's seizure export in its own shape (Colombia's open-data table), written by the tests.

Spanish headers, `01/28/2018 12:00:00 AM` dates, grams as integers, department and municipality names with
and without accents (and with suffixes such as `LETICIA (CT)`), no seizure ids, a TOTAL line at the end.
The expected contract values of every line are returned beside the file, computed from the draw itself.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HEADER = ["FECHA", "DEPARTAMENTO", "MUNICIPIO", "DIA", "CLASE DE ESTUPEFACIENTE", "CLASE DE SITIO", "ZONA",
          "UNIDAD DE MEDIDA", "CÓDIGO DANE", "CANTIDAD"]
SUBSTANCES = {"BASE DE COCA": "cocaine_type", "BASUCO": "cocaine_type", "COCAINA": "cocaine_type",
              "MARIHUANA": "cannabis_type", "HEROINA": "opiates"}
# (department spellings, municipality spellings, DANE code, unit in the test's warehouse, entry point or None)
PLACES = [
    (["AMAZONAS"], ["LETICIA (CT)", "Leticia"], "91001", "U-AMAZONAS", "EP-LETICIA"),
    (["BOGOTÁ D.C.", "BOGOTA D.C."], ["BOGOTÁ D.C. (CT)", "BOGOTA D.C."], "11001", "U-BOGOTA", None),
    (["NARIÑO", "NARINO"], ["TUMACO", "SAN ANDRÉS DE TUMACO"], "52835", "U-NARINO", None),
    (["ATLÁNTICO", "ATLANTICO"], ["BARRANQUILLA (CT)"], "08001", "U-ATLANTICO", "EP-BARRANQUILLA"),
    (["VALLE DEL CAUCA", "Valle del Cauca"], ["BUENAVENTURA"], "76109", "U-VALLE", "EP-BUENAVENTURA"),
]
DAYS = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"]

REFERENCE = {
    "agencies": "agency_id,name,country,kind\nAG-CO-POLICE,Policía Nacional,COL,police\n",
    "entry_points": ("entry_point_id,name,kind,country\nEP-LETICIA,Leticia airport,airport,COL\n"
                     "EP-BARRANQUILLA,Port of Barranquilla,seaport,COL\n"
                     "EP-BUENAVENTURA,Port of Buenaventura,seaport,COL\n"),
    "units": "unit_id,agency_id,name,kind\n" + "".join(
        f"{unit},AG-CO-POLICE,Police {unit},investigation_unit\n" for *_, unit, _ in PLACES),
}


@dataclass(frozen=True)
class Seizure:
    line: int
    seized_on: date
    substance_group: str
    grams: int
    unit_id: str
    entry_point_id: str | None


def write_police_export(path: Path, rows: int, seed: int = 19) -> list[Seizure]:
    """Write `rows` seizures and a TOTAL line to `path`; the seizures as the contract should hold them."""
    draw = random.Random(seed)
    expected = []
    total = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            departments, municipalities, code, unit, entry_point = draw.choice(PLACES)
            substance = draw.choice(list(SUBSTANCES))
            day = date(2018, 1, 1) + timedelta(days=draw.randrange(365))
            grams = draw.choice([1, 5, 12, 250, 1000, draw.randrange(1, 2_000_000)])
            total += grams
            writer.writerow([f"{day:%m/%d/%Y} 12:00:00 AM", draw.choice(departments), draw.choice(municipalities),
                             DAYS[day.weekday()], substance, "VIA PUBLICA", draw.choice(["URBANA", "RURAL"]),
                             "GRAMOS", code, str(grams)])
            expected.append(Seizure(i + 2, day, SUBSTANCES[substance], grams, unit, entry_point))
        writer.writerow(["TOTAL", "", "", "", "", "", "", "", "", str(total)])
    return expected


def write_reference(folder: Path) -> Path:
    """The police's agency, units and the entry points the export's places hold, as an interchange dataset."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in REFERENCE.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder
