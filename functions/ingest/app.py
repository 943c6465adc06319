"""Ingest Lambda: POST /api/ingest, GET /api/documents, DELETE /api/documents/{id}.

event -> Mangum -> FastAPI router (twin.api.ingest_routes) -> twin.ingest.service -> SQL -> PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from twin.api.app_factory import create_app
from twin.api.ingest_routes import router
from twin.aws.metrics import enable as enable_request_metrics
from twin.aws.observability import get_logger, get_metrics
from twin.aws.tracing import capture_lambda_handler

logger = get_logger()
metrics = get_metrics()
enable_request_metrics()

app = create_app(router, title="digital-twin ingest", docs=False)
# lifespan="off": with it on, Mangum would run startup/shutdown on every invocation.
_mangum = Mangum(app, lifespan="off")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = _mangum(event, context)
    return response
