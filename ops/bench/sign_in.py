"""Benchmark: sign-in throughput, and what sign-ins do to everyone else's requests.

Starts `pharmreg serve` (2 workers) on the development data, then for --seconds runs
--users concurrent browsers that each open the office sign-in page and sign in (the password
check is argon2id, time cost 2, memory 19 MiB, 1 lane), while one probe asks /health every
20 ms. Prints sign-ins per second, sign-in latency, and the probe's latency during the load.

Run from the project root after `ops/run` (or `pharmreg setup --demo`) loaded the demo data:
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/sign_in.py [--users 8] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from pharmreg.identity.passwords import hash_password, verify_password

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "var" / "bench-sign-in.log"
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
LOGINS = [
    "gd.accept",
    "gd.review",
    "gd.decide",
    "js.accept",
    "js.review",
    "sc.accept",
    "sc.review",
    "bj.accept",
]


def ms(values: list[float]) -> str:
    ordered = sorted(v * 1000 for v in values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered):7.1f} ms   p99 {p99:7.1f} ms   (n={len(ordered)})"


async def browser(
    base: str, login: str, deadline: float, latencies: list[float], failures: list[int]
) -> None:
    slug = login.split(".")[0]
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.monotonic() < deadline:
            http.cookies.clear()  # a new visitor each time (a new client would cost more than the server)
            page = await http.get(f"/p/{slug}/office/login")
            token = TOKEN.search(page.text)
            assert token, page.text[:300]
            started = time.monotonic()
            response = await http.post(
                f"/p/{slug}/office/login",
                data={"login": login, "password": "Pharmreg#2026", "_csrf_token": token.group(1)},
            )
            if response.status_code == 303:
                latencies.append(time.monotonic() - started)
            else:
                failures.append(response.status_code)


async def probe(base: str, deadline: float, latencies: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.monotonic() < deadline:
            started = time.monotonic()
            await http.get("/health")
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.02)


async def wait_until_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as http:
        for _ in range(200):
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    sys.exit(f"the server did not start: see {LOG}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--port", type=int, default=8078)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit('DATABASE_URL is not set: run `eval "$(.venv/bin/python ops/stack.py env)"` first')

    hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    stored = hash_password("Pharmreg#2026")
    assert hasher.check_needs_rehash(stored) is False  # the parameters stated above are the ones in use
    single = []
    for _ in range(20):
        started = time.perf_counter()
        verify_password(stored, "Pharmreg#2026")
        single.append(time.perf_counter() - started)

    base = f"http://127.0.0.1:{args.port}"
    LOG.parent.mkdir(exist_ok=True)
    with LOG.open("w") as log:
        server = await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / "pharmreg"),
            *("serve", "--port", str(args.port), "--workers", "2"),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ | {"PHARMREG_LOG_LEVEL": "WARNING"},
        )
    try:
        await wait_until_up(base)
        idle: list[float] = []
        await probe(base, time.monotonic() + 3, idle)
        latencies: list[float] = []
        failures: list[int] = []
        loaded: list[float] = []
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        await asyncio.gather(
            probe(base, deadline, loaded),
            *[
                browser(base, LOGINS[i % len(LOGINS)], deadline, latencies, failures)
                for i in range(args.users)
            ],
        )
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 10)

    print("argon2id: time cost 2, memory 19 MiB, parallelism 1 (OWASP minimum)")
    print(f"one password check, in process                    {ms(single)}")
    print(
        f"sign-ins per second, {args.users} browsers, 2 workers      {len(latencies) / elapsed:7.1f} /s"
        f"   ({len(latencies)} in {elapsed:.1f} s, {len(failures)} refused)"
    )
    print(f"sign-in POST latency                               {ms(latencies)}")
    print(f"/health while idle                                 {ms(idle)}")
    print(f"/health during the sign-ins                        {ms(loaded)}")


if __name__ == "__main__":
    asyncio.run(main())
