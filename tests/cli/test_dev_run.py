"""`scripts/dev.sh run`: the sample profile lives in its own twin and never touches the user's.

The script runs for real (its `run)` branch, against a database of its own) with a stand-in
venv whose `twin` is the real CLI except for `serve`, which reports the twin it would serve.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.cli.conftest import Twin, cli_environment

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DevRun:
    env: dict[str, str]

    def __call__(self, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(REPO / "scripts" / "dev.sh"), "run"], env={**self.env, **extra},
                              text=True, capture_output=True, timeout=300, check=False)

    @property
    def twin(self) -> Twin:
        return Twin(self.env)


@pytest.fixture
def dev_run(empty_db_url: str, tmp_path: Path) -> DevRun:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / "bin" / "twin").write_text(
        "#!/bin/sh\n"
        'if [ "$1" = serve ]; then echo "SERVE twin=$TWIN_DEFAULT_TWIN"; exit 0; fi\n'
        f'exec "{sys.executable}" -m twin.cli.main "$@"\n', encoding="utf-8")
    (venv / "bin" / "twin").chmod(0o755)
    # setup() reinstalls unless the stamp of this pyproject.toml is there.
    checksum = subprocess.run(["cksum", "pyproject.toml"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.split()[0]
    (venv / f".installed-{checksum}").touch()
    return DevRun({**cli_environment(empty_db_url, tmp_path / "data"), "TWIN_VENV": str(venv)})


def documents(url: str, twin_id: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT document_id, content_hash FROM documents WHERE twin_id = %s",
                            (twin_id,)).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def test_run_loads_the_sample_into_twin_sample_once_and_serves_it_while_default_is_empty(
        dev_run: DevRun, empty_db_url: str) -> None:
    first = dev_run()
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.strip().endswith("SERVE twin=sample")
    assert "serving twin 'sample'" in first.stderr
    assert set(documents(empty_db_url, "sample")) == {"about.md", "interests.md", "resume.md"}
    assert documents(empty_db_url, "default") == {}

    second = dev_run()
    assert second.returncode == 0, second.stderr
    assert "already has 3 documents; nothing ingested (--if-empty)" in second.stdout


def test_run_serves_the_users_default_twin_once_it_has_documents_and_leaves_it_alone(
        dev_run: DevRun, empty_db_url: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "resume.md").write_text("# My resume\n\nI fix bicycles.", encoding="utf-8")
    assert dev_run.twin("db", "migrate").code == 0
    assert dev_run.twin("ingest", str(notes), "--twin", "default").code == 0
    mine = documents(empty_db_url, "default")

    run = dev_run()

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("SERVE twin=default")
    assert documents(empty_db_url, "default") == mine  # not one document added, changed or removed
    assert documents(empty_db_url, "sample") == {}  # the sample is only loaded when it is served


def test_run_serves_twin_default_twin_when_the_user_set_it(dev_run: DevRun, empty_db_url: str) -> None:
    run = dev_run(TWIN_DEFAULT_TWIN="ada")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("SERVE twin=ada")
    assert documents(empty_db_url, "ada") == {}
    assert documents(empty_db_url, "sample") == {}
