"""The one way a Lambda handler is wrapped: Powertools logger, tracer and metrics in one order.

``inject_lambda_context`` is outermost so every line the others write (including the metrics
flush) carries the request's correlation id; the tracer sits inside it and is created on the
first invocation only (``twin.aws.tracing``); ``log_metrics`` flushes innermost-last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from twin.aws.observability import bridge_service_logs, get_logger, get_metrics
from twin.aws.tracing import capture_lambda_handler

R = TypeVar("R")
Handler = Callable[[Any, Any], R]


def lambda_handler(*, correlation_id_path: str | None = None) -> Callable[[Handler[R]], Handler[R]]:
    logger = get_logger()
    metrics = get_metrics()
    bridge_service_logs()

    def wrap(function: Handler[R]) -> Handler[R]:
        traced = capture_lambda_handler(metrics.log_metrics(function))
        return logger.inject_lambda_context(traced, correlation_id_path=correlation_id_path,
                                            clear_state=True)

    return wrap


def http_handler(*routers: Any, title: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler serving ``routers`` through Mangum (the buffered HTTP API path)."""
    from aws_lambda_powertools.logging import correlation_paths
    from mangum import Mangum

    from twin.api.app_factory import create_app
    from twin.aws.metrics import enable as enable_request_metrics

    enable_request_metrics()
    from twin import runtime
    from twin.aws import snapstart

    snapstart.register()  # no-op without snapshot_restore_py (anything but a SnapStart runtime)

    app = create_app(*routers, title=title, docs=False, cors_origins=runtime.settings().cors_origins)
    # lifespan="off": with it on, Mangum would run startup/shutdown on every invocation.
    mangum = Mangum(app, lifespan="off")

    @lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = mangum(event, context)
        return response

    return handler
