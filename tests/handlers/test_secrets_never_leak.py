"""No secret (API key, OpenAI key, database password) in any log line, traceback or response."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest

from tests.helpers import http_v2_event, lambda_response_json
from tests.support.openai_stub import OpenAIStub
from twin import runtime
from twin.access.twins import set_profile
from twin.aws.local_invoke import invoke
from twin.redaction import RedactSecrets, redact
from twin.storage.db import Database

OPENAI_KEY = "sk-live-Zq8xV3mN5pR7tY9wB2cD4fG6"
OUR_KEY = "twin_0123456789ab_SECRETSECRETSECRETSECRET"




def test_provider_error_echoing_the_key_reaches_neither_the_log_nor_the_client(
        monkeypatch: pytest.MonkeyPatch, stub: OpenAIStub, db: Database, twin_id: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a twin and an OpenAI key the provider rejects, echoing it back (as the real API does)
    db.run(lambda conn: set_profile(conn, twin_id=twin_id, display_name="Ada", persona=""))
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    monkeypatch.setenv("TWIN_EMBEDDER", "auto")
    monkeypatch.setenv("TWIN_OPENAI_MAX_RETRIES", "0")
    runtime.reset(database=db)
    stub.fail_next(status=401, times=5)

    # WHEN a visitor asks through the Lambda handler (Powertools logs, tracebacks on 5xx)
    response = invoke("chat", http_v2_event("POST", "/api/chat", body={"message": "hello?", "twin_id": twin_id}))

    # THEN the request failed upstream, and the key is nowhere: not in the body, not in stdout/stderr
    body = lambda_response_json(response)
    assert response["statusCode"] >= 500
    assert body["error"]["code"] in {"upstream_error", "configuration_error", "upstream_unauthorized"}
    assert stub.calls(), "the provider was called"
    out = capsys.readouterr()
    for text in (str(body), out.out, out.err):
        assert OPENAI_KEY not in text
        assert OPENAI_KEY[8:20] not in text


def _record(message: str, *args: Any, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error else None
    return logging.LogRecord("twin.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_redaction_covers_message_arguments_and_traceback_chains() -> None:
    try:
        try:
            raise ValueError(f"Incorrect API key provided: {OPENAI_KEY}")
        except ValueError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        record = _record("key %s and ours %s", OPENAI_KEY, OUR_KEY, error=outer)
    RedactSecrets().filter(record)
    formatted = logging.Formatter().format(record)
    assert OPENAI_KEY not in formatted
    assert OUR_KEY not in formatted
    assert "Incorrect API key provided: ***" in formatted


@pytest.mark.parametrize("leaky", [
    "postgresql://app:hunter2secret@db.example.com/twin",
    "host=db port=5432 user=app password=hunter2secret dbname=twin",
    "Authorization: Bearer hunter2secretTOKEN",
])
def test_database_passwords_and_bearer_tokens_are_redacted(leaky: str) -> None:
    assert "hunter2secret" not in redact(leaky)


def test_the_cli_log_handler_redacts(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from twin.cli.main import main

    monkeypatch.setenv("TWIN_LOG_LEVEL", "INFO")
    monkeypatch.setattr(sys, "argv", ["twin"])
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        with pytest.raises(SystemExit):
            main(["--not-a-command"])
        assert root.handlers
        assert all(any(isinstance(f, RedactSecrets) for f in handler.filters) for handler in root.handlers)
    finally:
        for handler in root.handlers:
            for found in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
                handler.removeFilter(found)
        root.handlers[:] = before


def test_redaction_keeps_the_arguments_formatters_read_themselves() -> None:
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/api/chat?key={OUR_KEY}", "1.1", 200), None)
    RedactSecrets().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert line.startswith('127.0.0.1:5000 - "GET /api/chat?key=***')
    assert OUR_KEY not in line
