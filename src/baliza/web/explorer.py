"""The chain explorer: every seizure a viewer may read, with filters, broken links, totals and pages, and
search by id or name. Page `/chain`, API `GET /api/chains`.

The breaks and progress of every chain are computed once per warehouse state on the whole warehouse
(`analyses.chain_breaks`) and kept; each request only applies the viewer's scope and filters
(`web.chain_table`). The pages present; they compute nothing.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

import ibis
import pyarrow as pa
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator

from baliza.access.audit import grants_behind, record_read
from baliza.access.principal import Principal
from baliza.analyses.chain_breaks import BREAK_CODES
from baliza.i18n import gettext as _
from baliza.web import queries
from baliza.web.api import REFUSALS, Problem
from baliza.web.callers import SeizureReader
from baliza.web.chain_table import (
    PAGE_SIZE,
    SORTS,
    VIEW_STATUSES,
    BadFilter,
    ChainFilters,
    chain_rows,
    order_clause,
    totals,
    undecided_codes,
    where_clause,
)
from baliza.web.context import ServingContext
from baliza.web.formatting import install
from baliza.web.results import results_of
from baliza.web.security import context
from baliza.web.sources import withheld_tables
from baliza.web.templates import render, templates

install(templates.env)  # the number, quantity, money and date filters the explorer's pages use

router = APIRouter()
FILTER_NAMES = ("agency", "unit", "entry_point", "substance", "country", "date_from", "date_to", "broken",
                "status", "sort", "page")


BREAKS_VIEW, STATUS_VIEW = "chain_explorer_breaks", "chain_explorer_status"
SCOPED_VIEW, ROWS_VIEW = "chain_explorer_scoped", "chain_explorer_rows"


def _whole_warehouse(ctx: ServingContext) -> tuple[pa.Table, pa.Table]:
    """Every chain's break rows and status on the whole warehouse, computed once per load (they do not
    depend on who asks: `web.results.LoadResults.chain_links`)."""
    return results_of(ctx).chain_links  # type: ignore[no-any-return]


def scoped_rows(ctx: ServingContext, wh: Any, scope: Any) -> pa.Table:
    """`chain_rows` for this scope (every seizure the viewer may read, with the breaks they may see), kept
    per warehouse state, agency and set of live grants: a new or revoked grant is a new set, seen at once.
    Filters, sorting, totals and pages then read these rows only."""
    grants = ",".join(sorted(g.grant_id for g in scope.grants))
    undecided = undecided_codes(scope.principal.agency_id, withheld_tables(ctx.state))
    whole = _whole_warehouse(ctx)

    def compute() -> pa.Table:
        breaks = ibis.table(ibis.Schema.from_pyarrow(whole[0].schema), name=BREAKS_VIEW)
        status = ibis.table(ibis.Schema.from_pyarrow(whole[1].schema), name=STATUS_VIEW)
        sql = str(ibis.to_sql(chain_rows(wh, scope, breaks, status, undecided), dialect="duckdb"))
        cursor = wh.duckdb
        cursor.register(BREAKS_VIEW, whole[0])
        cursor.register(STATUS_VIEW, whole[1])
        try:
            return cursor.sql(sql).to_arrow_table()
        finally:
            cursor.unregister(BREAKS_VIEW)
            cursor.unregister(STATUS_VIEW)

    return ctx.cached(f"chain_explorer:rows:{scope.principal.agency_id}:{grants}:{','.join(undecided)}", compute)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "whole_status"}


def explore(ctx: ServingContext, principal: Principal, filters: ChainFilters) -> dict[str, Any]:
    """One page of the chains the principal may read under `filters`, with the totals over all of them."""
    with ctx.reading(principal) as (wh, scope):
        rows = scoped_rows(ctx, wh, scope)
        cursor = wh.duckdb
        cursor.register(SCOPED_VIEW, rows)
        try:
            where, params = where_clause(filters)
            kept = cursor.sql(f"select * from {SCOPED_VIEW} where {where}", params=params).to_arrow_table()
            cursor.register(ROWS_VIEW, kept)
            found = totals(cursor, ROWS_VIEW)
            page = cursor.sql(f"select * from {ROWS_VIEW} order by {order_clause(filters)} limit ? offset ?",
                              params=[PAGE_SIZE, (filters.page - 1) * PAGE_SIZE]).to_arrow_table()
        finally:
            cursor.unregister(ROWS_VIEW)
            cursor.unregister(SCOPED_VIEW)
        shown = [str(v) for v in page["seizure_id"].to_pylist()]
        allowed = grants_behind(scope, "seizures", shown)
    record_read(ctx.state, principal, "list_chains", [f"seizures/{i}" for i in shown], grants=allowed,
                what="chain explorer")
    pages = max(1, math.ceil(found["seizures"] / PAGE_SIZE))
    return {"rows": [_plain(r) for r in page.to_pylist()], "totals": found, "page": filters.page, "pages": pages,
            "page_size": PAGE_SIZE, "filters": filters.query()}


def options(ctx: ServingContext, principal: Principal) -> dict[str, list[dict[str, str]]]:
    """Choices for the filters: directory tables (readable by all), the substances the viewer's seizures name."""
    def directory(wh: Any) -> dict[str, list[dict[str, str]]]:
        out = {}
        for name, table, key in (("agencies", "agencies", "agency_id"), ("units", "units", "unit_id"),
                                 ("entry_points", "entry_points", "entry_point_id")):
            t = wh.table(table)
            rows = t.select(id=t[key], name=t["name"]).order_by("name").to_pyarrow().to_pylist()
            out[name] = rows
        return out

    with ctx.reading(principal) as (wh, scope):
        out = dict(ctx.cached("chain_explorer:directory", lambda: directory(wh)))
        names = sorted(n for n in set(scoped_rows(ctx, wh, scope)["substance"].to_pylist()) if n)
    out["substances"] = [{"id": n, "name": n} for n in names]
    return out


StatusName = Literal[VIEW_STATUSES]  # type: ignore[valid-type]
BreakCode = Literal[BREAK_CODES]  # type: ignore[valid-type]
SortKey = Literal[tuple(k for key in SORTS for k in (key, f"-{key}"))]  # type: ignore[misc]
Text = Annotated[str, Query(max_length=200)]


def _written_date(value: Any) -> Any:
    """Only a date written YYYY-MM-DD (pydantic alone would also take '0' as 1970-01-01)."""
    if value is not None and not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        raise ValueError(_("a date is written YYYY-MM-DD"))
    return value


Day = Annotated[date | None, Query(), BeforeValidator(_written_date)]


@router.get("/api/chains", tags=["api"], responses={
    code: {**answer, "model": Problem} for code, answer in REFUSALS.items() if code != 404})
def chains_api(request: Request, principal: SeizureReader, agency: Text = "", unit: Text = "",
               entry_point: Text = "", substance: Text = "", country: Text = "", date_from: Day = None,
               date_to: Day = None, broken: BreakCode | None = None, status: StatusName | None = None,
               sort: SortKey = "-seized_at", page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
               ) -> dict[str, Any]:
    """Seizures you may read with their broken links (only those you may see) and status, filtered by
    `agency`, `unit`, `entry_point`, `substance`, `country` (origin or destination), `date_from`, `date_to`,
    `broken` (a break code), `status`; sorted by `sort` (`-` in front for descending); 50 a `page`; with
    totals over every page."""
    filters = ChainFilters(agency=agency.strip(), unit=unit.strip(), entry_point=entry_point.strip(),
                           substance=substance.strip(), country=country.strip(), date_from=date_from,
                           date_to=date_to, broken=broken or "", status=status or "", sort=sort, page=page)
    return explore(context(request), principal, filters)


@router.get("/chain", include_in_schema=False)
def chain_page(request: Request, principal: SeizureReader, q: str = "") -> Response:
    ctx = context(request)
    try:
        filters = ChainFilters.parse({k: request.query_params.get(k, "") for k in FILTER_NAMES})
        error = None
    except BadFilter as bad:
        filters, error = ChainFilters(), str(bad)
    q = q.strip()[:100]
    with ctx.reading(principal) as (wh, scope):
        hits = queries.search(wh, scope, q) if q else []
    view = explore(ctx, principal, filters)
    return render(request, "chain_search.html", {
        **view, "q": q, "hits": hits, "error": error, "current": filters, "options": options(ctx, principal),
        "codes": BREAK_CODES, "statuses": VIEW_STATUSES, "sorts": tuple(SORTS),
    }, status_code=422 if error else 200)
