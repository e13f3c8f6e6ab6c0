"""People resolved across agencies: which records of `persons` are one person, with the evidence.

Records whose match probability reaches the threshold are linked, and linked records form a resolved
person (a cluster: the connected component of the links). Nothing is merged: every
agency's row stays as it was loaded, and the resolution is a table beside them (`resolved_people`: the
cluster, each record and its agency) with the links it rests on (`resolved_people_links`: each pair's
match weight and probability and, per compared field, the level it agreed at). A person reading a cluster
can therefore see why two records were taken for one person, and disagree.

A cluster is the transitive closure of its links: three records A-B-C are one person when A-B and B-C are
links, even if A and C alone would not be. The links are kept so that such chains can be seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

from baliza.analyses.people.model import COMPARED, Backend, LinkingModel, train_and_predict
from baliza.analyses.people.pseudonyms import PersonRecord, Pseudonymiser
from baliza.analyses.people.settings import people_settings

MATCH_THRESHOLD = people_settings().match_threshold

LEVELS: dict[str, tuple[str, ...]] = {
    # per comparison, the level codes by Splink's comparison vector value (0 = disagree, upwards)
    "name": ("different", "one_name", "two_names", "given_and_surname", "same"),
    "birth": ("different", "same_year", "day_month_swapped", "same"),
    "document": ("different", "same_digits", "same"),
    "phone": ("different", "same"),
    "nationality": ("different", "same"),
}
MISSING = "missing"


def level_code(comparison: str, gamma: int | None) -> str:
    """The level a pair agreed at on `comparison` ("missing" where either record had no value)."""
    if gamma is None or gamma < 0:
        return MISSING
    return LEVELS[comparison][int(gamma)]


@dataclass(frozen=True)
class ResolvedRecord:
    """One agency's record of a resolved person."""

    cluster_id: str
    person_id: str
    agency_id: str
    protected: bool
    weight: float  # the strongest match weight linking this record to another of its cluster

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LinkEvidence:
    """Why two records were taken for one person: the match weight, the probability, and per field the
    level of agreement (`LEVELS`)."""

    cluster_id: str
    person_a: str
    person_b: str
    match_weight: float
    match_probability: float
    levels: dict[str, str]

    def agreed(self) -> list[str]:
        """The fields on which the two records agreed at some level."""
        return [c for c in COMPARED if self.levels.get(c) not in (MISSING, "different")]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Resolution:
    """Every person resolved across two records or more, the links behind them, and the model used."""

    records: list[ResolvedRecord]
    links: list[LinkEvidence]
    model: LinkingModel
    threshold: float
    records_compared: int
    pairs_likely: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def clusters(self) -> dict[str, list[ResolvedRecord]]:
        out: dict[str, list[ResolvedRecord]] = {}
        for r in self.records:
            out.setdefault(r.cluster_id, []).append(r)
        return out

    def summary(self) -> dict[str, Any]:
        clusters = self.clusters()
        across = [c for c in clusters.values() if len({r.agency_id for r in c}) > 1]
        return {"records_compared": self.records_compared, "pairs_likely": self.pairs_likely,
                "people_with_several_records": len(clusters), "records_in_them": len(self.records),
                "people_across_agencies": len(across), "links": len(self.links), "threshold": self.threshold,
                "trained": self.model.trained}

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "model": self.model.to_dict(),
                "records": [r.to_dict() for r in self.records], "links": [k.to_dict() for k in self.links]}


def _cluster_id(members: Iterable[str]) -> str:
    return "PR-" + hashlib.sha1("|".join(sorted(members)).encode()).hexdigest()[:12]


def _components(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Each linked record's component (union-find over the links)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def cluster(pairs: pa.Table, features: pa.Table, protected: set[str], threshold: float) -> tuple[
        list[ResolvedRecord], list[LinkEvidence]]:
    """Resolved people from Splink's scored pairs: the links at or above `threshold`, their components, and
    each link's evidence."""
    rows = [r for r in pairs.to_pylist() if r["match_probability"] >= threshold]
    component = _components([(str(r["unique_id_l"]), str(r["unique_id_r"])) for r in rows])
    members: dict[str, list[str]] = {}
    for record, top in component.items():
        members.setdefault(top, []).append(record)
    cluster_of = {record: _cluster_id(members[top]) for record, top in component.items()}
    agency = dict(zip(features.column("unique_id").to_pylist(), features.column("agency_id").to_pylist(), strict=True))
    strongest: dict[str, float] = {}
    links = []
    for r in rows:
        a, b = sorted((str(r["unique_id_l"]), str(r["unique_id_r"])))
        weight = float(r["match_weight"])
        for x in (a, b):
            strongest[x] = max(strongest.get(x, weight), weight)
        links.append(LinkEvidence(cluster_of[a], a, b, round(weight, 3), round(float(r["match_probability"]), 6),
                                  {c: level_code(c, r.get(f"gamma_{c}")) for c in COMPARED}))
    records = [ResolvedRecord(cluster_of[p], p, agency.get(p) or "", p in protected, round(strongest[p], 3))
               for p in sorted(component)]
    links.sort(key=lambda k: (k.cluster_id, k.person_a, k.person_b))
    records.sort(key=lambda r: (r.cluster_id, r.agency_id, r.person_id))
    return records, links


def resolve_people(records: Iterable[PersonRecord], backend: Backend = "duckdb", spark: Any = None,
                   threshold: float = MATCH_THRESHOLD, say: Callable[[str], None] | None = None) -> Resolution:
    """Resolve `records` (opened person rows): pseudonymise, score the candidate pairs, cluster the links.

    `say(step)` is told each step as it starts (a surface shows progress with it)."""
    import time

    tell = say or (lambda _step: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tell("pseudonyms")
    protected: set[str] = set()

    def noting(rows: Iterable[PersonRecord]) -> Iterable[PersonRecord]:
        for r in rows:
            if r.protected:
                protected.add(r.person_id)
            yield r

    features = Pseudonymiser().features(noting(records))
    timings["pseudonyms"] = time.perf_counter() - started
    tell("linking")
    started = time.perf_counter()
    if features.num_rows < 2:
        return Resolution([], [], LinkingModel(features.num_rows, False, 0.0), threshold, features.num_rows,
                          timings=timings)
    pairs, _linker, model = train_and_predict(features, backend, spark, threshold=min(threshold, 0.5))
    timings["linking"] = time.perf_counter() - started
    tell("clusters")
    started = time.perf_counter()
    resolved, links = cluster(pairs, features, protected, threshold)
    timings["clusters"] = time.perf_counter() - started
    return Resolution(resolved, links, model, threshold, features.num_rows, pairs.num_rows, timings)
