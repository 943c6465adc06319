"""Under `twin serve`, X-Forwarded-For never decides who a client is (so it cannot dodge a rate limit)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
import uvicorn

from twin import runtime
from twin.access.twins import set_profile
from twin.api.local_app import build_local_app
from twin.api.server_config import uvicorn_options
from twin.config import RateLimit, Settings
from twin.storage.db import Database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(settings: Settings, db: Database) -> Iterator[str]:
    runtime.reset(settings=settings, database=db)
    port = _free_port()
    options = uvicorn_options(settings)
    options.pop("log_config")
    server = uvicorn.Server(uvicorn.Config(build_local_app(), host="127.0.0.1", port=port, log_level="warning",
                                           proxy_headers=options["proxy_headers"],
                                           forwarded_allow_ips=options["forwarded_allow_ips"]))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture
def server(db: Database, settings: Settings, twin_id: str) -> Iterator[str]:
    db.run(lambda conn: set_profile(conn, twin_id=twin_id, display_name="Ada", persona=""))
    yield from _serve(replace(settings, chat_rate_limit=RateLimit(2, 60), default_twin=twin_id), db)


def test_spoofed_forwarded_for_does_not_reset_the_rate_limit(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        statuses = [client.post("/api/chat", json={"message": "hello"}).status_code for _ in range(2)]
        spoofed = [client.post("/api/chat", json={"message": "hello"},
                               headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(1, 4)]
    assert 429 not in statuses
    assert spoofed == [429, 429, 429]


def test_no_proxy_is_trusted_unless_configured() -> None:
    assert uvicorn_options(Settings())["proxy_headers"] is False
    trusted = uvicorn_options(replace(Settings(), forwarded_allow_ips=("10.0.0.5",)))
    assert (trusted["proxy_headers"], trusted["forwarded_allow_ips"]) == (True, "10.0.0.5")
