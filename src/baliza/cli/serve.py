"""`baliza serve`: the REST API and the dashboard over the warehouse."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from baliza.cli.options import DbOption
from baliza.cli.output import console, fail
from baliza.i18n import gettext as _
from baliza.warehouse.store import resolve_db_path


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    secure_cookies: Annotated[bool, typer.Option(help="Mark cookies Secure (behind HTTPS).")] = False,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes answering on the one port (one per core uses every core).")] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the dashboard. Users come from `baliza user add`.

    With `--workers N`, N processes answer on the same port. Each reads the same warehouse, state store
    and stored results: sessions, tokens, rate limits' sign-in failures, grants and the audit chain live in
    the state store, and a load's results are computed by one process and read back by the others.
    """
    import uvicorn

    from baliza.web.app import SERVE_DB, SERVE_SECURE_COOKIES, create_app
    from baliza.web.observability import configure_json_logs

    path = resolve_db_path(db)
    if not path.exists():
        fail(_("no warehouse at %(path)s: load a dataset first (baliza load DIR --db %(path)s)", path=path))
    configure_json_logs()  # one JSON line per request and per event, with request ids, on stderr
    console.print(_("Baliza serving %(path)s on http://%(host)s:%(port)s (API docs at /docs)", path=path, host=host,
                    port=port), highlight=False, soft_wrap=True)
    # X-Forwarded-For is read by the application, from BALIZA_TRUSTED_PROXIES only (web.settings)
    options = {"host": host, "port": port, "log_level": "warning", "proxy_headers": False, "access_log": False,
               "log_config": None}
    if workers > 1:  # each worker process makes its application from these (`web.app.served_app`)
        os.environ[SERVE_DB], os.environ[SERVE_SECURE_COOKIES] = str(path.resolve()), "1" if secure_cookies else ""
        uvicorn.run("baliza.web.app:served_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
        return
    app = create_app(path, secure_cookies=secure_cookies, precompute=True)
    app.state.baliza.warm_up()  # the results of the warehouse as it is, computed while serving
    try:
        uvicorn.run(app, **options)  # type: ignore[arg-type]
    finally:
        app.state.baliza.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
