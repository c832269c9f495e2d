"""X-Forwarded-For is believed only from proxies named in PHARMREG_TRUSTED_PROXIES (none by
default): a client that rotates the header keeps its own address for every limit."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from pharmreg.cli.server import UVICORN_OPTIONS
from pharmreg.settings import Settings
from pharmreg.web import create_app
from pharmreg.web.proxies import TrustedProxies

NONE = TrustedProxies()
EDGE = TrustedProxies(["10.0.0.5", "10.1.0.0/24"])


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "client"),
    [
        # No proxy trusted: the header is never read, whatever it says.
        (NONE, "203.0.113.9", ["1.2.3.4"], "203.0.113.9"),
        (NONE, "127.0.0.1", ["1.2.3.4"], "127.0.0.1"),
        # A header sent straight to the server by a client is ignored.
        (EDGE, "203.0.113.9", ["1.2.3.4"], "203.0.113.9"),
        # Through the trusted proxy: the address it saw.
        (EDGE, "10.0.0.5", ["198.51.100.7"], "198.51.100.7"),
        # A client forging hops to the left of what the proxy appended gains nothing.
        (EDGE, "10.0.0.5", ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),
        (EDGE, "10.0.0.5", ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
        # Two trusted proxies in a row: the hop before the first of them.
        (EDGE, "10.0.0.5", ["6.6.6.6, 198.51.100.7, 10.1.0.20"], "198.51.100.7"),
        # Ports and IPv6 as proxies write them.
        (EDGE, "10.0.0.5", ["198.51.100.7:5123"], "198.51.100.7"),
        (EDGE, "10.0.0.5", ["[2001:db8::1]:443"], "2001:db8::1"),
        # An unreadable hop stops the walk at the last proxy known.
        (EDGE, "10.0.0.5", ["unknown"], "10.0.0.5"),
        (EDGE, "10.0.0.5", ["198.51.100.7, garbage, 10.1.0.20"], "10.1.0.20"),
        # Only trusted hops: the farthest of them.
        (EDGE, "10.0.0.5", ["10.1.0.20"], "10.1.0.20"),
        (EDGE, "10.0.0.5", [], "10.0.0.5"),
    ],
)
def test_the_client_address_behind_proxies(proxies, peer, forwarded, client) -> None:
    assert proxies.client(peer, forwarded) == client


def test_the_scheme_comes_from_a_trusted_proxy_only() -> None:
    assert EDGE.scheme("10.0.0.5", ["https"], "http") == "https"
    assert EDGE.scheme("203.0.113.9", ["https"], "http") == "http"
    assert NONE.scheme("10.0.0.5", ["https"], "http") == "http"
    assert EDGE.scheme("10.0.0.5", ["javascript"], "http") == "http"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The app under uvicorn exactly as `pharmreg serve` runs it, reached from 127.0.0.1."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(15)


async def _verify_answers(base: str, forwarded: list[str]) -> list[int]:
    """Status of each certificate check, each sent with its own X-Forwarded-For (if any)."""
    async with httpx.AsyncClient(base_url=base) as http:
        return [
            (
                await http.get(
                    "/api/v1/verify/",
                    params={"certificate_no": "NOPE", "name": "某人"},
                    headers={"x-forwarded-for": hop} if hop else {},
                )
            ).status_code
            for hop in forwarded
        ]


async def test_a_rotated_header_from_an_untrusted_peer_does_not_reset_the_limit(settings, platform) -> None:
    # uvicorn would believe 127.0.0.1 by default; the application believes no one.
    with served(settings) as base:
        answers = await _verify_answers(base, [f"198.51.100.{n}" for n in range(22)])
    assert answers[0] == 404 and answers[-1] == 429  # the limit of 20 per minute held


async def test_a_configured_proxy_is_honoured(settings, platform) -> None:
    behind_proxy = Settings.from_env(
        {},
        **{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "trusted_proxies": ["127.0.0.1"]},
    )
    with served(behind_proxy) as base:
        # Each client the proxy names has its own limit...
        rotated = await _verify_answers(base, [f"198.51.100.{n}" for n in range(22)])
        # ...and one client stays one client, however the proxy is reached.
        same = await _verify_answers(base, ["203.0.113.50"] * 21)
    assert 429 not in rotated
    assert same[0] == 404 and same[-1] == 429
