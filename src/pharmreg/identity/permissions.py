"""Which permissions each post (岗位) grants, read from policies/permissions.csv."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from pharmreg.identity.positions import Position


class PostPermissions:
    def __init__(self, rows: Iterable[tuple[str, str]]) -> None:
        self._by_post: dict[str, set[str]] = {}
        for post, permission in rows:
            Position(post)  # a typo in the file must fail loudly at start-up
            self._by_post.setdefault(post, set()).add(permission)

    @classmethod
    def from_file(cls, path: Path) -> PostPermissions:
        with path.open(encoding="utf-8", newline="") as handle:
            return cls((row["position"].strip(), row["permission"].strip()) for row in csv.DictReader(handle))

    def of(self, posts: Iterable[str]) -> frozenset[str]:
        return frozenset(p for post in posts for p in self._by_post.get(post, ()))

    def posts_granting(self, permission: str) -> frozenset[str]:
        """The posts whose holders have `permission`."""
        return frozenset(post for post, granted in self._by_post.items() if permission in granted)
