"""Child process of bench/coldstart.py: a Lambda-style cold start of the chat function.

    python bench/_coldstart_child.py EVENT.json

Puts shared/ (the layer) and functions/chat/ on sys.path as Lambda does, imports ``app``,
answers one event, checks the response and prints one JSON line. The parent times the whole
process from outside; the in-process figures printed here are for information only.

Environment switches (set by the parent):
  TWIN_BENCH_MODULES=FILE  write the source files of every loaded module to FILE (one per line),
                           for compiling them before the timed runs;
  TWIN_BENCH_MODULE_NAMES=FILE  write the names of every loaded module to FILE, for the library floor;
  TWIN_BENCH_PHASES=1      time each connect, statement and HTTP request (model calls) and report
                           them; this imports psycopg and httpx first to wrap them, so it is only
                           used for the one diagnostic run, never for the timed ones.
"""

import time

_T0 = time.perf_counter()
_WALL0 = time.time()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions" / "chat"), str(ROOT / "shared")]

PHASES: list[dict[str, Any]] = []


def _record(kind: str, what: str, started: float) -> None:
    PHASES.append({"kind": kind, "what": what, "thread": threading.current_thread().name,
                   "at_ms": round((started - _T0) * 1e3, 1), "ms": round((time.perf_counter() - started) * 1e3, 2)})


def _timed_send(send: Any) -> Any:
    def timed_send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return send(self, request, *args, **kwargs)
        finally:
            _record("model_call", f"{request.method} {request.url.path}", t)

    return timed_send


def _wrap_io() -> None:
    import importlib

    import psycopg

    connect = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]

    def timed_connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return connect(cls, *args, **kwargs)
        finally:
            _record("connect", "psycopg.connect", t)

    psycopg.Connection.connect = classmethod(timed_connect)  # type: ignore[assignment,method-assign]
    psycopg.connect = psycopg.Connection.connect  # the module alias is bound at import
    execute = psycopg.Cursor.execute

    def timed_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(self, query, *args, **kwargs)
        finally:
            text = query if isinstance(query, str) else getattr(query, "_obj", None) or repr(query)
            _record("round_trip", " ".join(str(text).split())[:70], t)

    psycopg.Cursor.execute = timed_execute  # type: ignore[method-assign]
    for name in ("httpx", "httpx2"):  # openai 3.x sends through httpx2
        try:
            client_class = importlib.import_module(name).Client
        except ImportError:
            continue
        client_class.send = _timed_send(client_class.send)


if os.environ.get("TWIN_BENCH_PHASES") == "1":
    _wrap_io()
_T_WRAPPED = time.perf_counter()

import app  # noqa: E402

_T_IMPORTED = time.perf_counter()

from twin.aws.import_rules import forbidden_loaded  # noqa: E402
from twin.aws.local_invoke import LambdaContext  # noqa: E402

forbidden = forbidden_loaded(list(sys.modules))
event = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
response = app.handler(event, LambdaContext.for_function("chat"))
_T_ANSWERED = time.perf_counter()
_WALL_ANSWERED = time.time()  # the parent compares it with its wall clock at spawn


def _bytecode() -> dict[str, Any]:
    """How many loaded source modules had a .pyc where this interpreter looks for one."""
    with_pyc = without = 0
    missing: list[str] = []
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        origin, cached = getattr(spec, "origin", None), getattr(spec, "cached", None)
        if not origin or not str(origin).endswith(".py") or not cached:
            continue
        if os.path.exists(cached):
            with_pyc += 1
        else:
            without += 1
            missing.append(name)
    return {"modules_with_pyc": with_pyc, "modules_without_pyc": without, "without_pyc_sample": sorted(missing)[:10],
            "pycache_prefix": sys.pycache_prefix, "dont_write_bytecode": sys.dont_write_bytecode}


names_out = os.environ.get("TWIN_BENCH_MODULE_NAMES")
if names_out:
    Path(names_out).write_text("\n".join(sorted(sys.modules)) + "\n", encoding="utf-8")
modules_out = os.environ.get("TWIN_BENCH_MODULES")
if modules_out:
    files = {str(getattr(m, "__file__", "") or "") for m in list(sys.modules.values())}
    Path(modules_out).write_text("\n".join(sorted(f for f in files if f.endswith(".py"))) + "\n", encoding="utf-8")

body = json.loads(response.get("body") or "null")
ok = response.get("statusCode") == 200 and isinstance(body, dict) and bool(body.get("answer"))
print(json.dumps({
    "ok": ok, "status": response.get("statusCode"), "mode": (body or {}).get("mode"),
    "cached": (body or {}).get("cached"), "sources": len((body or {}).get("sources") or []),
    "import_ms": (_T_IMPORTED - _T_WRAPPED) * 1e3, "in_process_ms": (_T_ANSWERED - _T0) * 1e3,
    "handler_ms": (_T_ANSWERED - _T_IMPORTED) * 1e3,
    "started_wall": _WALL0, "answered_wall": _WALL_ANSWERED,
    "forbidden_at_import": forbidden, "bytecode": _bytecode(),
    "phases": PHASES if os.environ.get("TWIN_BENCH_PHASES") == "1" else None,
    "error": None if ok else body,
}))
sys.exit(0 if ok else 1)
