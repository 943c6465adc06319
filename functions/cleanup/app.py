"""Scheduled cleanup (EventBridge, rate from the CleanupSchedule parameter).

Deletes expired cache entries, rate-limit windows, ingest records and chat sessions in
bounded batches (twin.ops.cleanup), logs the counts and publishes one CloudWatch metric per table
(EMF, flushed by ``log_metrics``). A zero is published too, so an alarm on "no data" means
the schedule stopped, not that there was nothing to delete.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from twin import runtime
from twin.aws.handlers import lambda_handler
from twin.aws.observability import get_logger, get_metrics
from twin.ops.cleanup import CleanupResult, purge_expired

# One metric name per table: a per-table dimension would need one EMF document per table.
METRIC_NAMES = {
    "database_cache": "ExpiredCacheRowsDeleted",
    "rate_limits": "ExpiredRateLimitRowsDeleted",
    "ingestion_metadata": "ExpiredIngestionMetadataRowsDeleted",
    "chat_sessions": "ExpiredChatSessionsDeleted",
}

logger = get_logger()
metrics = get_metrics()


def _publish(result: CleanupResult) -> None:
    for table, count in result.as_dict().items():
        metrics.add_metric(name=METRIC_NAMES[table], unit=MetricUnit.Count, value=count)
    # 1 when a table still had expired rows after max_batches: the schedule is too slow.
    metrics.add_metric(name="CleanupBacklog", unit=MetricUnit.Count, value=0 if result.complete else 1)


@lambda_handler()
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = purge_expired(db=runtime.database())
    _publish(result)
    logger.info("expired rows deleted", extra={"deleted": result.as_dict(), "total": result.total,
                                                "incomplete": list(result.incomplete)})
    return result.as_dict()
