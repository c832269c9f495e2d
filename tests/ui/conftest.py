"""A real server on a loopback port and Debian's headless Chromium, for the key UI journeys."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright

from pharmreg.settings import Settings
from pharmreg.web import create_app

# Chromium's sandbox cannot start when the tests run as root (as in a container); the other
# flags keep the browser from background traffic (updates, sync, QUIC) during the journeys.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(settings: Settings, platform) -> Iterator[str]:
    """The application served by uvicorn in a thread of its own (its own loop and pools)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        pytest.fail("the live server did not start")
    yield base
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip(
            "Debian's chromium is not installed (ops/test installs it where it can: apt-get install chromium)"
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


# Reports every Content-Security-Policy violation, and any htmx feature refused for needing eval,
# to the test (init scripts run in each new document, outside the page's policy).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__pharmregViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " (" + (e.sourceFile || location.pathname) + ":" + e.lineNumber + ")");
});
document.addEventListener("htmx:evalDisallowedError", function () {
  window.__pharmregViolation("htmx needed eval");
});
"""


@pytest.fixture
async def new_page(chromium: Browser, live_server: str):
    """Open pages in fresh browser contexts (own cookies), closed after the test; the test fails
    if any page broke the Content-Security-Policy."""
    contexts = []
    violations: list[str] = []

    async def report(source, text: str) -> None:
        violations.append(f"{source['page'].url}: {text}")

    async def make():
        context = await chromium.new_context(base_url=live_server, locale="zh-CN")
        context.set_default_timeout(15_000)
        await context.expose_binding("__pharmregViolation", report)
        await context.add_init_script(_REPORT_VIOLATIONS)
        contexts.append(context)
        page = await context.new_page()
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        await context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
