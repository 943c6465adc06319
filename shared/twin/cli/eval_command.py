"""`twin eval QUESTIONS.json`: how well the twin answers a set of questions with known answers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from twin.cli.common import add_json_flag, add_twin_flag, database, twin_id_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval", help="score the twin on questions with expected documents and facts (hit@k, MRR, fact rate)",
        description="Ask every question (follow-ups in one session) and report hit@1/@3, MRR, fact rate, "
                    "declined-correctly rate, latency and each miss. The file format is in the README.")
    parser.add_argument("questions", type=Path, help="a questions JSON file (see examples/eval/questions.json)")
    add_twin_flag(parser)
    add_json_flag(parser)
    parser.add_argument("--min-hit3", type=float, default=None, metavar="RATE",
                        help="exit 1 when hit@3 is below RATE (for CI)")
    parser.add_argument("--min-fact-rate", type=float, default=None, metavar="RATE",
                        help="exit 1 when the fact rate is below RATE (for CI)")
    parser.set_defaults(handler=_eval)


def _eval(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.errors import InvalidRequest
    from twin.evaluation.metrics import format_report, load_questions, report_as_dict
    from twin.evaluation.runner import evaluate

    try:
        questions = load_questions(args.questions)
    except (OSError, ValueError) as e:
        raise InvalidRequest(str(e), code="invalid_questions") from e
    database()
    report = evaluate(runtime.current().chat_service, questions, twin_id=twin_id_from(args))
    summary = report_as_dict(report)
    if args.json:
        print(json.dumps(summary))
    else:
        print(format_report(report))
    failed = ((args.min_hit3 is not None and (report.hit_at_3.value or 0.0) < args.min_hit3)
              or (args.min_fact_rate is not None and (report.fact_rate.value or 0.0) < args.min_fact_rate))
    return 1 if failed else 0
