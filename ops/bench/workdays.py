"""Benchmark: `WorkCalendar.add_working_days(start, 20)` as a deadline sweep over ~20,000 open cases uses it.

Measures, for 20,000 random start dates in 2024-2026 (some counts run into 2027, uncovered, so the
provisional path is included): the median time of a single call, the first sweep of a fresh
process (year tables built on first use) and the median of later sweeps. No database needed.

Run: .venv/bin/python ops/bench/workdays.py
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from pharmreg.kit.workdays import WorkCalendar

STARTS = 20_000
ROUNDS = 7


def main() -> None:
    rng = random.Random(1)
    first = date(2024, 1, 1)
    span = (date(2026, 12, 31) - first).days + 1
    starts = [first + timedelta(rng.randrange(span)) for _ in range(STARTS)]
    overrides = {date(2026, 10, 9): False, date(2027, 1, 1): False}

    calendar = WorkCalendar(overrides)
    started = time.perf_counter()
    for start in starts:
        calendar.add_working_days(start, 20)
    cold = time.perf_counter() - started

    sweeps = []
    for _ in range(ROUNDS):
        calendar = WorkCalendar(overrides)  # per-calendar tables rebuilt; official ones stay cached
        started = time.perf_counter()
        for start in starts:
            calendar.add_working_days(start, 20)
        sweeps.append(time.perf_counter() - started)

    per_call = []
    clock = time.perf_counter_ns
    for start in starts:
        before = clock()
        calendar.add_working_days(start, 20)
        per_call.append(clock() - before)

    provisional = sum(calendar.add_working_days(start, 20).provisional for start in starts)
    print(f"add_working_days(start, 20), {STARTS} starts in 2024-2026 ({provisional} provisional)")
    print(f"single call                        median {statistics.median(per_call) / 1000:8.2f} µs")
    print(f"first sweep in a fresh process            {cold * 1000:8.1f} ms")
    print(f"sweep with a new calendar          median {statistics.median(sweeps) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
