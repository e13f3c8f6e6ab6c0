"""What a request asks for, in one place for the API and the pages: scope applied, audit written.

Each function takes the serving context and the principal, reads through the access layer and the
adapters in `sources`, records the reads the audit log must hold, and returns plain data.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import HTTPException
from pydantic_core import to_json

from baliza.access.audit import grants_behind, record, record_read
from baliza.access.decisions import DECISIONS, decide, latest_decisions
from baliza.access.disclosure import hide_indicators, suppress_together
from baliza.access.grants import GrantError, add_grant, get_grant, list_grants, revoke_grant
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.analyses.people.elsewhere import records_elsewhere
from baliza.crypto.scoped import queue_findings
from baliza.i18n.findings import worded
from baliza.web import queries, sources
from baliza.web.answers import Answer, answers_of, decisions_stamp, reader_key
from baliza.web.context import ServingContext
from baliza.web.results import results_of

MAX_GRANT_DAYS = 366


def _not_found(what: str) -> HTTPException:
    # the same answer whether the row does not exist or is outside the caller's scope
    return HTTPException(404, f"no {what} you may see with that id")


def overview(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """Seizures per month and per entry point. Roles that may not read seizures (oversight) get counts
    over every agency with small cells suppressed."""
    with ctx.reading(principal) as (wh, scope):
        detailed = principal.may(Permission.READ_SEIZURES)

        def count() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            seizures = scope.filter(wh, "seizures") if detailed else wh.table("seizures")
            return sources.seizures_by_month(seizures), sources.seizures_by_entry_point(wh, seizures)

        # counted once per load and scope (agency and live grants), or once for every reader of all seizures
        found = ctx.cached(f"overview:{scope_key(scope) if detailed else '*'}", count)
        by_month, by_point = [dict(r) for r in found[0]], [dict(r) for r in found[1]]
    if not detailed:  # both tables add up to the seizures: suppressed together
        by_month, by_point = suppress_together([by_month, by_point], "seizures")
    return {"by_month": by_month, "by_entry_point": by_point, "small_cells_suppressed": not detailed}


def overview_page(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The overview page: seizures by entry point and month, their total, and the indicators of the agency's
    largest unit (by seizures) in the latest year, never an alphabetically first unit with one seizure."""
    data = overview(ctx, principal)
    rows = indicators(ctx, principal, "year")
    latest = max((r["period"] for r in rows if r["indicator"] == "seizures"), default=None)
    seizures = {r["subject_id"]: r["value"] or 0 for r in rows
                if r["period"] == latest and r["indicator"] == "seizures" and r["subject_table"] == "units"}
    largest = max(sorted(seizures), key=lambda u: seizures[u], default=None)
    return {**data, "latest": latest, "glance_unit": largest,
            "glance": [r for r in rows if r["period"] == latest and r["subject_id"] == largest],
            "total": sum(r["seizures"] or 0 for r in data["by_entry_point"])}


def programme_outcomes(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The outcomes of the principal's programme, counted on its agency's rows (`analyses.programmes`)."""
    from baliza.analyses.programmes import livelihood_outcomes, treatment_outcomes

    with ctx.reading(principal) as (wh, scope):
        if principal.programme == "treatment":
            found = {"programme": "treatment", "treatment": treatment_outcomes(scope.filter(wh, "treatment_episodes"))}
        else:
            found = {"programme": "livelihood",
                     "livelihood": livelihood_outcomes(scope.filter(wh, "farmer_enrolments"))}
    record_read(ctx.state, principal, "read_indicators", [], what=f"programme outcomes ({found['programme']})")
    return found


def hidden_indicator_cells(ctx: ServingContext, principal: Principal) -> set[tuple[str, str, str]]:
    """(unit, indicator, period) of the cells the principal may not see (none for roles that read rows)."""
    if not country_wide(principal):
        return set()
    with ctx.locked() as wh:
        return {(unit, name, period) for _t, unit, name, period in sources.indicators_hidden(wh, ctx)}


def country_wide(principal: Principal) -> bool:
    """Whether the principal reads unit indicators as published aggregates of every unit, small cells
    suppressed: the roles that may not read seizures (oversight, programme officers)."""
    return not principal.may(Permission.READ_SEIZURES)


def findings(ctx: ServingContext, principal: Principal, rule: str | None = None) -> list[dict[str, Any]]:
    """The findings the principal may see, worded in its language, each with its agency's latest decision,
    undecided first (audited). Each request gets its own list and dicts; the worded findings are made once
    per reader's view and language (`web.answers`)."""
    answer = _findings_answer(ctx, principal, rule, decisions_stamp(ctx.state))
    _record_findings_read(ctx, principal, answer, rule)
    return [{**f, "decision": dict(f["decision"]) if f["decision"] else None} for f in answer.value]


def findings_json(ctx: ServingContext, principal: Principal, rule: str | None = None) -> bytes:
    """`findings` encoded as JSON: the finished body is kept per reader's view, language and decisions
    taken (`web.answers`), so a repeated request is a few lookups and its audit entry."""
    stamp = decisions_stamp(ctx.state)

    def encode() -> Answer:
        listed = _findings_answer(ctx, principal, rule, stamp)
        body = to_json(listed.value)
        return Answer(body, len(body), listed.reads, listed.grants)
    with ctx.reading(principal) as (wh, scope):
        key = ("findings.json", _flags_key(ctx, wh), rule, stamp, *reader_key(principal, scope))
    answer = answers_of(ctx).get(key, encode)
    assert answer is not None
    _record_findings_read(ctx, principal, answer, rule)
    return answer.value  # type: ignore[no-any-return]


def _findings_answer(ctx: ServingContext, principal: Principal, rule: str | None, stamp: int) -> Answer:
    """The worded findings with decisions, in review order, and what reading them records: kept per key."""
    with ctx.reading(principal) as (wh, scope):
        key = ("findings", _flags_key(ctx, wh), rule, stamp, *reader_key(principal, scope))

        def make() -> Answer:
            found = shown_findings(ctx, wh, scope)
            decisions = latest_decisions(ctx.state, principal.agency_id)
            out = []
            for f, shown in found:
                if rule and f.rule != rule:
                    continue
                decision = decisions.get(shown["finding_id"])
                out.append(worded({**shown, "decision": decision.to_dict() if decision else None}))
            subjects = [(f["subject"]["table"], f["subject"]["id"]) for f in out]
            behind = [g for table in {t for t, _ in subjects}
                      for g in grants_behind(scope, table, [i for t, i in subjects if t == table])]
            return Answer(review_order(out), 2000 * len(out), tuple(f"findings/{f['finding_id']}" for f in out),
                          tuple(behind), keeps=sources.red_flags(wh, ctx))
        answer = answers_of(ctx).get(key, make)
    assert answer is not None
    return answer


def _flags_key(ctx: ServingContext, wh: Any) -> int:
    """Which list of red flags an answer was made from (the load's own, kept per snapshot; the answer keeps
    the list alive, so its id is not reused while the answer is cached)."""
    return id(sources.red_flags(wh, ctx))


def _record_findings_read(ctx: ServingContext, principal: Principal, answer: Answer, rule: str | None) -> None:
    record_read(ctx.state, principal, "read_findings", answer.reads, grants=answer.grants, what="findings",
                detail={"rule": rule})


def shown_findings(ctx: ServingContext, wh: Any, scope: Any) -> list[tuple[Any, dict[str, Any]]]:
    """The load's findings the scope may see, evidence held elsewhere as hit/no-hit only: cut once per
    agency and set of live grants from the precomputed findings (a new or revoked grant is a new set, seen
    at once), so a request does not decide every finding again."""
    every = queue_findings(ctx, wh, scope, sources.red_flags(wh, ctx))  # with the crypto findings in scope
    # the list is kept with the cut so that its id stays its own
    return ctx.cached(f"findings:shown:{id(every)}:{scope_key(scope)}",  # type: ignore[no-any-return]
                      lambda: (every, sources.shown_findings(wh, scope, every, ctx)))[1]


def scope_key(scope: Any) -> str:
    """The key of a cut of the results for `scope` (`Scope.cache_key`)."""
    return scope.cache_key()  # type: ignore[no-any-return]


def review_order(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Undecided first; within each group the analysis's own order stays (tested flags by q-value, then
    per-case facts): scores of different rules are on different scales and are not comparable."""
    return sorted(findings, key=lambda f: f["decision"] is not None)


def decide_finding(ctx: ServingContext, principal: Principal, finding_id: str, decision: str,
                   note: str) -> dict[str, str]:
    if decision not in DECISIONS:
        raise HTTPException(422, f"a decision is one of: {', '.join(DECISIONS)}")
    if not any(f["finding_id"] == finding_id for f in findings(ctx, principal)):
        raise _not_found("finding")
    made = decide(ctx.state, principal, finding_id, decision, note)
    record(ctx.state, principal.username, principal.agency_id, "finding_decision", f"findings/{finding_id}",
           {"decision": decision, "note": made.note})
    return made.to_dict()


def seizures(ctx: ServingContext, principal: Principal, query: str = "", limit: int = 100,
             offset: int = 0) -> list[dict[str, Any]]:
    with ctx.reading(principal) as (wh, scope):
        rows = queries.list_seizures(wh, scope, query, limit, offset)
        allowed = grants_behind(scope, "seizures", [r["seizure_id"] for r in rows])
    record_read(ctx.state, principal, "list_seizures", [f"seizures/{r['seizure_id']}" for r in rows],
                grants=allowed, what="seizures")
    return rows


def seizure_chain(ctx: ServingContext, principal: Principal, seizure_id: str) -> dict[str, Any]:
    """A seizure's chain judged on the whole warehouse, disclosed to the principal hit/no-hit: the steps
    other agencies hold are named with their stage, date and agency, never their content. Kept per reader's
    view, language and declared withholding (`web.answers`); every read is audited."""
    withheld = sources.withheld_tables(ctx.state)
    with ctx.reading(principal) as (wh, scope):
        def make() -> Answer | None:
            chain = sources.seizure_timeline(wh, scope, seizure_id, ctx, withheld=withheld)
            if chain is None:
                return None
            read = [f"{e['reference']['table']}/{e['reference']['id']}" for e in chain["events"] if not e["hidden"]]
            cases = [e["reference"]["id"] for e in chain["events"] if not e["hidden"] and e["stage"] == "case"]
            grants = grants_behind(scope, "seizures", [seizure_id]) + grants_behind(scope, "cases", cases)
            return Answer(chain, 500 + 300 * len(chain["events"]), tuple(read), tuple(grants),
                          {"hidden_holders": [h["agency_id"] for h in chain["hidden_holders"]]})
        withholding = tuple(sorted((agency, tuple(sorted(tables))) for agency, tables in withheld.items()))
        answer = answers_of(ctx).get(("chain", seizure_id, withholding, *reader_key(principal, scope)), make)
    if answer is None:
        record(ctx.state, principal.username, principal.agency_id, "read_refused", f"seizures/{seizure_id}")
        raise _not_found("seizure")
    record_read(ctx.state, principal, "read_seizure", answer.reads, grants=answer.grants,
                what=f"seizures/{seizure_id}", detail=answer.detail)
    return answer.value  # type: ignore[no-any-return]


def case_file(ctx: ServingContext, principal: Principal, case_id: str) -> dict[str, Any]:
    with ctx.reading(principal) as (wh, scope):
        found = queries.case_file(wh, scope, case_id)
        allowed = grants_behind(scope, "cases", [case_id]) if found is not None else []
    if found is None:
        raise _not_found("case")
    record_read(ctx.state, principal, "read_case", [f"cases/{case_id}"], grants=allowed)
    return found


def person_file(ctx: ServingContext, principal: Principal, person_id: str) -> dict[str, Any]:
    with ctx.reading(principal) as (wh, scope):
        found = queries.person_file(wh, scope, person_id)
        if found is not None:  # the same person's records in other agencies (`baliza people resolve`)
            found["elsewhere"] = records_elsewhere(wh, scope, person_id, sources.withheld_tables(ctx.state))
    if found is None:
        raise _not_found("person")
    record_read(ctx.state, principal, "read_person", [f"persons/{person_id}"],
                grants=grants_behind(scope, "persons", [person_id]),
                detail={"protected": bool(found["person"] and found["person"].get("protected")),
                        "held_by": found["held_by"]})
    return found


def search(ctx: ServingContext, principal: Principal, query: str) -> list[dict[str, Any]]:
    with ctx.reading(principal) as (wh, scope):
        hits = queries.search(wh, scope, query)  # hits the role may not read are left out there
    # the hits are recorded, never the words searched for (they may be a person's name)
    record_read(ctx.state, principal, "search", [f"{h.get('kind')}/{h.get('id')}" for h in hits], what="search")
    return hits


def indicators(ctx: ServingContext, principal: Principal, granularity: str = "year") -> list[dict[str, Any]]:
    """Unit indicators: of the units the agency reported or runs; roles that may not read seizures
    (oversight, programme officers) see every unit with small cells suppressed."""
    with ctx.reading(principal) as (wh, scope):
        every = sources.unit_indicators(wh, ctx, granularity)
        plain = sources.indicator_rows(ctx, every, granularity)  # the load's rows: copied before they leave
        if country_wide(principal):
            # years, quarters and months are all published: suppressed together, so none gives another away
            shown = hide_indicators([dict(i) for i in plain], sources.indicators_hidden(wh, ctx))
            record_read(ctx.state, principal, "read_indicators", [], what="indicators (suppressed)",
                        detail={"granularity": granularity, "rows": len(shown)})
            return shown
        run, mine = readable_units(ctx, wh, scope, plain, granularity)
    shown = [dict(i) for i in plain if i["subject_table"] != "units" or i["subject_id"] in mine]
    read = sorted({i["subject_id"] for i in shown if i["subject_table"] == "units"})
    record_read(ctx.state, principal, "read_indicators", [f"units/{u}" for u in read],
                grants=grants_behind(scope, "units", [u for u in read if u not in run]), what="indicators",
                detail={"granularity": granularity, "rows": len(shown)})
    return shown


def readable_units(ctx: ServingContext, wh: Any, scope: Any, rows: list[dict[str, Any]],
                   granularity: str) -> tuple[set[str], set[str]]:
    """(units the agency runs, units whose indicators the scope may read) among `rows`: decided once per
    agency and set of live grants (`scope_key`), not on every request."""
    def compute() -> tuple[set[str], set[str]]:
        wanted = {i["subject_id"] for i in rows if i["subject_table"] == "units"}
        units = wh.table("units")
        run = set(units.filter(units.agency_id == scope.principal.agency_id).unit_id.to_pyarrow().to_pylist())
        return run, run | sources.visible_ids(wh, scope, "units", wanted)

    return ctx.cached(f"indicators:units:{granularity}:{id(rows)}:{scope_key(scope)}",  # type: ignore[no-any-return]
                      lambda: (rows, compute()))[1]


def quarantine(ctx: ServingContext, principal: Principal) -> list[dict[str, Any]]:
    """The agency's own quarantined rows, including its files in loads of several agencies (audited: they
    hold values as loaded, personal ones masked)."""
    with ctx.locked() as wh:
        rows = queries.quarantine(wh, principal.agency_id, results_of(ctx).file_agencies)
    record_read(ctx.state, principal, "read_quarantine", sorted({f"loads/{r['load_id']}" for r in rows}),
                what="quarantine", detail={"rows": len(rows)})
    return rows


def grants(ctx: ServingContext, principal: Principal) -> dict[str, list[dict[str, Any]]]:
    found = [g.to_dict() for g in list_grants(ctx.state, principal.agency_id)]
    return {"given": [g for g in found if g["owner_agency_id"] == principal.agency_id],
            "received": [g for g in found if g["grantee_agency_id"] == principal.agency_id]}


def agencies(ctx: ServingContext) -> list[dict[str, str]]:
    """The warehouse's agencies (id and name): what a grant may name, and the sharing page's picker."""
    return results_of(ctx).agencies  # type: ignore[no-any-return]


def _owns(ctx: ServingContext, principal: Principal, kind: str, subject_id: str) -> bool:
    with ctx.locked() as wh:
        if kind == "dataset":
            loads = wh.table("loads")
            if not subject_id.isdigit():
                return False
            mine = loads.filter((loads.load_id == int(subject_id)) & (loads.agency_id == principal.agency_id))
        else:
            table, column = ("seizures", "seizure_id") if kind == "seizure" else ("cases", "case_id")
            t = wh.table(table)
            mine = t.filter((t[column] == subject_id) & (t._agency_id == principal.agency_id))
        return bool(mine.count().execute() > 0)


def share(ctx: ServingContext, principal: Principal, grantee: str, kind: str, subject_id: str, purpose: str,
          days: int) -> dict[str, Any]:
    """Share one of the agency's own seizures, cases or loads with another agency."""
    if not 1 <= days <= MAX_GRANT_DAYS:
        raise HTTPException(422, f"a grant lasts 1 to {MAX_GRANT_DAYS} days")
    if kind not in ("seizure", "case", "dataset") or not _owns(ctx, principal, kind, subject_id):
        raise HTTPException(404, f"your agency reported no {kind} {subject_id!r}: only your own rows can be shared")
    try:
        grant = add_grant(ctx.state, principal.agency_id, grantee, kind, subject_id, purpose,
                          datetime.now(UTC) + timedelta(days=days), principal.username,
                          known_agencies=[a["agency_id"] for a in agencies(ctx)])
    except GrantError as error:
        raise HTTPException(409, str(error)) from None
    record(ctx.state, principal.username, principal.agency_id, "grant_add", f"grants/{grant.grant_id}",
           grant.to_dict())
    return grant.to_dict()


def revoke(ctx: ServingContext, principal: Principal, grant_id: str) -> dict[str, Any]:
    grant = get_grant(ctx.state, grant_id)
    if grant is None or grant.owner_agency_id != principal.agency_id:
        raise _not_found("grant given by your agency")
    try:
        revoked = revoke_grant(ctx.state, grant_id, principal.username, owner_agency_id=principal.agency_id)
    except GrantError as error:
        raise HTTPException(409, str(error)) from None
    record(ctx.state, principal.username, principal.agency_id, "grant_revoke", f"grants/{grant_id}")
    return revoked.to_dict()


def export_seizures(ctx: ServingContext, principal: Principal) -> str:
    """The seizures in scope as CSV (no personal data in this table). The export is audited."""
    with ctx.reading(principal) as (wh, scope):
        rows = queries.list_seizures(wh, scope, limit=1_000_000)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    record_read(ctx.state, principal, "export", [f"seizures/{r['seizure_id']}" for r in rows],
                grants=grants_behind(scope, "seizures", [r["seizure_id"] for r in rows]), what="seizures",
                detail={"rows": len(rows)})
    return out.getvalue()
