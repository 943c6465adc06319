"""Secrets never reach a log line, a traceback or a response: one filter, used by every log handler.

Provider errors echo what they were sent ("Incorrect API key provided: sk-..."), and psycopg
errors can echo a connection string, so redaction works on the formatted text, traceback
included, not on the arguments a caller chose to pass.
"""

from __future__ import annotations

import logging
import os
import re

_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_\-*]{6,}"),          # OpenAI-style keys (also the provider's masked echo)
    re.compile(r"twin_[A-Za-z0-9_\-]{10,}"),          # this service's API keys
    re.compile(r"(?i)(password\s*[=:]\s*)('[^']*'|\"[^\"]*\"|\S+)"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}"),
    re.compile(r"(postgres(?:ql)?://[^:/@\s]+:)[^@\s]+(@)"),
)
_ENV_SECRETS = ("OPENAI_API_KEY", "UPSTASH_VECTOR_REST_TOKEN", "UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_TOKEN")


def redact(text: str) -> str:
    for name in _ENV_SECRETS:
        value = os.environ.get(name, "").strip()
        if len(value) >= 8:
            text = text.replace(value, "***")
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + "***" + (
            m.group(m.re.groups) if m.re.groups >= 2 and m.group(m.re.groups) == "@" else ""), text)
    return text


def _redact_object(value: object) -> object:
    """A non-string argument (an exception, a URL object) becomes its redacted text only if its
    text held a secret; otherwise it is left alone for the formatter."""
    if value is None or isinstance(value, (int, float, bool)):
        return value
    text = str(value)
    cleaned = redact(text)
    return cleaned if cleaned != text else value


class RedactSecrets(logging.Filter):
    """Rewrites the message and the traceback of every record in place before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Arguments are redacted one by one rather than merged into the message: some formatters
        # (uvicorn's access log) read record.args themselves.
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else _redact_object(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else _redact_object(v) for k, v in record.args.items()}
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
