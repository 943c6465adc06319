"""X-Ray tracing for handlers, paid for only when tracing is on.

Creating a Powertools ``Tracer`` imports the X-Ray SDK and botocore (~450 ms measured here)
even when ``POWERTOOLS_TRACE_DISABLED`` is set; on a cold start that is a third of the
budget. So the tracer is created on the first invocation, and only when tracing can
actually record something (inside Lambda, not disabled).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")

_TRUE = {"1", "true", "yes", "on"}


def tracing_enabled() -> bool:
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in _TRUE:
        return False
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and not os.environ.get("AWS_SAM_LOCAL")


def capture_lambda_handler(handler: Callable[[Any, Any], R]) -> Callable[[Any, Any], R]:
    """Like ``Tracer().capture_lambda_handler`` (without recording responses, which may
    contain personal data), with the tracer created lazily."""
    traced: Callable[[Any, Any], R] | None = None

    @functools.wraps(handler)
    def wrapper(event: Any, context: Any) -> R:
        nonlocal traced
        if traced is None:
            if tracing_enabled():
                from twin.aws.observability import get_tracer

                traced = get_tracer().capture_lambda_handler(handler, capture_response=False)
            else:
                traced = handler
        return traced(event, context)

    return wrapper
