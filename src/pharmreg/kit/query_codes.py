"""Query codes (查询码): the random codes a person keeps to follow a consultation, a complaint
or an account dispute without an account. Only their hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed back
LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-－—]")


def new_query_code() -> str:
    """A random code of 16 characters (about 79 bits), grouped by four for reading."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise_code(code: str) -> str:
    """Spaces and dashes (half or full width) dropped, letters upper case."""
    return _SEPARATORS.sub("", code).upper()


def plausible_code(code: str) -> bool:
    """Whether what was typed can be a query code at all."""
    normal = normalise_code(code)
    return len(normal) == LENGTH and all(c in ALPHABET for c in normal)


def code_hash(code: str) -> str:
    """What is stored of a query code: its hash, so a copy of the database reveals no code."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()
