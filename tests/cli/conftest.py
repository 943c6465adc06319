"""The `twin` command run as a user runs it (a real process) against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        assert self.out.endswith("\n"), f"--json output must end with a newline: {self.out!r}"
        return json.loads(self.out)


@dataclass(frozen=True)
class Twin:
    """Runs ``twin`` with the test database in the environment."""

    env: dict[str, str]

    def __call__(self, *args: str, cwd: Path | None = None) -> Run:
        done = subprocess.run([sys.executable, "-m", "twin.cli.main", *args], env=self.env, cwd=cwd, text=True,
                              capture_output=True, timeout=120, check=False)
        return Run(done.returncode, done.stdout, done.stderr)


def cli_environment(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_") and k != "TWIN_DEFAULT_TWIN"}
    env["DATABASE_URL"] = db_url
    env["TWIN_DATA_DIR"] = str(data_dir)
    env.setdefault("TWIN_EMBEDDER", "hashing")  # fast and exact; the embedder is not under test here
    return env


@pytest.fixture
def twin_cli(migrated_db_url: str, tmp_path: Path) -> Twin:
    """``twin`` on the suite's migrated database (tests isolate themselves by twin id)."""
    return Twin(cli_environment(migrated_db_url, tmp_path / "data"))
