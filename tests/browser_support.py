"""What the browser tests share: Debian's Chromium through Playwright, and an app served on loopback.

Tests that use it skip when Playwright or /usr/bin/chromium is missing (CI installs both).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from web_world import PASSWORD, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update"]
needs_chromium = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="no Chromium (apt-get install chromium)")


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.baliza.close()


@contextmanager
def chromium_browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser: Any, base_url: str, username: str, then: str = "/chain", *, password: str = PASSWORD,
                   **context: Any) -> Any:
    """A page in a fresh browser context (`context`: Playwright's options, e.g. `locale`) signed in through the
    form as `username`: it asks for `then`, is sent to the form since it is not signed in, and the form sends
    it on to `then`."""
    page = browser.new_context(**context).new_page()
    page.set_default_timeout(120_000)  # a page computes its analyses on first use: slow on a busy machine
    page.goto(base_url + then)
    assert "/login" in page.url  # not signed in: sent to the form
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url
    return page
