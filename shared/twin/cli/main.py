"""Entry point of the ``twin`` command: builds the parser from the command modules and maps
domain errors to a message and a non-zero exit code (never a traceback for a user error)."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Sequence

from twin.errors import TwinError

# Each module exposes register(subparsers); handlers import heavy libraries themselves so
# `twin --help` stays fast.
COMMAND_MODULES = (
    "twin.cli.db_commands",
    "twin.cli.doctor_command",
    "twin.cli.ingest_commands",
    "twin.cli.keys_commands",
    "twin.cli.chat_commands",
    "twin.cli.ops_commands",
    "twin.cli.import_commands",
    "twin.cli.eval_command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="twin", description="Run and manage your digital twin.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("TWIN_LOG_LEVEL", "WARNING").upper(),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from twin.redaction import RedactSecrets

    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets())  # provider errors echo keys; no log line may carry one
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except TwinError as e:
        if getattr(args, "json", False):
            print(json.dumps(e.to_dict()), file=sys.stdout)
        print(f"error: {e.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
