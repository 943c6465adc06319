"""Every `twin` command, subcommand and flag the README names exists in the CLI (the README is the first thing read)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from twin.cli.main import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
# `twin ...` inside inline code or a code block line, up to the end of that code span or line.
_USES = re.compile(r"(?:`|\.venv/bin/|DATABASE_URL=\.\.\. )twin ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)([^`\n]*)")
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def _resolve(words: list[str]) -> argparse.ArgumentParser | None:
    parser = build_parser()
    commands = _subparsers(parser)
    if words[0] not in commands:
        return None
    found = commands[words[0]]
    if len(words) > 1 and words[1] in _subparsers(found):
        found = _subparsers(found)[words[1]]
    return found


def test_every_command_the_readme_names_exists() -> None:
    top = _subparsers(build_parser())
    named = {m.group(1).split()[0] for m in _USES.finditer(README)}
    missing = sorted(n for n in named if n not in top)
    assert not missing, f"README names commands the CLI does not have: {missing}"


def test_every_flag_the_readme_gives_a_command_exists_on_it() -> None:
    problems = []
    for use in _USES.finditer(README):
        words = use.group(1).split()
        parser = _resolve(words)
        if parser is None:
            continue
        rest = use.group(2).split("|")[0] if "|" in use.group(2) and "`" not in use.group(2) else use.group(2)
        known = _flags(parser) | _flags(build_parser())
        for flag in _FLAG.findall(rest):
            if flag not in known:
                problems.append(f"twin {' '.join(words)} {flag}")
    assert not problems, f"README flags the CLI does not accept: {sorted(set(problems))}"


def test_the_readme_names_every_top_level_command() -> None:
    top = set(_subparsers(build_parser()))
    missing = sorted(c for c in top if not re.search(rf"`twin {c}\b", README))
    assert not missing, f"commands missing from the README: {missing}"
