"""`baliza serve`: the REST API and the dashboard over the warehouse."""

from __future__ import annotations

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
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the dashboard. Users come from `baliza user add`."""
    import uvicorn

    from baliza.web.app import create_app
    from baliza.web.observability import configure_json_logs

    path = resolve_db_path(db)
    if not path.exists():
        fail(_("no warehouse at %(path)s: load a dataset first (baliza load DIR --db %(path)s)", path=path))
    configure_json_logs()  # one JSON line per request and per event, with request ids, on stderr
    app = create_app(path, secure_cookies=secure_cookies, precompute=True)
    app.state.baliza.warm_up()  # the results of the warehouse as it is, computed while serving
    console.print(_("Baliza serving %(path)s on http://%(host)s:%(port)s (API docs at /docs)", path=path, host=host,
                    port=port), highlight=False, soft_wrap=True)
    try:
        # X-Forwarded-For is read by the application, from BALIZA_TRUSTED_PROXIES only (web.settings)
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False,
                    access_log=False, log_config=None)
    finally:
        app.state.baliza.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
