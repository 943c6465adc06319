"""Child process of bench/coldstart.py: a Lambda-style cold start of the chat function.

    python bench/_coldstart_child.py EVENT.json

Puts shared/ (the layer) and functions/chat/ on sys.path as Lambda does, imports ``app``,
answers one event, checks the response and prints one JSON line. The parent times the whole
process from outside; the in-process figure printed here is for information only.
"""

import time

_T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions" / "chat"), str(ROOT / "shared")]

import app  # noqa: E402

_T_IMPORTED = time.perf_counter()

from twin.aws.local_invoke import LambdaContext  # noqa: E402

event = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
response = app.handler(event, LambdaContext.for_function("chat"))
_T_ANSWERED = time.perf_counter()
_WALL_ANSWERED = time.time()  # the parent compares it with its wall clock at spawn

body = json.loads(response.get("body") or "null")
ok = response.get("statusCode") == 200 and isinstance(body, dict) and bool(body.get("answer"))
print(json.dumps({
    "ok": ok, "status": response.get("statusCode"), "mode": (body or {}).get("mode"),
    "cached": (body or {}).get("cached"), "sources": len((body or {}).get("sources") or []),
    "import_ms": (_T_IMPORTED - _T0) * 1e3, "in_process_ms": (_T_ANSWERED - _T0) * 1e3,
    "answered_wall": _WALL_ANSWERED,
    "error": None if ok else body,
}))
sys.exit(0 if ok else 1)
