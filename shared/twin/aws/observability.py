"""One Powertools Logger, Metrics and Tracer per process.

Handlers call ``get_logger()``/``get_metrics()`` at module scope so the objects are built
once, during Lambda's init phase, and reused by every warm invocation. Importing this module
costs next to nothing: Powertools is imported on the first ``get_*`` call, so the CLI and
services that never log through Powertools do not pay for it.

Measured with ``python -X importtime`` and timers on this machine (CPython 3.11, Powertools
3.37): ``import twin.aws.observability`` costs ~3 ms of its own (plus ``typing``, which everything
imports anyway); the first ``get_logger()`` ~70-85 ms, because the Powertools package
``__init__`` imports its logging, metrics and tracing modules together, so ``get_metrics()``
is then ~0.1 ms; ``get_tracer()`` another ~470-730 ms, even with tracing disabled, because
it imports the X-Ray SDK, which imports botocore and patches it. So handlers do not call
``get_tracer()`` at import: ``twin.aws.tracing.capture_lambda_handler`` creates it on the first
invocation, and only where tracing can record anything.

Service name and metrics namespace come from ``POWERTOOLS_SERVICE_NAME`` /
``POWERTOOLS_METRICS_NAMESPACE`` (set by template.yaml), with the project's defaults when a
laptop or a test runs without them. ``POWERTOOLS_LOG_LEVEL`` and ``POWERTOOLS_TRACE_DISABLED``
are read by Powertools itself.
"""

from __future__ import annotations

import io
import os
import sys
from functools import lru_cache
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer

DEFAULT_SERVICE = "digital-twin"
DEFAULT_NAMESPACE = "DigitalTwin"


def service_name() -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME", "").strip() or DEFAULT_SERVICE


def metrics_namespace() -> str:
    return os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "").strip() or DEFAULT_NAMESPACE


class _CurrentStdout(io.TextIOBase):
    """Writes to whatever ``sys.stdout`` is at write time.

    Powertools binds its handler to the stream it is given once, at creation. On Lambda stdout
    never changes, but ``twin invoke`` redirects the handler's output to stderr (stdout carries
    the result) and pytest swaps stdout per test; following the current one keeps logs out of
    the result and never writes to a capture buffer that a finished test closed.
    """

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()

    def writable(self) -> bool:
        return True


@lru_cache(maxsize=1)
def get_logger() -> Logger:
    """JSON structured logger; ``inject_lambda_context`` adds request id and cold start."""
    from aws_lambda_powertools import Logger

    # TextIOBase implements the stream protocol; typeshed only calls IO[str] that.
    return Logger(service=service_name(), stream=cast(IO[str], _CurrentStdout()))


@lru_cache(maxsize=1)
def get_metrics() -> Metrics:
    """CloudWatch metrics as Embedded Metric Format log lines: no PutMetricData call, no
    extra latency, flushed by ``@metrics.log_metrics`` at the end of each invocation."""
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=metrics_namespace(), service=service_name())


@lru_cache(maxsize=1)
def get_tracer() -> Tracer:
    """X-Ray tracer (patches botocore and friends when created). Disabled automatically
    outside Lambda and by ``POWERTOOLS_TRACE_DISABLED=1``."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=service_name())


def bridge_service_logs() -> None:
    """Send every ``twin.*`` log line through the Powertools handler: JSON, with the request's
    correlation id and Lambda context, at the Powertools log level, secrets redacted.

    The handler is attached to the ``twin`` parent logger rather than copied to the loggers that
    exist now (``copy_config_to_registered_loggers``), so modules imported lazily later are
    covered too.
    """
    import logging

    from twin.redaction import RedactSecrets

    powertools = get_logger()
    handler = powertools.registered_handler
    if not any(isinstance(f, RedactSecrets) for f in handler.filters):
        handler.addFilter(RedactSecrets())
    service_logs = logging.getLogger("twin")
    if handler not in service_logs.handlers:
        service_logs.addHandler(handler)
    service_logs.setLevel(powertools.log_level)
    service_logs.propagate = False


__all__ = [
    "DEFAULT_NAMESPACE",
    "DEFAULT_SERVICE",
    "bridge_service_logs",
    "get_logger",
    "get_metrics",
    "get_tracer",
    "metrics_namespace",
    "service_name",
]
