"""Which region an IPv4 address belongs to, from a sorted file of ranges (offline, in memory)."""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from pathlib import Path


class IpRanges:
    """Sorted, non-overlapping [first, last] ranges with a value each; look-ups by binary search."""

    def __init__(self, ranges: list[tuple[int, int, str]]) -> None:
        ranges.sort()
        self._firsts = [r[0] for r in ranges]
        self._lasts = [r[1] for r in ranges]
        self._values = [r[2] for r in ranges]

    @classmethod
    def load(cls, path: Path) -> IpRanges:
        ranges = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                first, last, value = line.split("\t")
                ranges.append((int(first, 16), int(last, 16), value))
        return cls(ranges)

    def __len__(self) -> int:
        return len(self._values)

    def lookup(self, address: str | None) -> str | None:
        """The value of the range holding the address; None for unknown, private or IPv6 addresses."""
        try:
            ip = ipaddress.ip_address((address or "").strip())
        except ValueError:
            return None
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is None:
                return None
            ip = ip.ipv4_mapped
        number = int(ip)
        index = bisect_right(self._firsts, number) - 1
        if index >= 0 and number <= self._lasts[index]:
            return self._values[index]
        return None
