"""What a Lambda handler may load at import time: the one list the tests and bench/coldstart.py read.

Importing ``functions/<fn>/app.py`` is the init phase every cold start pays before its first
request. These libraries are either heavy (measured on the dev machines: openai ~1 s with
openai 3.x, boto3 ~200-300 ms, numpy ~80-150 ms through pgvector) or only needed on some
paths (PDF uploads, bulk vector writes, the local server, X-Ray when tracing is on), so they
are imported where they are used, never at module scope of anything a handler imports.
"""

from __future__ import annotations

# Top-level package names; a submodule (``openai.types``) counts as its package.
NOT_AT_HANDLER_IMPORT: tuple[str, ...] = (
    "openai",         # chat: built lazily; only a cache miss calls the model
    "numpy",          # comes with pgvector.psycopg; only bulk COPY registers vector types
    "pgvector",
    "aws_xray_sdk",   # Powertools Tracer is created on the first invocation (twin.aws.tracing)
    "pypdf",          # ingest: PDF loader only
    "uvicorn",        # local server only
    "boto3",          # secrets/parameters and the migrate function's stack check, on first use
)

# What a handler importing its whole stack eagerly would pay (bench/coldstart.py's naive side).
NAIVE_STACK: tuple[str, ...] = (
    "fastapi", "mangum", "psycopg", "psycopg_pool", "pgvector.psycopg", "openai", "aws_lambda_powertools",
)


def forbidden_loaded(module_names: object) -> list[str]:
    """The packages of ``NOT_AT_HANDLER_IMPORT`` present among ``module_names`` (e.g. sys.modules)."""
    roots = {str(name).split(".", 1)[0] for name in module_names}  # type: ignore[attr-defined]
    return sorted(set(NOT_AT_HANDLER_IMPORT) & roots)
