#!/usr/bin/env bash
# Creates ./.venv from a system Python 3.11/3.12 and installs the locked dependencies.
# Re-running is cheap: nothing is reinstalled unless requirements.lock or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for candidate in python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  python=$(pick_python) || {
    echo "pharmreg needs Python 3.11 or 3.12 (spyne does not run on 3.13); install one and retry." >&2
    exit 1
  }
  echo "[bootstrap] creating .venv with $($python --version)"
  "$python" -m venv .venv
fi

# pip warns about every configured find-links directory that does not exist; those warnings
# say nothing about this install, so only they are dropped and every other message is shown.
pip_install() {
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

stamp=".venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "[bootstrap] installing locked dependencies (requirements.lock)"
  pip_install --upgrade pip
  pip_install --require-hashes -r requirements.lock
  pip_install --no-deps --no-build-isolation -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi
