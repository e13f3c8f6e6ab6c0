"""The figures a programme publishes, as tables published together and passed through
`access.disclosure.disclose` at once: the same cells hidden on the page, in the API, the report and the CSV.

The analyses (`analyses.programmes`, `analyses.oversight`) run once per warehouse snapshot and per reader's
agency (`ServingContext.cached`); this module only lays their results out as tables, says what each column
counts (`Figure`) and how places add up (an office into its region), and leaves the rest to `disclose`.
A survival curve is cut where fewer than 5 people remain at risk.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from baliza.access.disclosure import MIN_CELL, Figure, PublishedTable, disclose
from baliza.access.principal import Principal
from baliza.i18n.findings import worded


class Source(Protocol):
    """Where the figures come from: the serving context (`web.context.ServingContext`), or the report
    command's warehouse (`report.programmes`). Results are computed once per `cached` name."""

    def cached(self, name: str, compute: Callable[[], Any]) -> Any: ...

    def reading(self, principal: Principal) -> AbstractContextManager[tuple[Any, Any]]: ...

    def locked(self) -> AbstractContextManager[Any]: ...



IN_WORK = "in_work"  # the statuses "placed" and "completed" together: a legal income
# How statuses add up, so that the counts a reader can work out by subtraction are protected too: those
# neither placed nor relapsed ("other": a year's enrolled minus its placed and relapsed), and those neither
# placed, relapsed nor dropped out ("remaining": an office's), which hold the relocated.
STATUS_PARENTS = {"placed": IN_WORK, "completed": IN_WORK, "dropped_out": "other", "remaining": "other",
                  "enrolled": "remaining", "relocated": "remaining"}


def _people(**where: str) -> Figure:
    return Figure("people", tuple(sorted(where.items())))


def _episodes(**where: str) -> Figure:
    return Figure("episodes", tuple(sorted(where.items())))


LIVELIHOOD_COUNTS = {
    "enrolled": _people(), "placed": _people(status=IN_WORK), "relapsed": _people(status="relapsed_to_cultivation"),
    "dropped_out": _people(status="dropped_out"), "threatened": _people(threat="reported"),
    "other": _people(status="other"), "remaining": _people(status="remaining"),  # not shown: worked out
    "income_people": Figure("income_pairs"), "dependents": Figure("dependents"),
    "dependents_protected": Figure("dependents", (("protection", "protected"),)),
}
WORKED_OUT = ("other", "remaining")
LIVELIHOOD_DERIVED = {
    "placement": ("enrolled", "placed"), "relapse": ("enrolled", "relapsed"), "drop_out": ("enrolled", "dropped_out"),
    "hectares": ("enrolled",), "income": ("income_people",), "median_days": ("placed",), "curves": ("enrolled",),
    "adjusted_placement": ("enrolled", "placed"), "adjusted_relapse": ("enrolled", "relapsed"),
}
TREATMENT_COUNTS = {
    "admitted": _episodes(), "discharged": _episodes(discharge="discharged"),
    "completed": _episodes(discharge="discharged", reason="completed"),
    "abstinent": _episodes(discharge="discharged", abstinent="yes"),
    "physical_people": Figure("physical_pairs"), "mental_people": Figure("mental_pairs"),
}
TREATMENT_DERIVED = {
    "completion": ("discharged", "completed"), "abstinence": ("discharged", "abstinent"),
    "physical": ("physical_people",), "mental": ("mental_people",), "median_days": ("admitted",),
    "curves": ("admitted",),
    "compared_completion": ("discharged", "completed"), "compared_abstinence": ("discharged", "abstinent"),
    "compared_physical": ("physical_people",), "compared_mental": ("mental_people",),
}


# --- the analyses, once per snapshot and agency -------------------------------------------------------------

def _names(ctx: Source) -> dict[str, str]:
    from baliza.analyses.chain_links import directory_names

    def compute() -> dict[str, str]:
        with ctx.locked() as wh:
            return directory_names(wh)

    return ctx.cached("directory_names", compute)


def livelihood_results(ctx: Source, principal: Principal) -> dict[str, Any]:
    """The livelihood analysis on the enrolments the principal may read, and each office's region."""
    from baliza.analyses.programmes import livelihood_outcomes

    def compute() -> dict[str, Any]:
        with ctx.reading(principal) as (wh, scope):
            rows = scope.filter(wh, "farmer_enrolments")
            found = livelihood_outcomes(rows)
            pairs = rows.select("programme_office_id", "region").distinct().to_pyarrow().to_pylist()
        regions: dict[str, set[str]] = {}
        for pair in pairs:
            regions.setdefault(pair["programme_office_id"], set()).add(pair["region"])
        # an office adds up into its region only if all its growers are there
        found["office_region"] = {o: next(iter(r)) for o, r in regions.items() if len(r) == 1}
        return found

    return ctx.cached(f"programmes:livelihood:{principal.agency_id}", compute)


def treatment_results(ctx: Source, principal: Principal) -> dict[str, Any]:
    """The treatment analysis and the providers' comparison on the episodes the principal may read."""
    from baliza.analyses.programmes import compare_providers, provider_findings, treatment_outcomes

    def compute() -> dict[str, Any]:
        with ctx.reading(principal) as (wh, scope):
            rows = scope.filter(wh, "treatment_episodes")
            found = treatment_outcomes(rows)
            comparison = compare_providers(rows)
        found["comparison"] = comparison.to_dict()
        found["findings"] = [f.to_dict() for f in provider_findings(comparison, _names(ctx))]
        return found

    return ctx.cached(f"programmes:treatment:{principal.agency_id}", compute)


# --- laying them out as tables ------------------------------------------------------------------------------

def _rate(rate: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if not rate else {k: rate.get(k) for k in ("value", "low", "high")}


def _livelihood_group(group: dict[str, Any], adjusted: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rates = group.get("rates", {})
    income = (group.get("changes") or {}).get("monthly_income_usd") or {}
    counts = {"enrolled": group["people"], "placed": (rates.get("placement") or {}).get("events", 0),
              "relapsed": (rates.get("relapse") or {}).get("events", 0),
              "dropped_out": (rates.get("drop_out") or {}).get("events", 0)}
    return {
        **counts, "remaining": _remaining(counts),
        "income_people": income.get("people", 0), "dependents": group.get("dependents") or 0,
        "dependents_protected": group.get("dependents_protected") or 0,
        "placement": _rate(rates.get("placement")), "relapse": _rate(rates.get("relapse")),
        "drop_out": _rate(rates.get("drop_out")), "income": income or None,
        "median_days": (group.get("median_days") or {}).get("placement"),
        "curves": {k: _curve(c) for k, c in (group.get("curves") or {}).items()},
        "adjusted_placement": adjusted.get("placement", {}).get(group["group_id"]),
        "adjusted_relapse": adjusted.get("relapse", {}).get(group["group_id"]),
    }


def _remaining(counts: dict[str, Any]) -> int:
    """Those enrolled who are neither placed, relapsed nor dropped out: what a reader subtracts to."""
    return counts["enrolled"] - counts["placed"] - counts["relapsed"] - counts["dropped_out"]


def livelihood_tables(found: dict[str, Any], names: dict[str, str]) -> list[PublishedTable]:
    """Totals, years, statuses, offices and regions: every livelihood figure a reader gets."""
    totals = found["totals"]
    income = found.get("income_change") or {}
    total_row = {
        "enrolled": totals["enrolled"], "placed": totals["placed"], "relapsed": totals["relapsed"],
        "dropped_out": totals.get("dropped_out", 0), "threatened": totals.get("threatened", 0),
        "other": totals["enrolled"] - totals["placed"] - totals["relapsed"],
        "income_people": income.get("people", 0), "dependents": totals.get("dependents") or 0,
        "dependents_protected": totals.get("dependents_protected") or 0,
        "placement": _rate(found.get("placement")), "relapse": _rate(found.get("relapse")),
        "drop_out": _rate(found.get("drop_out")), "hectares": totals.get("hectares"), "income": income or None,
    }
    total_row["remaining"] = _remaining(total_row)
    years = [{"year": str(r["year"]), "enrolled": r["enrolled"], "placed": r["placed"], "relapsed": r["relapsed"],
              "other": r["enrolled"] - r["placed"] - r["relapsed"]} for r in found["by_year"]]
    statuses = [{"status": r["status"], "people": r["people"]} for r in found["by_status"]]
    adjusted: dict[str, dict[str, dict[str, Any]]] = {}
    for key, comparison in (found.get("adjusted") or {}).items():
        for unit in comparison.get("units", []):
            adjusted.setdefault(key, {})[unit["unit_id"]] = unit
    office_adjusted = {m: adjusted.get(f"office:{m}", {}) for m in ("placement", "relapse")}
    region_adjusted = {m: adjusted.get(f"region:{m}", {}) for m in ("placement", "relapse")}
    offices = [{"office": g["group_id"], "name": names.get(g["group_id"], g["group_id"]),
                "region": found["office_region"].get(g["group_id"]), **_livelihood_group(g, office_adjusted)}
               for g in found["offices"]]
    regions = [{"region_id": g["group_id"], "name": g["group_id"], **_livelihood_group(g, region_adjusted)}
               for g in found["regions"]]
    counts = {k: v for k, v in LIVELIHOOD_COUNTS.items()}
    group_counts = {k: v for k, v in counts.items() if k not in ("threatened", "other")}
    return [
        PublishedTable("totals", [total_row], {}, counts, LIVELIHOOD_DERIVED, WORKED_OUT),
        PublishedTable("years", years, {"year": "period"},
                       {c: counts[c] for c in ("enrolled", "placed", "relapsed", "other")}, LIVELIHOOD_DERIVED,
                       WORKED_OUT),
        PublishedTable("statuses", statuses, {"status": "status"}, {"people": _people()}),
        PublishedTable("offices", offices, {"office": "place"}, group_counts, LIVELIHOOD_DERIVED, WORKED_OUT),
        PublishedTable("regions", regions, {"region_id": "place"}, group_counts, LIVELIHOOD_DERIVED, WORKED_OUT),
    ]


def _curve(curve: dict[str, Any] | None) -> dict[str, Any] | None:
    """A survival curve as published: its points while at least 5 people remain at risk, no counts."""
    if not curve or not curve.get("times"):
        return None
    keep = [k for k, n in enumerate(curve["at_risk"]) if n >= MIN_CELL]
    if not keep:
        return None
    pick = lambda column: [curve[column][k] for k in keep]  # noqa: E731
    return {"event": curve["event"], "times": pick("times"), "surviving": pick("surviving"), "low": pick("low"),
            "high": pick("high"), "median_days": curve.get("median_days")}


def livelihood_publication(ctx: Source, principal: Principal) -> dict[str, Any]:
    """The livelihood programme's figures as the principal's page, API and report publish them."""
    return publish_livelihood(livelihood_results(ctx, principal), _names(ctx))


def publish_livelihood(found: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The livelihood analysis's results as published: laid out as tables, disclosed together."""
    tables = livelihood_tables(found, names)
    parents = {"place": found["office_region"], "status": STATUS_PARENTS}
    shown = dict(zip((t.name for t in tables), disclose(tables, parents), strict=True))
    return {"programme": "livelihood", "as_of": str(found.get("as_of") or ""), "totals": shown["totals"][0],
            "years": shown["years"], "statuses": shown["statuses"], "offices": shown["offices"],
            "regions": shown["regions"], "time_to_placement": _curve(found.get("time_to_placement")),
            "retention": _curve(found.get("retention"))}


def _treatment_group(group: dict[str, Any], compared: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rates, changes = group.get("rates", {}), group.get("changes") or {}
    physical, mental = changes.get("physical_score") or {}, changes.get("mental_score") or {}
    unit = group["group_id"]
    return {
        "admitted": group["people"], "discharged": (rates.get("completion") or {}).get("people", 0),
        "completed": (rates.get("completion") or {}).get("events", 0),
        "abstinent": (rates.get("abstinence") or {}).get("events", 0),
        "physical_people": physical.get("people", 0), "mental_people": mental.get("people", 0),
        "completion": _rate(rates.get("completion")), "abstinence": _rate(rates.get("abstinence")),
        "physical": physical or None, "mental": mental or None,
        "median_days": (group.get("median_days") or {}).get("length_of_stay"),
        "curves": {k: _curve(c) for k, c in (group.get("curves") or {}).items()},
        **{f"compared_{m}": compared.get(m, {}).get(unit) for m in ("completion", "abstinence", "physical", "mental")},
    }


MEASURE_COLUMNS = {"completion": "completion", "abstinence": "abstinence", "physical_change": "physical",
                   "mental_change": "mental"}


def treatment_tables(found: dict[str, Any], names: dict[str, str]) -> list[PublishedTable]:
    """Totals, years and providers (with their comparison): every treatment figure a reader gets."""
    totals = found["totals"]
    total_row = {"admitted": totals["admitted"], "discharged": totals["discharged"], "completed": totals["completed"],
                 "abstinent": totals["abstinent"],
                 "physical_people": (found.get("physical_change") or {}).get("people", 0),
                 "mental_people": (found.get("mental_change") or {}).get("people", 0),
                 "completion": _rate(found.get("completion")), "abstinence": _rate(found.get("abstinence")),
                 "physical": found.get("physical_change"), "mental": found.get("mental_change"),
                 "median_days": (found.get("length_of_stay") or {}).get("median_days")}
    years = [{"year": str(r["year"]), **{c: r[c] for c in ("admitted", "discharged", "completed", "abstinent")}}
             for r in found["by_year"]]
    compared: dict[str, dict[str, Any]] = {}
    for measure, comparison in (found.get("comparison") or {}).get("measures", {}).items():
        for unit in comparison.get("units", []):
            compared.setdefault(MEASURE_COLUMNS.get(measure, measure), {})[unit["unit_id"]] = unit
    providers = [{"provider": g["group_id"], "name": names.get(g["group_id"], g["group_id"]),
                  **_treatment_group(g, compared)} for g in found["providers"]]
    return [
        PublishedTable("totals", [total_row], {}, TREATMENT_COUNTS, TREATMENT_DERIVED),
        PublishedTable("years", years, {"year": "period"},
                       {c: TREATMENT_COUNTS[c] for c in ("admitted", "discharged", "completed", "abstinent")}),
        PublishedTable("providers", providers, {"provider": "place"}, TREATMENT_COUNTS, TREATMENT_DERIVED),
    ]


def treatment_publication(ctx: Source, principal: Principal) -> dict[str, Any]:
    """The treatment programme's figures as the principal's page, API and report publish them."""
    return publish_treatment(treatment_results(ctx, principal), _names(ctx))


def publish_treatment(found: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The treatment analysis's results as published: laid out as tables, disclosed together, with the
    funnel limits of each measure and the findings about providers whose figures are shown."""
    tables = treatment_tables(found, names)
    shown = dict(zip((t.name for t in tables), disclose(tables), strict=True))
    providers = shown["providers"]
    visible = {p["provider"]: p for p in providers}
    findings = []
    for f in found.get("findings", []):
        column = MEASURE_COLUMNS.get(f["details"].get("measure", ""), "")
        row = visible.get(f["subject"]["id"])
        if row is not None and row.get(f"compared_{column}") is not None:
            findings.append({**worded(f), "provider": row["name"], "anchor": f"finding-{f['subject']['id']}-{column}"})
    comparison = found.get("comparison") or {}
    funnels = {MEASURE_COLUMNS.get(m, m): {"kind": c["kind"], "funnel": c["funnel"], "method": c.get("method", "")}
               for m, c in comparison.get("measures", {}).items()}
    return {"programme": "treatment", "as_of": str(found.get("as_of") or ""), "totals": shown["totals"][0],
            "years": shown["years"], "providers": providers, "funnels": funnels, "findings": findings,
            "min_people": comparison.get("min_people"), "length_of_stay": _curve(found.get("length_of_stay"))}


def publication(ctx: Source, principal: Principal, programme: str | None = None) -> dict[str, Any]:
    """The principal's programme (its own, unless `programme` names the other) as published."""
    chosen = programme or principal.programme or "livelihood"
    if chosen == "treatment":
        return treatment_publication(ctx, principal)
    if chosen == "livelihood":
        return livelihood_publication(ctx, principal)
    raise ValueError(f"no programme {chosen!r}: livelihood or treatment")
