"""Importing a handler (the init every cold start pays) must not load the libraries it defers.

The list lives in twin.aws.import_rules (bench/coldstart.py reads it too); each handler is
imported in a fresh interpreter, as Lambda does, and sys.modules is checked afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from twin.aws.import_rules import NOT_AT_HANDLER_IMPORT, forbidden_loaded

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import app
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_import(function: str, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "TWIN_", "POWERTOOLS_"))}
    clean.update({"POWERTOOLS_METRICS_NAMESPACE": "Tests", "POWERTOOLS_TRACE_DISABLED": "1",
                  "AWS_DEFAULT_REGION": "us-east-1", **env})
    proc = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "functions" / function), str(ROOT / "shared")],
                          env=clean, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("function", ["chat", "ingest", "cleanup", "migrate"])
def test_importing_a_handler_does_not_load_deferred_libraries(function: str) -> None:
    # An OpenAI key configured (the chat path then *could* build a client) and warm-up off.
    loaded = _modules_after_import(function, OPENAI_API_KEY="sk-test", TWIN_WARMUP="0")
    assert "app" in loaded
    assert forbidden_loaded(loaded) == []


def test_the_deferred_list_names_the_heavy_libraries() -> None:
    assert {"openai", "numpy", "pgvector", "aws_xray_sdk", "pypdf", "uvicorn", "boto3"} <= set(NOT_AT_HANDLER_IMPORT)
    assert forbidden_loaded(["openai.types.chat", "json"]) == ["openai"]


GC_PROBE = """
import gc, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import app
print(json.dumps({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize("function", ["chat", "ingest"])
def test_an_http_function_ends_its_init_with_the_collector_on_and_its_init_objects_frozen(function: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "TWIN_", "POWERTOOLS_"))}
    clean.update({"POWERTOOLS_METRICS_NAMESPACE": "Tests", "POWERTOOLS_TRACE_DISABLED": "1",
                  "AWS_DEFAULT_REGION": "us-east-1"})
    proc = subprocess.run([sys.executable, "-c", GC_PROBE, str(ROOT / "functions" / function), str(ROOT / "shared")],
                          env=clean, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert state["enabled"] is True
    # FastAPI, pydantic and psycopg alone leave tens of thousands of objects behind.
    assert state["frozen"] > 20_000
