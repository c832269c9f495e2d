"""Which address a request comes from: the connecting peer, or, behind a reverse proxy named in
PHARMREG_TRUSTED_PROXIES, the client that proxy reports in X-Forwarded-For.

The application applies the headers itself (the server's own proxy handling is off), so the
address every rate limit, captcha gate and audit entry sees is the same under any server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    """An address as proxies write it: bare, IPv4 with a port, or bracketed IPv6 with a port."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    """The proxies whose forwarded headers are believed; none by default."""

    def __init__(self, networks: Iterable[str] = ()) -> None:
        self._networks: tuple[Network, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in networks)

    def __bool__(self) -> bool:
        return bool(self._networks)

    def trusts(self, address: Address | None) -> bool:
        return address is not None and any(address in network for network in self._networks)

    def client(self, peer: str | None, forwarded_for: Sequence[str]) -> str | None:
        """The client's address: the nearest X-Forwarded-For hop that no trusted proxy added.

        Hops are read from the right, since each proxy appends the address it saw; whatever lies
        left of the first untrusted hop was written by the client and is ignored. Without a
        trusted peer the header is not read at all.
        """
        nearest = _address(peer) if peer else None
        if not self.trusts(nearest):
            return peer
        hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break  # a hop we cannot read: stop at the last proxy we know
            nearest = address
            if not self.trusts(address):
                break
        return str(nearest)

    def scheme(self, peer: str | None, forwarded_proto: Sequence[str], current: str) -> str:
        """http or https as the nearest trusted proxy received the request."""
        if not self.trusts(_address(peer) if peer else None) or not forwarded_proto:
            return current
        value = forwarded_proto[-1].split(",")[-1].strip().lower()
        return value if value in ("http", "https") else current


class ForwardedHeadersMiddleware:
    """Sets the request's client address and scheme from a trusted proxy's forwarded headers."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and self.proxies:
            client = scope.get("client")
            peer = client[0] if client else None
            forwarded_for = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
            forwarded_proto = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-proto"]
            address = self.proxies.client(peer, forwarded_for)
            if address is not None and address != peer:
                scope["client"] = (address, 0)
            scope["scheme"] = self.proxies.scheme(peer, forwarded_proto, scope.get("scheme", "http"))
        await self.app(scope, receive, send)
