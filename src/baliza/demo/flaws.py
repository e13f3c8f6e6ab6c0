"""A few bad rows planted in the demo's agency folders, so that a newcomer sees the quarantine at work.

Real files carry mistakes: a unit code mistyped, a date typed in the wrong century, a quantity with a
stray minus sign. Each planted row is a root cause, and some rows of the same agency point at it (the
arrests made at a refused seizure), so that the quarantine page shows causes with their knock-on rows.
Every planted id starts with `-X` after its prefix, far from the generated ones; the ground truth is
unchanged (the rows never reach the warehouse).
"""

from __future__ import annotations

import csv
from pathlib import Path

# (agency kind folder suffix, what is wrong, the change to a copied seizure row)
SEIZURE_FLAWS: tuple[tuple[str, dict[str, str]], ...] = (
    ("a unit code that does not exist", {"unit_id": "U-JAITF-LMI"}),
    ("a seizure dated in the future", {"seized_at": "2099-02-03T10:00:00Z"}),
    ("a negative quantity", {"quantity": "-12.5"}),
)
KNOCK_ON_ARRESTS = 2  # arrests pointing at each refused seizure


def plant_flaws(country: Path, agencies: tuple[str, ...] = ("AG-PER-POLICE", "AG-PER-CUSTOMS")) -> int:
    """Append the bad rows to each agency's seizures (and arrests pointing at them); returns rows planted."""
    planted = 0
    for number, agency in enumerate(agencies, start=1):
        folder = country / agency
        seizures, arrests = folder / "seizures.csv", folder / "arrests.csv"
        if not seizures.exists():
            continue
        header, first = _first_row(seizures)
        if first is None:
            continue
        new_seizures = []
        for k, (_why, change) in enumerate(SEIZURE_FLAWS, start=1):
            row = {**first, **change, "seizure_id": f"SZ-X{number}{k:04d}"}
            new_seizures.append(row)
        planted += _append(seizures, header, new_seizures)
        if arrests.exists():
            arrest_header, arrest = _first_row(arrests)
            if arrest is not None:
                rows = [{**arrest, "arrest_id": f"AR-X{number}{k:02d}{j}", "seizure_id": s["seizure_id"]}
                        for k, s in enumerate(new_seizures[:2], start=1) for j in range(KNOCK_ON_ARRESTS)]
                planted += _append(arrests, arrest_header, rows)
    return planted


def _first_row(path: Path) -> tuple[list[str], dict[str, str] | None]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), next(reader, None)


def _append(path: Path, header: list[str], rows: list[dict[str, str]]) -> int:
    with path.open("a", newline="", encoding="utf-8") as file:
        csv.DictWriter(file, fieldnames=header, lineterminator="\n").writerows(rows)
    return len(rows)
