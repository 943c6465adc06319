"""CloudFormation custom resource ``Custom::SchemaMigration``: applies sql/ on every deploy.

Create and Update apply pending migrations (idempotent, serialised by an advisory lock, so a
re-run or a concurrent `twin db migrate` is harmless); Delete keeps the schema and the data:
removing a stack must never drop a database someone is still using. Every request is
answered, including failures and timeouts (twin.aws.cfn_response), or the stack would hang.

Migrations are forward-only. When a deploy fails after (or because of) this resource,
CloudFormation rolls back by sending another Update; re-running a migration that just failed
would fail again and leave the stack in UPDATE_ROLLBACK_FAILED, so an Update that arrives
while the stack is rolling back answers SUCCESS without touching the schema.

Domain imports happen inside the actions so that a broken import still becomes a FAILED
response naming the error instead of a crash CloudFormation never hears about.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from twin.aws.cfn_response import run_custom_resource
from twin.aws.observability import bridge_service_logs, get_logger

# Stable on purpose: a different id on Update would read as "replaced" to CloudFormation,
# which would then send a Delete for the old one.
PHYSICAL_RESOURCE_ID = "digital-twin-schema"

logger = get_logger()
bridge_service_logs()


def _apply_migrations(event: Mapping[str, Any]) -> dict[str, str]:
    from twin import runtime
    from twin.storage.db import connect, redact, resolve_conninfo
    from twin.storage.migrations import migrate, status

    settings = runtime.settings()
    conninfo = resolve_conninfo(settings)
    logger.info("applying migrations", extra={"database": redact(conninfo),
                                               "schema_version": _schema_version(event)})
    # A dedicated connection, closed at the end: migrate() needs autocommit and takes a
    # session-level advisory lock that must not outlive this request.
    with connect(settings, conninfo, autocommit=True) as conn:
        applied = migrate(conn)
        states = status(conn)
    latest = max((s.version for s in states if s.state == "applied"), default=0)
    names = [f.name for f in applied]
    logger.info("migrations done", extra={"applied": names, "version": latest})
    return {"Applied": ",".join(names), "Version": str(latest)}


def _update(event: Mapping[str, Any]) -> dict[str, str]:
    stack_status = _stack_status(str(event.get("StackId", "")))
    if stack_status.endswith("ROLLBACK_IN_PROGRESS"):
        logger.warning("stack is rolling back: schema left as is (migrations are forward-only)",
                       extra={"stack_status": stack_status})
        return {"Applied": "", "Version": ""}
    return _apply_migrations(event)


def _keep_schema(event: Mapping[str, Any]) -> dict[str, str]:
    logger.info("stack delete: schema and data are kept")
    return {}


def _stack_status(stack_id: str) -> str:
    """The stack's status, or "" when it cannot be read (then the Update migrates as usual).

    Only asked inside Lambda: a local invoke or a test has no stack to ask about.
    """
    if not stack_id or not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return ""
    try:
        import boto3

        stacks = boto3.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"]
        return str(stacks[0]["StackStatus"]) if stacks else ""
    except Exception as e:  # noqa: BLE001 - unknown status falls back to migrating
        logger.warning("could not read the stack status", extra={"error": f"{type(e).__name__}: {e}"})
        return ""


def _schema_version(event: Mapping[str, Any]) -> str:
    properties = event.get("ResourceProperties") or {}
    return str(properties.get("SchemaVersion", ""))


# log_event stays off: the event carries a pre-signed ResponseURL, a credential for 2 hours.
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logger.info("custom resource request", extra={
        "request_type": event.get("RequestType"), "logical_resource_id": event.get("LogicalResourceId"),
        "schema_version": _schema_version(event)})
    return run_custom_resource(
        event,
        context,
        physical_resource_id=PHYSICAL_RESOURCE_ID,
        on_create=_apply_migrations,
        on_update=_update,
        on_delete=_keep_schema,
    )
