"""The FastAPI application: REST API under /api, dashboard pages, sign-in, OpenAPI at /docs.

Swagger UI's script and stylesheet come from the `swagger-ui-bundle` package when it is installed;
otherwise /docs is off and the schema stays at /openapi.json. Nothing is fetched from a CDN. Both need a
signed-in user unless `BALIZA_PUBLIC_API_DOCS=1` (see `web.settings`).

Every answer but static files is `Cache-Control: no-store` (pages and API answers carry people's and
cases' details); request bodies are bounded (both in `web.headers`); a request the schema refuses gets
422 naming the fields, not echoing what was sent; a 404 to a signed-in caller (an id outside its scope,
or guessed) is audited.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from baliza import __version__
from baliza.access.audit import entries, record
from baliza.access.state import open_state, state_url_for
from baliza.i18n.web import LanguageMiddleware
from baliza.warehouse.store import resolve_db_path
from baliza.web import (
    admin_pages,
    api,
    assets,
    crypto,
    early_warning,
    explorer,
    markets,
    operations,
    pages,
    programmes,
    public,
    requests,
    signin,
    targeting,
    upload_routes,
)
from baliza.web.context import ServingContext
from baliza.web.headers import SecurityHeaders
from baliza.web.names import FindingNames
from baliza.web.observability import Metrics, Observed
from baliza.web.security import NotSignedIn, identify, signed_in
from baliza.web.settings import WebSettings
from baliza.web.templates import render
from baliza.web.uploads import Uploads

STATIC = Path(__file__).parent / "static"
WORKER_THREADS = int(os.environ.get("BALIZA_WORKER_THREADS", "6"))
MAX_BODY_BYTES = 1_000_000  # the largest form or JSON body any route takes is a few kilobytes
UNCACHED_PREFIXES = ("/static/", "/docs-assets/")
# the paths that read one seizure, case or person, and the table their id names
ROW_PATHS = {"/api/seizures/": "seizures", "/api/cases/": "cases", "/api/persons/": "persons",
             "/chain/seizure/": "seizures", "/chain/case/": "cases", "/chain/person/": "persons"}


SERVE_DB = "BALIZA_SERVE_DB"  # what `baliza serve --workers N` hands its worker processes
SERVE_SECURE_COOKIES = "BALIZA_SERVE_SECURE_COOKIES"


def served_app() -> FastAPI:
    """One worker process's application under `baliza serve --workers N` (uvicorn calls this in each):
    the warehouse named in `BALIZA_SERVE_DB`, results computed (or read back) in the background, the
    context closed when the worker stops."""
    from baliza.web.observability import configure_json_logs

    configure_json_logs()
    app = create_app(os.environ[SERVE_DB], secure_cookies=bool(os.environ.get(SERVE_SECURE_COOKIES)),
                     precompute=True)
    app.state.close_on_stop = True
    app.state.baliza.warm_up()
    return app


def _swagger_assets() -> Path | None:
    try:
        import swagger_ui_bundle  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    methods: set[str] = set()
    for route in app.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def create_app(db: str | os.PathLike[str] | None = None, *, state_url: str | None = None,
               secure_cookies: bool = False, precompute: bool = False) -> FastAPI:
    """The application serving the warehouse at `db` (see `resolve_db_path`) with its state store.

    With `precompute`, every whole-country result is computed after each load before the new data is
    served (`web.precompute`; `baliza serve` does, and also at start); without it (tests), on request.
    The caller closes `app.state.baliza` when done (`baliza serve` does after the server stops).
    """
    db_path = resolve_db_path(db)
    settings = WebSettings.from_environment(secure_cookies)
    ctx = ServingContext(db_path, open_state(state_url or state_url_for(db_path), key_home=db_path),
                         secure_cookies=settings.secure_cookies, settings=settings,
                         precompute=_precompute if precompute else None)
    swagger = _swagger_assets()
    docs_reader = [] if settings.public_api_docs else [Depends(signed_in())]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # A few worker threads keep both cores busy (DuckDB works outside the GIL); forty (the default)
        # only fight over the GIL and starve the event loop that sends the answers.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        yield
        if getattr(_app.state, "close_on_stop", False):
            ctx.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Baliza", version=__version__,
        description="Follow every seizure from entry point to verdict to recovered asset. Every route needs a "
                    "signed-in session or a bearer token (`baliza token add USER`), and a role that allows it.",
        docs_url=None, redoc_url=None, openapi_url=None,
    )
    app.state.baliza = ctx
    app.add_middleware(FindingNames, ctx=ctx)  # findings worded with names, not ids (`web.names`)
    app.add_middleware(LanguageMiddleware)  # Accept-Language, the header's switch (?lang=), its cookie
    app.state.metrics = Metrics()
    app.add_middleware(PinnedSnapshot, ctx=ctx)
    app.add_middleware(Observed, metrics=app.state.metrics)  # outermost: times and counts every request
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if swagger is not None:
        app.mount("/docs-assets", StaticFiles(directory=swagger), name="docs-assets")

        @app.get("/docs", include_in_schema=False, dependencies=docs_reader)
        def docs() -> HTMLResponse:
            from fastapi.openapi.docs import get_swagger_ui_html

            return get_swagger_ui_html(openapi_url="/openapi.json", title="Baliza API",
                                       swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                       swagger_css_url="/docs-assets/swagger-ui.css",
                                       swagger_favicon_url="/docs-assets/favicon-32x32.png")

    @app.get("/openapi.json", include_in_schema=False, dependencies=docs_reader)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    app.include_router(signin.router)
    app.include_router(operations.router)
    app.include_router(upload_routes.router)
    app.state.uploads = Uploads(ctx, upload_routes.UPLOAD_MAX_BYTES)  # cleans what a stopped server left
    app.include_router(api.router)
    app.include_router(explorer.router)
    app.include_router(crypto.router)
    app.include_router(pages.router)
    app.include_router(targeting.router)
    app.include_router(admin_pages.router)
    app.include_router(markets.router)
    app.include_router(programmes.router)
    app.include_router(public.router)
    app.include_router(assets.router)
    app.include_router(assets.api_router)
    app.include_router(early_warning.router)
    app.include_router(early_warning.api_router)
    for router in requests.routers:
        app.include_router(router)

    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            return JSONResponse({"detail": "sign in or send a bearer token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")  # a link keeps its query
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _invalid(request, exc)

    @app.exception_handler(UnicodeError)
    def not_unicode(request: Request, _exc: UnicodeError) -> Response:
        detail = "the request holds text that is not valid Unicode (e.g. a lone surrogate \\ud800)"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": detail}, status_code=400)
        return render(request, "error.html", {"status": 400, "detail": detail}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    def refused(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            _audit_refused_read(request)
        if exc.status_code == 405:  # name every method the path answers, not just the first route's
            return JSONResponse({"detail": exc.detail}, status_code=405,
                                headers={"Allow": ", ".join(_allowed_methods(app, request))})
        if request.url.path.startswith("/api/") or request.url.path.startswith("/openapi"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if getattr(request.state, "principal", None) is None:  # no route ran: the page keeps its navigation
            request.state.principal, request.state.session = identify(request)
        return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                      status_code=exc.status_code)

    # outermost: bounds bodies and heads every answer (`web.headers`)
    app.add_middleware(SecurityHeaders, settings=settings, max_body=MAX_BODY_BYTES,
                       upload_path=upload_routes.UPLOAD_FILE_PATH, upload_max=upload_routes.UPLOAD_MAX_BYTES,
                       uncached=UNCACHED_PREFIXES)

    return app


class PinnedSnapshot:
    """Each request reads one snapshot of the warehouse from its first query to its last byte sent
    (`ServingContext.pinned`), even if a load publishes a new file meanwhile."""

    def __init__(self, app: ASGIApp, ctx: ServingContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.ctx.pinned():
            await self.app(scope, receive, send)


def _precompute(ctx: ServingContext, snapshot: Any, progress: Any) -> None:
    from baliza.web.precompute import precompute

    precompute(ctx, snapshot, progress)


def _invalid(request: Request, exc: RequestValidationError) -> Response:
    """422 naming each refused field and why, never echoing the value sent (it may be huge, or personal)."""
    problems = [{"loc": [str(part)[:60] for part in error.get("loc", ())], "msg": str(error.get("msg", ""))[:200],
                 "type": str(error.get("type", ""))} for error in list(exc.errors())[:20]]
    if request.url.path.startswith("/api/") or not request.headers.get("accept", "").startswith("text/html"):
        return JSONResponse({"detail": problems}, status_code=422)
    text = "; ".join(f"{'.'.join(p['loc'][1:]) or 'request'}: {p['msg']}" for p in problems)
    return render(request, "error.html", {"status": 422, "detail": text}, status_code=422)


def _audit_refused_read(request: Request) -> None:
    """A signed-in caller asked for a seizure, case or person it may not see, or that does not exist:
    recorded (`read_refused`, subject `seizures/ID`), since guessing ids is how one would probe another
    agency's data. Once per request: not again when the service already recorded the refusal."""
    principal = getattr(request.state, "principal", None)
    path = request.url.path
    prefix = next((p for p in ROW_PATHS if path.startswith(p)), None)
    if principal is None or request.method not in ("GET", "HEAD") or prefix is None:
        return
    row_id = path.removeprefix(prefix).removesuffix("/chain")
    subject = f"{ROW_PATHS[prefix]}/{row_id}"[:300]
    ctx = request.app.state.baliza
    last = entries(ctx.state, limit=1)
    started = getattr(request.state, "started", "")
    if last and (last[0].actor, last[0].action, last[0].subject) == (principal.username, "read_refused", subject) \
            and last[0].at >= started:
        return
    record(ctx.state, principal.username, principal.agency_id, "read_refused", subject,
           {"status": 404, "via": principal.via})
