"""`python -m workers`: the worker process (see workers/main.py)."""

from workers.main import run

run()
