"""Password hashing with argon2id."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): safe, and ~20 ms per hash on one core
# (ops/bench/sign_in.py measures it).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# argon2 releases the GIL: checks run beside the event loop instead of stalling every other
# request of the worker for ~20 ms. One thread per core: more would only queue for the CPU
# (and hold 19 MiB each).
_THREADS = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


async def make_password_hash(password: str) -> str:
    """hash_password, off the event loop (for request handlers and services)."""
    return await asyncio.get_running_loop().run_in_executor(_THREADS, hash_password, password)


async def check_password(password_hash: str, password: str) -> bool:
    """verify_password, off the event loop (for request handlers and services)."""
    return await asyncio.get_running_loop().run_in_executor(
        _THREADS, verify_password, password_hash, password
    )
