"""Run a function's ``app.handler`` in this process, Lambda-style, without Docker.

Used by ``twin invoke`` and the tests. Lambda imports every ``functions/<fn>/app.py`` as a
top-level module called ``app``; loading them by file path under distinct names
(``twin_fn_<fn>``) lets several live in one process without colliding.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from twin.errors import InvalidRequest, NotFound

FUNCTIONS = ("ingest", "chat", "cleanup", "migrate")
# Mirrors template.yaml, so a local run has the same time budget as the deployed function.
TIMEOUTS_S = {"ingest": 120, "chat": 30, "cleanup": 300, "migrate": 600}
REGION = "us-east-1"
ACCOUNT = "123456789012"

Handler = Callable[[Any, Any], Any]


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str = "digital-twin-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = ""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""
    timeout_s: float = 30.0
    started_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"
        if not self.log_group_name:
            self.log_group_name = f"/aws/lambda/{self.function_name}"
        if not self.log_stream_name:
            self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started_at
        return max(int((self.timeout_s - elapsed) * 1000), 0)

    @classmethod
    def for_function(cls, function: str, **overrides: Any) -> LambdaContext:
        values: dict[str, Any] = {"function_name": f"digital-twin-{function}",
                                  "timeout_s": float(TIMEOUTS_S.get(function, 30))}
        values.update(overrides)
        return cls(**values)


def functions_dir() -> Path:
    """``TWIN_FUNCTIONS_DIR``, else the repo's functions/ (this file is shared/twin/...)."""
    override = os.environ.get("TWIN_FUNCTIONS_DIR")
    if override:
        return Path(override)
    import twin

    return Path(twin.__file__).resolve().parents[2] / "functions"


def module_name(function: str) -> str:
    return f"twin_fn_{function}"


def load_function(function: str, *, fresh: bool = False) -> ModuleType:
    """Import ``functions/<function>/app.py``; cached in sys.modules unless ``fresh``.

    ``fresh`` re-runs the module's top level (a new cold start), for tests that change the
    environment the module reads at import.
    """
    if function not in FUNCTIONS:
        raise InvalidRequest(f"unknown function {function!r}; expected one of {', '.join(FUNCTIONS)}")
    name = module_name(function)
    if not fresh and name in sys.modules:
        return sys.modules[name]
    path = functions_dir() / function / "app.py"
    if not path.is_file():
        raise NotFound(f"{path} not found (set TWIN_FUNCTIONS_DIR to the repo's functions/ directory)")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidRequest(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def load_handler(function: str, *, fresh: bool = False) -> Handler:
    handler = getattr(load_function(function, fresh=fresh), "handler", None)
    if not callable(handler):
        raise InvalidRequest(f"functions/{function}/app.py has no callable 'handler'")
    return handler  # type: ignore[no-any-return]


def load_event(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise NotFound(f"event file not found: {path}") from e
    except json.JSONDecodeError as e:
        raise InvalidRequest(f"{path} is not valid JSON: {e}") from e


HTTP_FUNCTIONS = ("ingest", "chat")


def check_event(function: str, event: Any) -> None:
    """Refuse, with a reason, what Lambda would never hand this function: a file that is not an
    event, or an HTTP event whose base64 body does not decode (Mangum would raise on either)."""
    if not isinstance(event, dict):
        raise InvalidRequest(f"the event must be a JSON object, got {type(event).__name__}", code="invalid_event")
    if function not in HTTP_FUNCTIONS:
        return
    http_v2 = event.get("version") == "2.0" and isinstance((event.get("requestContext") or {}).get("http"), dict)
    rest_v1 = isinstance(event.get("httpMethod"), str) and "requestContext" in event
    if not (http_v2 or rest_v1):
        raise InvalidRequest(f"this is not an API Gateway event for {function!r}: it needs an HTTP API (version "
                             "2.0, requestContext.http) or REST API (httpMethod, requestContext) shape; see events/",
                             code="invalid_event")
    body = event.get("body")
    if event.get("isBase64Encoded") and body is not None:
        try:
            base64.b64decode(str(body), validate=True)
        except (binascii.Error, ValueError) as e:
            raise InvalidRequest("the event says isBase64Encoded but its body is not valid base64",
                                 code="invalid_event") from e


def invoke(function: str, event: Any, *, context: LambdaContext | None = None, fresh: bool = False) -> Any:
    """Call the function's handler once, as Lambda would; returns what the handler returns."""
    check_event(function, event)
    handler = load_handler(function, fresh=fresh)
    return handler(event, context or LambdaContext.for_function(function))


__all__ = ["FUNCTIONS", "HTTP_FUNCTIONS", "TIMEOUTS_S", "LambdaContext", "check_event", "functions_dir", "invoke",
           "load_event", "load_function", "load_handler", "module_name"]
