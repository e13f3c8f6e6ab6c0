"""A seizure's chain as one viewer may see it: hit/no-hit for the links held by other agencies.

The chain is computed on the whole warehouse (`analyses.chain_links`). A viewer then sees:

- the content of every step whose row they may read (their agency's rows and what is shared with them);
- for every other step, that it exists, its stage, its date and which agency holds it ("a case was
  opened on 2023-01-29 at the Public Prosecutor's Office: not shared with you"), never its content (no ids
  of people, prosecutors, quantities or outcomes). This is how INTERPOL notices, Prüm and SIENA let an
  agency know that another holds something without handing it over;
- a broken link only when the whole warehouse shows it and the viewer may read what it is about: for a
  link that did not happen (no laboratory result, no case, no disposition before the limitation date) the
  seizure or case it is about, for the others every row it rests on. A break is never invented from what
  the viewer cannot see.

An agency may declare that even the existence of its rows in a table is not disclosed
(`withheld`: agency -> tables). Those steps are left out, the view says the chain is unknown beyond what
the viewer holds, and any "did not happen" break that such rows could contradict is not shown either
(showing it would reveal, by its absence, that a withheld row exists).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baliza.access.scope import Scope
from baliza.analyses.as_of import STAGES
from baliza.analyses.chain_links import ABSENCE_BREAKS, ChainEvent, SeizureChain

# what a hidden step is called: "<noun> on <date> at <agency>: not shared with you"
HIDDEN_STEP: dict[str, str] = {
    "inspection": "an inspection was made",
    "seizure": "a seizure was made",
    "lab": "a laboratory result was recorded",
    "arrest": "an arrest was made",
    "case": "a case was opened",
    "charge": "a charge was filed",
    "event": "a step of the case was recorded",
    "disposition": "a disposition (verdict or other outcome) was recorded",
    "asset": "a step in tracing an asset was recorded",
}


@dataclass(frozen=True)
class Holder:
    """An agency holding steps the viewer may not read."""

    agency_id: str
    name: str
    stages: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"agency_id": self.agency_id, "name": self.name, "stages": list(self.stages)}


@dataclass
class ChainView:
    """What one viewer sees of a chain; `to_dict` is what the API returns."""

    seizure_id: str
    seizure: dict[str, Any] | None  # None when the seizure row itself is not shared with the viewer
    holder: str | None
    status: str
    as_of: dict[str, str | None]
    events: list[dict[str, Any]] = field(default_factory=list)
    breaks: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    hidden_holders: list[Holder] = field(default_factory=list)
    unknown_beyond: list[str] = field(default_factory=list)  # agencies that withhold steps of this chain
    undecided: list[str] = field(default_factory=list)  # absence breaks not judged because of withholding
    holder_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seizure_id": self.seizure_id, "seizure": self.seizure, "holder": self.holder,
            "holder_name": self.holder_name, "status": self.status,
            "as_of": self.as_of, "events": self.events, "breaks": self.breaks, "pending": self.pending,
            "hidden_holders": [h.to_dict() for h in self.hidden_holders],
            "unknown_beyond": self.unknown_beyond, "undecided": self.undecided,
        }


def _table_of(event: ChainEvent) -> str:
    return event.reference.table


def _withholds(withheld: Mapping[str, set[str]], viewer: str, agency: str | None, table: str) -> bool:
    return agency is not None and agency != viewer and table in withheld.get(agency, set())


def chain_view(chain: SeizureChain, scope: Scope, *, withheld: Mapping[str, set[str]] | None = None,
               names: Mapping[str, str] | None = None) -> ChainView | None:
    """`chain` as `scope`'s principal may see it; None when they may read no step of it (then even its
    existence is not confirmed to them)."""
    withheld = withheld or {}
    names = names or {}
    viewer = scope.principal.agency_id
    readable = [e for e in chain.events if scope.reads(_table_of(e), e.row)]
    if not readable:
        return None
    seizure = None
    if scope.reads("seizures", chain.seizure_row):
        s = chain.seizure
        seizure = {**s, "unit_name": names.get(s.get("unit_id") or "", s.get("unit_id")),
                   "entry_point_name": names.get(s.get("entry_point_id") or "", s.get("entry_point_id"))}
    view = ChainView(chain.seizure["seizure_id"], seizure, chain.holder, "",
                     {k: v.isoformat() if v else None for k, v in chain.as_of.items()})
    view.holder_name = names.get(chain.holder or "", chain.holder)
    hidden: dict[str, list[str]] = {}
    withholding: set[str] = set()
    for event in chain.events:
        table = _table_of(event)
        if scope.reads(table, event.row):
            view.events.append({"at": event.at, "stage": event.stage, "description": event.description,
                                "reference": event.reference.to_dict(), "holder": event.holder,
                                "holder_name": names.get(event.holder or "", event.holder), "hidden": False})
        elif _withholds(withheld, viewer, event.holder, table):
            withholding.add(event.holder or "")
        else:
            holder = event.holder or "an unknown agency"
            name = names.get(holder, holder)
            view.events.append({"at": event.at, "stage": event.stage, "hidden": True, "holder": event.holder,
                                "holder_name": name, "reference": None,
                                "description": f"{HIDDEN_STEP.get(event.stage, 'a step was recorded')} on "
                                               f"{event.at:%Y-%m-%d} at {name}: not shared with you"})
            stages = hidden.setdefault(holder, [])
            if event.stage not in stages:
                stages.append(event.stage)
    # agencies that declared a stage's tables withheld could hold rows that contradict a "did not happen"
    withholders = {agency for agency, tables in withheld.items() if agency != viewer and tables}
    for broken in chain.breaks:
        stage = ABSENCE_BREAKS.get(broken.code)
        if stage is not None:
            tables = set(STAGES[stage])
            if any(tables & withheld.get(agency, set()) for agency in withholders):
                view.undecided.append(broken.code)
                withholding |= {a for a in withholders if tables & withheld.get(a, set())}
                continue
            if not scope.reads(*broken.rows[0]):
                continue
            evidence = [r for r, (t, row) in zip(broken.evidence, broken.rows, strict=True) if scope.reads(t, row)]
        else:
            if not all(scope.reads(t, row) for t, row in broken.rows):
                continue
            evidence = list(broken.evidence)
        view.breaks.append({"code": broken.code, "description": broken.description,
                            "evidence": [r.to_dict() for r in evidence]})
    view.pending = [{"stage": p.stage, "description": p.description, "deadline": p.deadline.isoformat(),
                     "data_end": p.data_end.isoformat()} for p in chain.pending]
    view.hidden_holders = [Holder(a, names.get(a, a), tuple(s)) for a, s in sorted(hidden.items())]
    view.unknown_beyond = sorted(withholding)
    view.status = _status(view, chain)
    return view


def _status(view: ChainView, chain: SeizureChain) -> str:
    """The chain's status as the viewer may know it: a break they cannot read is not theirs to know."""
    if view.breaks:
        return "broken"
    if chain.pending:
        return "too_early"
    if view.hidden_holders or view.unknown_beyond:
        return "continues_elsewhere"
    return chain.status if chain.status != "broken" else "continues_elsewhere"
