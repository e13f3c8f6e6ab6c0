"""The FastAPI application: REST API under /api, dashboard pages, sign-in, OpenAPI at /docs.

Swagger UI's script and stylesheet come from the `swagger-ui-bundle` package when it is installed;
otherwise /docs is off and the schema stays at /openapi.json. Nothing is fetched from a CDN.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from baliza import __version__
from baliza.access.state import open_state, state_url_for
from baliza.warehouse.store import open_warehouse, resolve_db_path
from baliza.web import api, explorer, pages, requests, signin
from baliza.web.context import ServingContext
from baliza.web.security import NotSignedIn
from baliza.web.templates import render

STATIC = Path(__file__).parent / "static"
WORKER_THREADS = int(os.environ.get("BALIZA_WORKER_THREADS", "6"))


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
               secure_cookies: bool = False) -> FastAPI:
    """The application serving the warehouse at `db` (see `resolve_db_path`) with its state store.

    The caller closes `app.state.baliza` when done (`baliza serve` does after the server stops).
    """
    db_path = resolve_db_path(db)
    ctx = ServingContext(open_warehouse(db_path, read_only=True), open_state(state_url or state_url_for(db_path)),
                         secure_cookies=secure_cookies)
    swagger = _swagger_assets()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # A few worker threads keep both cores busy (DuckDB works outside the GIL); forty (the default)
        # only fight over the GIL and starve the event loop that sends the answers.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Baliza", version=__version__,
        description="Follow every seizure from entry point to verdict to recovered asset. Every route needs a "
                    "signed-in session or a bearer token (`baliza token add USER`), and a role that allows it.",
        docs_url=None, redoc_url=None,
    )
    app.state.baliza = ctx
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if swagger is not None:
        app.mount("/docs-assets", StaticFiles(directory=swagger), name="docs-assets")

        @app.get("/docs", include_in_schema=False)
        def docs() -> HTMLResponse:
            from fastapi.openapi.docs import get_swagger_ui_html

            return get_swagger_ui_html(openapi_url="/openapi.json", title="Baliza API",
                                       swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                       swagger_css_url="/docs-assets/swagger-ui.css",
                                       swagger_favicon_url="/docs-assets/favicon-32x32.png")

    app.include_router(signin.router)
    app.include_router(api.router)
    app.include_router(explorer.router)  # before pages: its /chain replaces pages.chain_search
    app.include_router(pages.router)
    for router in requests.routers:
        app.include_router(router)

    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in or send a bearer token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")  # a link keeps its query
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    def refused(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:  # name every method the path answers, not just the first route's
            return JSONResponse({"detail": exc.detail}, status_code=405,
                                headers={"Allow": ", ".join(_allowed_methods(app, request))})
        if request.url.path.startswith("/api/") or request.url.path.startswith("/openapi"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                      status_code=exc.status_code)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/docs"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'")
        return response

    return app
