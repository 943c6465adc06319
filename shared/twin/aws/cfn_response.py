"""Answering CloudFormation custom-resource requests.

CloudFormation waits for a PUT to the request's pre-signed ``ResponseURL``; a handler that
crashes, times out or forgets to answer leaves the stack "IN_PROGRESS" until the resource's
ServiceTimeout (an hour by default). So ``run_custom_resource`` answers exactly once on every
path: the action's result, its exception, or a FAILED sent by a timer shortly before the
Lambda timeout. Plain urllib keeps this dependency-free (the module must work even when the
rest of the layer fails to import).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

logger = logging.getLogger(__name__)

Status = Literal["SUCCESS", "FAILED"]
# CloudFormation rejects response bodies over 4096 bytes; the reason is what gets truncated.
MAX_BODY_BYTES = 4096
MAX_REASON_CHARS = 1500


class LambdaContextLike(Protocol):
    log_stream_name: str

    def get_remaining_time_in_millis(self) -> int: ...


# Returns the resource's Data attributes (strings: Fn::GetAtt hands them to other resources).
Action = Callable[[Mapping[str, Any]], Mapping[str, str]]


def log_location(context: LambdaContextLike | None) -> str:
    stream = getattr(context, "log_stream_name", "") or "unknown"
    return f"CloudWatch log stream {stream}"


def build_response(
    event: Mapping[str, Any],
    *,
    status: Status,
    physical_resource_id: str,
    reason: str = "",
    data: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[: MAX_REASON_CHARS - 3] + "..."
    body: dict[str, Any] = {
        "Status": status,
        "Reason": reason or status,
        "PhysicalResourceId": physical_resource_id,
        "StackId": event.get("StackId", ""),
        "RequestId": event.get("RequestId", ""),
        "LogicalResourceId": event.get("LogicalResourceId", ""),
        "NoEcho": False,
        "Data": dict(data or {}),
    }
    if len(json.dumps(body).encode()) > MAX_BODY_BYTES:
        # Data too big for CloudFormation: better a FAILED that says so than a request it drops.
        body["Status"] = "FAILED"
        body["Reason"] = "custom resource response exceeded 4096 bytes; Data dropped"
        body["Data"] = {}
    return body


def put_response(url: str, body: Mapping[str, Any], *, timeout_s: float = 10.0, attempts: int = 3) -> int:
    """PUT the JSON body to the pre-signed S3 URL; returns the HTTP status.

    The URL is signed for an empty Content-Type, so the header is sent empty (a JSON type
    would fail the signature check with 403).
    """
    payload = json.dumps(body).encode()
    last_error: Exception | None = None
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            url, data=payload, method="PUT",
            headers={"Content-Type": "", "Content-Length": str(len(payload))},
        )
        try:
            # The URL comes from CloudFormation's own event (https to S3), not from a user.
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                status: int = response.status
                return status
        except urllib.error.HTTPError as e:
            if e.code < 500:
                raise  # a 4xx will not get better: expired or mangled URL
            last_error = e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            last_error = e
        logger.warning("response PUT attempt %d/%d failed: %s", attempt, attempts, last_error)
        if attempt < attempts:
            time.sleep(0.5 * attempt)
    assert last_error is not None
    raise last_error


class _Responder:
    """Sends at most one response per request, whichever path gets there first."""

    def __init__(self, event: Mapping[str, Any], physical_resource_id: str) -> None:
        self._event = event
        self._physical_resource_id = physical_resource_id
        self._lock = threading.Lock()
        self.sent: dict[str, Any] | None = None

    def send(self, status: Status, *, reason: str = "",
             data: Mapping[str, str] | None = None) -> dict[str, Any]:
        with self._lock:
            if self.sent is not None:
                return self.sent
            body = build_response(self._event, status=status, physical_resource_id=self._physical_resource_id,
                                  reason=reason, data=data)
            self.sent = body
            url = self._event.get("ResponseURL")
            if not url:
                logger.warning("event has no ResponseURL; response not sent: %s", body["Status"])
                return body
            try:
                code = put_response(str(url), body)
                logger.info("sent %s to CloudFormation (HTTP %d)", body["Status"], code)
            except Exception:
                # Nothing else can be done; the log is the only trace left.
                logger.exception("could not send the custom resource response")
            return body


def run_custom_resource(
    event: Mapping[str, Any],
    context: LambdaContextLike | None,
    *,
    physical_resource_id: str,
    on_create: Action,
    on_update: Action,
    on_delete: Action | None = None,
    timeout_margin_ms: int = 10_000,
) -> dict[str, Any]:
    """Run the action for ``event["RequestType"]`` and answer CloudFormation; returns the
    response body that was sent. Never raises.

    ``physical_resource_id`` is kept stable across updates: a new id would make
    CloudFormation treat the update as a replacement and send a Delete for the old id.
    On Delete the id CloudFormation already holds is echoed back.
    """
    request_type = str(event.get("RequestType", ""))
    if request_type == "Delete" and event.get("PhysicalResourceId"):
        physical_resource_id = str(event["PhysicalResourceId"])
    responder = _Responder(event, physical_resource_id)

    timer: threading.Timer | None = None
    remaining = _remaining_ms(context)
    if remaining is not None:
        timer = threading.Timer(
            max(remaining - timeout_margin_ms, 0) / 1000,
            lambda: responder.send("FAILED", reason=(
                f"{request_type} did not finish before the Lambda timeout; see {log_location(context)}")),
        )
        timer.daemon = True
        timer.start()
    try:
        actions: dict[str, Action | None] = {"Create": on_create, "Update": on_update, "Delete": on_delete}
        if request_type not in actions:
            raise ValueError(f"unknown RequestType {request_type!r}")
        action = actions[request_type]
        data = action(event) if action is not None else {}
        return responder.send("SUCCESS", data=data)
    except Exception as e:
        logger.exception("custom resource %s failed", request_type)
        message = str(e).strip() or type(e).__name__
        detail = getattr(e, "private_detail", "")  # the stack's operator may see hosts; never secrets
        if detail:
            message = f"{message}: {detail}"
        reason = f"{request_type} failed: {message} (see {log_location(context)})"
        return responder.send("FAILED", reason=reason)
    finally:
        if timer is not None:
            timer.cancel()


def _remaining_ms(context: LambdaContextLike | None) -> int | None:
    getter = getattr(context, "get_remaining_time_in_millis", None)
    if getter is None:
        return None
    try:
        return int(getter())
    except Exception:  # noqa: BLE001 - a broken context must not stop the response
        return None


__all__ = ["MAX_BODY_BYTES", "build_response", "log_location", "put_response", "run_custom_resource"]
