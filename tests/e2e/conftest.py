"""The browser tests' shared machinery: uvicorn serving the app on a loopback port, Debian's
chromium driven by Playwright with every console error, script error, failed load and dialog
recorded on ``page.problems``, and the sign-in form.

Each test module says which store the app serves by defining ``app_engine`` (after loading what
its test needs)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chartwell.api.app import create_app
from integration.records_fixture import PASSWORD
from support import unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(app_engine) -> Iterator[str]:
    """uvicorn serving the app in a thread of this process, over the module's ``app_engine``."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(engine=app_engine), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False, lifespan="off")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server):
    if not CHROMIUM.exists():
        unavailable("Debian chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
        page = context.new_page()
        # console errors (a CSP refusal shows here), script errors, failed loads, any dialog
        page.problems = []
        page.on("console", lambda message: message.type == "error"
                and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
        page.on("dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"),
                                          dialog.dismiss()))
        yield page
        context.close()
        browser.close()


@pytest.fixture
def sign_in(page) -> Callable[[str, str], None]:
    """``sign_in(username, path)``: open ``path``, be sent to the sign-in form, sign in with the
    test password and land back on ``path``."""

    def sign_in_at(username: str, path: str) -> None:
        page.goto(path)
        assert urlparse(page.url).path.endswith("/login"), page.url
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"**{path}")

    return sign_in_at
