"""Running ids per table, continued across chunks so that every id is unique in its table."""

from __future__ import annotations

import numpy as np

from baliza.demo.writer import make_ids

PREFIX = {
    "consignments": "CN-", "inspections": "IN-", "seizures": "SZ-", "arrests": "AR-", "cases": "CS-",
    "charges": "CH-", "case_events": "EV-", "assets": "AS-", "persons": "P-", "organizations": "ORG-",
    "operations": "OP-", "trainings": "TR-", "online_listings": "LS-", "farmer_enrolments": "FE-",
    "treatment_episodes": "TE-",
}


class IdCounter:
    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str, n: int) -> np.ndarray:
        start = self.next.get(table, 1)
        self.next[table] = start + n
        width = 8 if table in {"consignments", "inspections", "case_events", "charges", "persons"} else 7
        return np.asarray(make_ids(PREFIX[table], start, n, width).to_numpy(zero_copy_only=False), dtype=object)
