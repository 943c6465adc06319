"""Entry point of the ``twin`` command: builds the parser from the command modules and maps
domain errors to a message and a non-zero exit code (never a traceback for a user error)."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import shutil
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
    "twin.cli.session_commands",
    "twin.cli.backup_commands",
    "twin.cli.ops_commands",
    "twin.cli.import_commands",
    "twin.cli.eval_command",
)


class _OneLineCommands(argparse.HelpFormatter):
    """Every command and its help on one line of `twin --help`: argparse measures command names
    one indent level too shallow, so the longest ones would wrap onto a line of their own."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=24, width=max(130, shutil.get_terminal_size().columns))

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):
            longest = max((len(str(a.dest)) for a in action._get_subactions()), default=0)
            self._action_max_length = max(self._action_max_length, longest + self._current_indent + 4)


def build_parser() -> argparse.ArgumentParser:
    from twin import __version__

    parser = argparse.ArgumentParser(prog="twin", description="Run and manage your digital twin.",
                                     formatter_class=_OneLineCommands)
    parser.add_argument("--version", action="version", version=f"twin {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
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
    # Known-args parsing so `twin db psql -c "select 1"` can hand its options to psql; every other
    # command still rejects what it does not know.
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passthrough", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        code: int = args.handler(args)
        return code
    except TwinError as e:
        if getattr(args, "json", False):
            print(json.dumps(e.to_dict()), file=sys.stdout)
        print(f"error: {e.message}", file=sys.stderr)
        if e.private_detail:
            print(f"  ({e.private_detail})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
