"""Crypto tracing on the dashboard and the API: clusters, traces, exchange findings, exports, and the paths
drawn as a graph by the product itself (server-side SVG, no script).

Page `/crypto`; API `GET /api/crypto/{chain}/clusters`, `/trace`, `/findings`, `/trace.gexf`, `/trace.ftm.json`.
A chain is read and clustered once per warehouse state (`ServingContext.cached`); a trace runs on request
(its parameters vary) and only touches the part of the chain it reaches. Blockchain data is public; what
Baliza adds is the tags: they are shown with their label, category and source, and the persons a tag names
are never shown here (they are read through the person pages, under the access rules). Exports are audited.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from baliza.access.audit import record
from baliza.access.finding_scope import finding_id, readable_evidence
from baliza.access.redaction import redact_finding
from baliza.crypto.chaindata import ChainData, expand_seeds
from baliza.crypto.scoped import HeldElsewhere, holders, read_scoped, refuse_unseen, scope_key, scoped_findings
from baliza.crypto.trace import DIRECTIONS, MAX_HOPS_LIMIT, METHODS, TraceResult
from baliza.i18n import gettext as _
from baliza.i18n.findings import worded
from baliza.web.api import PROBLEM_JSON, REFUSALS, Problem
from baliza.web.callers import Exporter, FindingReader
from baliza.web.security import context
from baliza.web.templates import render

router = APIRouter()
Chain = Annotated[str, Query(min_length=2, max_length=16, pattern=r"^[a-z0-9_-]+$")]
Seeds = Annotated[str, Query(alias="from", min_length=1, max_length=4000)]
Method = Annotated[str, Query(pattern="^(poison|haircut|fifo)$")]
Hops = Annotated[int, Query(ge=0, le=MAX_HOPS_LIMIT)]
Direction = Annotated[str, Query(pattern="^(forward|backward)$")]
PAGE = 1000
ANSWERS: dict[int | str, dict[str, Any]] = {code: {**answer, "model": Problem} for code, answer in REFUSALS.items()}
FILE_ANSWERS: dict[int | str, dict[str, Any]] = {code: {**answer, "content": PROBLEM_JSON}
                                                 for code, answer in REFUSALS.items()}


class GexfResponse(Response):
    media_type = "application/gexf+xml"


class FtmResponse(Response):
    media_type = "application/x-ndjson"  # FollowTheMoney entities, one JSON object a line


def _chain(request: Request, principal: Any, chain: str) -> ChainData | None:
    """The chain as the principal may see it (its agency's rows and those granted to it), read and clustered
    once per warehouse state and scope; None when it sees none of the chain but another agency holds some."""
    ctx = context(request)
    with ctx.reading(principal) as (wh, scope):
        try:
            return ctx.cached(f"crypto:{chain}:{scope_key(scope)}", lambda: read_scoped(wh, scope, chain))
        except LookupError as error:
            raise HTTPException(404, str(error)) from None


def _refuse_unseen(request: Request, principal: Any, data: ChainData | None, chain: str, asked: list[str]) -> None:
    """403 naming the holding agencies when what was asked for rests on rows the principal may not read."""
    with context(request).reading(principal) as (wh, scope):
        try:
            refuse_unseen(wh, scope, data, chain, asked)
        except HeldElsewhere as error:
            raise HTTPException(403, str(error)) from None


def _holders(request: Request, principal: Any, chain: str, addresses: list[str] | None = None
             ) -> list[dict[str, str]]:
    ctx = context(request)
    with ctx.reading(principal) as (wh, scope):
        if addresses is None:
            return ctx.cached(f"crypto-holders:{chain}:{scope_key(scope)}", lambda: holders(wh, scope, chain))
        return holders(wh, scope, chain, addresses)


def _shown_tags(tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in t.items() if k != "person_id"} for t in tags]


def _public(result: TraceResult, held_by: list[dict[str, str]] | None = None) -> dict[str, Any]:
    shown = result.to_dict()
    shown["reached"] = [{**r, "tags": _shown_tags(r["tags"])} for r in shown["reached"]]
    shown["held_by"] = held_by or []
    return shown


def _trace(request: Request, principal: Any, chain: str, seeds: str, method: str, max_hops: int,
           direction: str, path_to: str = "") -> TraceResult:
    data = _chain(request, principal, chain)
    wanted = [s.strip() for s in seeds.split(",") if s.strip()][:100]
    _refuse_unseen(request, principal, data, chain, wanted)
    if data is None:
        raise HTTPException(404, _("No seed address appears on the chain %(chain)s: %(addresses)s.", chain=chain,
                                   addresses=", ".join(w[:80] for w in wanted[:5])))
    try:
        return data.trace(expand_seeds(data, wanted), method, max_hops, direction,
                          [path_to] if path_to else None)
    except (LookupError, ValueError) as error:
        raise HTTPException(422, str(error)) from None


def _held_beyond(request: Request, principal: Any, result: TraceResult) -> list[dict[str, str]]:
    """The agencies holding more rows of the seeds or reached addresses than the principal may read."""
    return _holders(request, principal, result.chain, result.seeds + [r["address"] for r in result.reached])


@router.get("/api/crypto/{chain}/clusters", tags=["api"], responses=ANSWERS)
def clusters_api(request: Request, principal: FindingReader, chain: str, address: str = "",
                 page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Any:
    """Every address with its cluster (1,000 a `page`), or, with `address`, its cluster explained: its
    addresses and the transactions that joined them. Only the rows the caller's agency loaded or was granted
    are clustered; `held_by` names the agencies holding the chain's other rows."""
    data = _chain(request, principal, chain)
    if address:
        _refuse_unseen(request, principal, data, chain, [address])
        code = int(data.ledger.address_codes([address])[0]) if data is not None else -1
        if data is None or code < 0:
            raise HTTPException(404, _("The chain %(chain)s has no address %(address)s.", chain=chain,
                                       address=address[:80]))
        return data.clustering.explain(str(data.clustering.cluster_of(code)))
    rows = data.clustering.rows() if data is not None else []
    return {"total": len(rows), "page": page, "addresses": rows[(page - 1) * PAGE: page * PAGE],
            "held_by": _holders(request, principal, chain)}


@router.get("/api/crypto/{chain}/trace", tags=["api"], responses=ANSWERS)
def trace_api(request: Request, principal: FindingReader, chain: str, seeds: Seeds, method: Method = "haircut",
              max_hops: Hops = 6, direction: Direction = "forward", path_to: str = "") -> dict[str, Any]:
    """Follow value from the seed addresses or clusters (`from`, comma-separated) by the `method` rule:
    reached addresses with their taint, exposure by category, peel chains, and the paths as evidence."""
    result = _trace(request, principal, chain, seeds, method, max_hops, direction, path_to)
    return _public(result, _held_beyond(request, principal, result))


@router.get("/api/crypto/{chain}/findings", tags=["api"], responses=ANSWERS)
def findings_api(request: Request, principal: FindingReader, chain: str, method: Method = "haircut",
                 max_hops: Hops = 6) -> list[dict[str, Any]]:
    """Seized or suspect wallets (and online listings' payment addresses) whose funds reach an exchange, and
    exchanges exposed to markets or mixers, computed on the rows the caller's agency loaded or was granted;
    evidence held elsewhere is named with its holder (`access.redaction`)."""
    ctx = context(request)
    with ctx.reading(principal) as (wh, scope):
        findings = scoped_findings(ctx, wh, scope, chain, method, max_hops)
        readable = readable_evidence(wh, scope, findings)
    return [worded({"finding_id": finding_id(f), **redact_finding(f, readable)}) for f in findings]  # reader's words


def _export(request: Request, principal: Any, result: TraceResult, kind: str) -> Response:
    from baliza.crypto.export import ftm_lines, to_gexf

    record(context(request).state, principal.username, principal.agency_id, "export",
           f"crypto/{result.chain}/trace.{kind}", {"seeds": result.seeds[:20], "method": result.method})
    if kind == "gexf":
        return GexfResponse(to_gexf(result), headers={"Content-Disposition": 'attachment; filename="trace.gexf"'})
    return FtmResponse(ftm_lines(result), headers={"Content-Disposition": 'attachment; filename="trace.ftm.json"'})


@router.get("/api/crypto/{chain}/trace.gexf", tags=["api"], response_class=GexfResponse, responses=FILE_ANSWERS)
def trace_gexf(request: Request, principal: Exporter, chain: str, seeds: Seeds, method: Method = "haircut",
               max_hops: Hops = 6) -> Response:
    """The trace's paths as a GEXF graph (Gephi)."""
    return _export(request, principal, _trace(request, principal, chain, seeds, method, max_hops, "forward"),
                   "gexf")


@router.get("/api/crypto/{chain}/trace.ftm.json", tags=["api"], response_class=FtmResponse,
            responses=FILE_ANSWERS)
def trace_ftm(request: Request, principal: Exporter, chain: str, seeds: Seeds, method: Method = "haircut",
              max_hops: Hops = 6) -> Response:
    """The trace's paths as FollowTheMoney entities, one JSON object a line."""
    return _export(request, principal, _trace(request, principal, chain, seeds, method, max_hops, "forward"),
                   "ftm")


@router.get("/crypto", include_in_schema=False)
def crypto_page(request: Request, principal: FindingReader, chain: str = "btc", seeds: Annotated[
        str, Query(alias="from", max_length=4000)] = "", method: Method = "haircut", max_hops: Hops = 6,
        direction: Direction = "forward", path_to: str = "") -> Response:
    result, error, svg = None, None, ""
    if seeds.strip():
        try:
            result = _trace(request, principal, chain, seeds, method, max_hops, direction)
        except HTTPException as refused:
            error = str(refused.detail)
    if result is not None:
        if path_to and not any(p["to"] == path_to for p in result.paths):
            result.paths.extend(_trace(request, principal, chain, seeds, method, max_hops, direction,
                                       path_to).paths)
        highlighted = path_to or (result.paths[0]["to"] if result.paths else "")
        svg = paths_svg(result, highlighted)
    return render(request, "crypto.html", {
        "chain": chain, "seeds": seeds, "method": method, "max_hops": max_hops, "direction": direction,
        "methods": METHODS, "directions": DIRECTIONS,
        "result": _public(result, _held_beyond(request, principal, result)) if result else None,
        "error": error, "svg": svg, "path_to": path_to})


def paths_svg(result: TraceResult, highlighted: str = "") -> str:
    """The paths as a layered graph: the seeds on the left, one column per hop, the highlighted path drawn
    thick. Drawn here as SVG, so that the page needs no script."""
    column: dict[str, int] = {s: 0 for s in result.seeds}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    on_path: set[tuple[str, str]] = set()
    for path in result.paths:
        for step in path["steps"]:
            if not step["from"]:
                continue
            column.setdefault(step["from"], step["hop"] - 1)
            column[step["to"]] = min(column.get(step["to"], step["hop"]), step["hop"])
            edge = edges.setdefault((step["from"], step["to"]), {"taint": 0.0, "tx": step["tx_hash"]})
            edge["taint"] += step["tainted_amount"]
            if path["to"] == highlighted:
                on_path.add((step["from"], step["to"]))
    used = {a for e in edges for a in e} | set(result.seeds)
    rows: dict[int, list[str]] = {}
    for address in sorted(used, key=lambda a: (column.get(a, 0), a)):
        rows.setdefault(column.get(address, 0), []).append(address)
    width, height = 190 * (max(rows, default=0) + 1) + 20, 46 * max((len(r) for r in rows.values()), default=1) + 20
    place = {a: (20 + 190 * c, 30 + 46 * k) for c, members in rows.items() for k, a in enumerate(members)}
    tags = {r["address"]: r["tags"] for r in result.reached}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="crypto-graph" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(_("Paths of the trace"))}">']
    for (source, target), edge in sorted(edges.items(), key=lambda kv: (kv[0] in on_path, kv[0])):
        (x1, y1), (x2, y2) = place[source], place[target]
        lit = (source, target) in on_path
        kind = "edge highlighted" if lit else "edge"
        parts.append(f'<line x1="{x1 + 150}" y1="{y1}" x2="{x2}" y2="{y2}" class="{kind}" '
                     f'stroke="{"#c0392b" if lit else "#9aa5b1"}" stroke-width="{4 if lit else 1.5}">'
                     f'<title>{escape(edge["tx"])}: {edge["taint"]:,.8f}</title></line>')
    for address, (x, y) in place.items():
        labels = ", ".join(sorted({t["label"] for t in tags.get(address, [])}))
        exchange = any(t["category"] == "exchange" for t in tags.get(address, []))
        fill = "#fdebd0" if address in result.seeds else "#d6eaf8" if exchange else "#f4f6f7"
        parts.append(f'<g class="node"><rect x="{x}" y="{y - 16}" width="150" height="32" rx="5" fill="{fill}" '
                     f'stroke="#566573"/><text x="{x + 6}" y="{y - 2}" font-size="11">{escape(address[:22])}</text>'
                     f'<text x="{x + 6}" y="{y + 11}" font-size="10" fill="#566573">{escape(labels[:26])}</text>'
                     f'<title>{escape(address)}{" · " + escape(labels) if labels else ""}</title></g>')
    parts.append("</svg>")
    return "".join(parts)
