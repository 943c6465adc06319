"""The `twin` command as a whole: --version, --help with every command, db url|psql, doctor's fixes."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

import twin
from tests.cli.conftest import Twin, cli_environment
from twin.cli.main import COMMAND_MODULES, build_parser
from twin.errors import ConfigurationError
from twin.ops.dbtools import find_psql, redact_url


def _subparser_actions(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction]:  # type: ignore[type-arg]
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def test_version_prints_twin_and_the_package_version(twin_cli: Twin) -> None:
    run = twin_cli("--version")
    assert (run.code, run.out) == (0, f"twin {twin.__version__}\n")


def test_help_lists_every_command_on_one_line_with_its_help(twin_cli: Twin) -> None:
    run = twin_cli("--help")

    [commands] = _subparser_actions(build_parser())
    assert run.code == 0
    for name in commands.choices:
        assert re.search(rf"^    {re.escape(name)} +\S.*$", run.out, re.MULTILINE), f"{name} not on one line"
    assert {"chat", "sessions", "unanswered", "export", "restore"} <= set(commands.choices)


def test_every_command_module_loads_and_every_command_and_subcommand_has_help() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)  # a missing module would silently drop its commands from the CLI
    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in _subparser_actions(parser):
            helps = {a.dest: a.help for a in action._get_subactions()}
            for name, sub in action.choices.items():
                if not helps.get(name):
                    missing.append(f"{path} {name}".strip())
                walk(sub, f"{path} {name}")

    walk(build_parser(), "")
    assert missing == []


def test_unknown_options_are_still_rejected(twin_cli: Twin) -> None:
    run = twin_cli("doctor", "--frobnicate")
    assert run.code == 2
    assert "unrecognized arguments: --frobnicate" in run.err


def test_db_url_redacts_the_password_unless_asked(tmp_path: Path) -> None:
    env = cli_environment("postgresql://ada:s3cret@db.example.com:5432/twin?sslmode=require", tmp_path)
    cli = Twin(env)

    redacted = cli("db", "url")
    shown = cli("db", "url", "--show-password", "--json")

    assert redacted.out == "postgresql://ada:***@db.example.com:5432/twin?sslmode=require\n"
    assert shown.json == {"url": "postgresql://ada:s3cret@db.example.com:5432/twin?sslmode=require",
                          "redacted": False}


def test_redact_url_handles_query_passwords_and_key_value_strings() -> None:
    assert redact_url("postgresql:///twin?host=/tmp&password=pw") == "postgresql:///twin?host=/tmp&password=***"
    assert "pw" not in redact_url("host=localhost password=pw dbname=twin")
    assert redact_url("postgresql://postgres:@/postgres?host=/tmp/x") == "postgresql://postgres:@/postgres?host=/tmp/x"


def test_db_url_prints_the_database_in_use(twin_cli: Twin, migrated_db_url: str) -> None:
    run = twin_cli("db", "url")
    assert run.code == 0
    assert run.out == redact_url(migrated_db_url) + "\n"


def test_db_psql_runs_psql_on_the_database_in_use(twin_cli: Twin, migrated_db_url: str) -> None:
    try:
        find_psql()
    except ConfigurationError:
        pytest.skip("no psql on this machine")
    run = twin_cli("db", "psql", "-tA", "-c", "select current_database()")
    assert run.code == 0, run.err
    assert run.out.strip() == conninfo_to_dict(migrated_db_url)["dbname"]


def test_doctor_says_how_to_fix_each_failed_check(empty_db_url: str, tmp_path: Path) -> None:
    cli = Twin(cli_environment(empty_db_url, tmp_path))

    text = cli("doctor")
    report = cli("doctor", "--json").json

    assert text.code == 1
    assert "fix: run `twin db migrate`" in text.out
    failed = [c for c in report["checks"] if not c["ok"]]
    assert failed
    assert all(c["fix"] for c in failed)
    assert all(c["fix"] is None for c in report["checks"] if c["ok"])


def test_cli_counts_are_plural_only_when_more_than_one(twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "a.md").write_text("# A\n\nOne short note.\n", encoding="utf-8")
    assert twin_cli("ingest", str(tmp_path / "one"), "--twin", twin_id).code == 0

    exported = twin_cli("export", "--twin", twin_id, str(tmp_path / "a.jsonl"))
    listed = twin_cli("documents", "list", "--twin", twin_id)

    assert "1 document, 1 chunk, 0 API keys" in exported.out
    assert " 1 chunk  A" in listed.out
