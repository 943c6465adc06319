"""How the local server (uvicorn) runs the app: which proxies it believes, and logs without secrets.

uvicorn trusts ``X-Forwarded-For`` from 127.0.0.1 by default, so behind nothing any local client
could pick its own address and dodge the rate limit. Here no proxy is trusted unless
``TWIN_FORWARDED_ALLOW_IPS`` names one (a reverse proxy on the same host, say).
"""

from __future__ import annotations

import copy
from typing import Any

from twin.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config.setdefault("filters", {})["redact"] = {"()": "twin.redaction.RedactSecrets"}
    for handler in log_config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    # The service's own loggers go through the same handler, so tracebacks are redacted too.
    log_config["loggers"]["twin"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    trusted = ",".join(settings.forwarded_allow_ips)
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "log_config": log_config,
        "log_level": "info",
    }
