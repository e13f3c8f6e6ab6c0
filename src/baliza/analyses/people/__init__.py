"""People resolved across agencies: the same courier in a customs seizure, a police arrest and a case.

Each agency loads its own `persons` rows, and writes the same person its own way. This package says which
records are one person, with the evidence, and never merges them:

- `normalise`: names, dates of birth, document and phone numbers written the same way;
- `pseudonyms`: keyed digests of those values, the only thing the linking engine sees;
- `records`: the person rows of the warehouse, their sealed cells opened in this process only;
- `model`: the Splink model (comparisons, blocking, priors, training without labels), on DuckDB or Spark;
- `resolution`: links at a threshold, clusters, and the evidence of each link;
- `stored`: the resolution kept in the warehouse (`resolved_people`, `resolved_people_links`);
- `involvement`: what resolved people add to flags (`person_across_agencies`: one person in separate events);
- `elsewhere`: a person's records held by other agencies, as one reader may learn of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baliza.analyses.people.model import Backend
from baliza.analyses.people.records import person_records
from baliza.analyses.people.resolution import MATCH_THRESHOLD, Resolution, resolve_people


def resolve_warehouse(wh: Any, backend: Backend = "duckdb", spark: Any = None, threshold: float = MATCH_THRESHOLD,
                      say: Callable[[str], None] | None = None) -> Resolution:
    """Resolve every person record of the warehouse `wh` (not stored: see `stored.store_resolution`)."""
    return resolve_people(person_records(wh), backend, spark, threshold, say)


__all__ = ["MATCH_THRESHOLD", "Resolution", "resolve_people", "resolve_warehouse"]
