"""Request metrics (tokens, cache hits, retrieval latency) for the Lambda handlers.

The routers are shared with the local server, where nothing would flush Powertools' metric
set; so recording is off until a Lambda handler module turns it on at import.
"""

from __future__ import annotations

import warnings

_enabled = False


def enable() -> None:
    global _enabled
    _enabled = True
    # An invocation that ends before recording anything (a 401, a health check) is normal
    # here; Powertools would warn about the empty metric set on every one of them.
    warnings.filterwarnings("ignore", message="No application metrics to publish")


def record(name: str, value: float, unit: str = "Count") -> None:
    if not _enabled:
        return
    from twin.aws.observability import get_metrics

    get_metrics().add_metric(name=name, unit=unit, value=value)
