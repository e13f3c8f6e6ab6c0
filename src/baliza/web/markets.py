"""Online markets on the dashboard and the API: listings, vendors and their links, prices against UNODC's.

The picture (`baliza.markets.picture`) is computed once per warehouse state on the whole warehouse; each
principal then sees the listings its agency reported or was granted (`Scope.filter`), the links between
vendor accounts both of whose listings it sees, and the findings about them. Reads are audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from baliza.access.audit import record
from baliza.access.principal import Principal
from baliza.i18n import gettext as _
from baliza.markets.listings import listing_records
from baliza.markets.names import evidence_names, group_names, price_status_names
from baliza.markets.picture import MarketPicture, market_picture, vendor_records
from baliza.markets.unodc import ATTRIBUTION
from baliza.web.api import REFUSALS, Problem
from baliza.web.callers import FindingReader
from baliza.web.context import ServingContext
from baliza.web.security import context
from baliza.web.templates import render

PAGE_ROWS = 200
pages = APIRouter(include_in_schema=False)
api_routes = APIRouter(prefix="/api/markets", tags=["api"], responses={
    code: {**answer, "model": Problem} for code, answer in REFUSALS.items()})


def _picture(ctx: ServingContext) -> MarketPicture:
    def compute() -> MarketPicture:
        with ctx.locked() as wh:
            return market_picture(wh)

    return ctx.cached("markets_picture", compute)


def _visible(ctx: ServingContext, principal: Principal) -> set[str]:
    with ctx.reading(principal) as (wh, scope):
        return set(scope.filter(wh, "online_listings").listing_id.to_pyarrow().to_pylist())


def market_view(ctx: ServingContext, principal: Principal, substance: str | None = None,
                platform: str | None = None, ships_to: str | None = None) -> dict[str, Any]:
    """What the principal may see, filtered: listings, vendors, links, findings, price series."""
    picture = _picture(ctx)
    seen = _visible(ctx, principal)
    frame = picture.listings[picture.listings.listing_id.isin(seen)]
    options = {"substances": sorted({g for g in frame.substance_group if g}),
               "platforms": sorted(set(frame.platform.dropna())),
               "destinations": sorted(set(frame.ships_to.dropna().astype(str)))}
    if substance:
        frame = frame[frame.substance_group == substance]
    if platform:
        frame = frame[frame.platform == platform]
    if ships_to:
        frame = frame[frame.ships_to.astype("string").str.contains(ships_to, case=False, regex=False, na=False)]
    accounts = set(frame.vendor_id)
    vendors = [v for v in vendor_records(picture) if v["vendor_id"] in accounts]
    links = [k.to_dict() for k in picture.links if k.vendor_a in accounts and k.vendor_b in accounts]
    findings = [f.to_dict() for f in picture.findings if f.subject.id in seen]
    series = [s for s in picture.series if not substance or s["substance_group"] == substance]
    record(ctx.state, principal.username, principal.agency_id, "read_online_listings", "online_listings",
           {"listings": len(frame), "substance": substance, "platform": platform, "ships_to": ships_to})
    return {"country": picture.country, "listings": listing_records(frame), "vendors": vendors, "links": links,
            "findings": findings, "series": series, "options": options, "attribution": ATTRIBUTION}


def price_chart(series: list[dict[str, Any]], substance: str | None) -> str:
    """An SVG line of the online median price per gram by quarter, and UNODC's reference, for one group."""
    group = substance or next((s["substance_group"] for s in series), None)
    points = [s for s in series if s["substance_group"] == group]
    if len(points) < 2:
        return ""
    width, height, pad = 640, 220, 40
    top = max(max(p["median_usd"] for p in points), max((p["unodc"] or {}).get("usd", 0) for p in points)) * 1.1
    x = [pad + i * (width - 2 * pad) / (len(points) - 1) for i in range(len(points))]

    def y(v: float) -> float:
        return height - pad - v / top * (height - 2 * pad)

    online = " ".join(f"{a:.1f},{y(p['median_usd']):.1f}" for a, p in zip(x, points, strict=True))
    unodc = " ".join(f"{a:.1f},{y(p['unodc']['usd']):.1f}" for a, p in zip(x, points, strict=True) if p["unodc"])
    title = _("Online median price per gram of %(group)s against UNODC retail, USD",
              group=group_names().get(str(group), str(group)))
    labels = "".join(f'<text x="{a:.1f}" y="{height - 12}" font-size="9" text-anchor="middle">{p["period"]}</text>'
                     for a, p in list(zip(x, points, strict=True))[:: max(1, len(points) // 8)])
    return (f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-label="{title}"><title>{title}</title>'
            f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{online}"/>'
            + (f'<polyline fill="none" stroke="#d62728" stroke-dasharray="5,3" points="{unodc}"/>' if unodc else "")
            + f'<text x="{pad}" y="16" font-size="11">{top / 1.1:,.2f} USD</text>{labels}</svg>')


@pages.get("/markets")
def markets_page(request: Request, principal: FindingReader, substance: str | None = None,
                 platform: str | None = None, ships_to: str | None = None) -> Response:
    view = market_view(context(request), principal, substance or None, platform or None, ships_to or None)
    return render(request, "markets.html", {
        **view, "shown": view["listings"][:PAGE_ROWS], "total": len(view["listings"]),
        "chart_svg": price_chart(view["series"], substance or None),
        "chosen": {"substance": substance or "", "platform": platform or "", "ships_to": ships_to or ""},
        "group_names": group_names(), "status_names": price_status_names(),
        "evidence_names": evidence_names()})


@api_routes.get("/listings")
def api_listings(request: Request, principal: FindingReader, substance: str | None = Query(None, max_length=40),
                 platform: str | None = Query(None, max_length=200),
                 ships_to: str | None = Query(None, max_length=200)) -> list[dict[str, Any]]:
    """Online listings you may see: substance group (why, how sure), quantity, unit, USD per gram."""
    return market_view(context(request), principal, substance, platform, ships_to)["listings"]


@api_routes.get("/vendors")
def api_vendors(request: Request, principal: FindingReader) -> dict[str, Any]:
    """Vendor accounts, their links across platforms (evidence, probability), findings and UNODC prices."""
    view = market_view(context(request), principal)
    return {k: view[k] for k in ("country", "vendors", "links", "findings", "series", "attribution")}


router = APIRouter()  # what `web.app` registers: the page and the API routes
router.include_router(pages)
router.include_router(api_routes)
