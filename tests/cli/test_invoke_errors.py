"""`twin invoke` on something that is not a valid event: a clear error and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import cli_environment

EVENTS = Path(__file__).resolve().parents[2] / "events"


def _invoke(tmp_path: Path, env: dict[str, str], event: Any) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return subprocess.run([sys.executable, "-m", "twin.cli.main", "invoke", "chat", str(path)], env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def _bad_base64_event() -> dict[str, Any]:
    event = json.loads((EVENTS / "chat_post_http_v2_base64.json").read_text())
    event["body"] = "%%% not base64 %%%"
    return event


@pytest.mark.parametrize("event", [
    pytest.param(["not", "an", "event"], id="json-array"),
    pytest.param({"hello": "world"}, id="object-that-is-not-an-event"),
    pytest.param(None, id="null"),
    pytest.param("bad-base64", id="bad-base64-body"),
])
def test_invalid_event_is_a_clear_error_not_a_traceback(tmp_path: Path, migrated_db_url: str, event: Any) -> None:
    env = cli_environment(migrated_db_url, tmp_path / "data")
    result = _invoke(tmp_path, env, _bad_base64_event() if event == "bad-base64" else event)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
