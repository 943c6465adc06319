"""`twin doctor`."""

from __future__ import annotations

import argparse
from typing import Any

from twin.cli.common import add_json_flag, database, emit, plural


def register(subparsers: Any) -> None:
    doctor = subparsers.add_parser("doctor", help="check the database, schema, indexes and search plan")
    add_json_flag(doctor)
    doctor.set_defaults(handler=_doctor)


def _human(report: dict[str, Any]) -> str:
    lines: list[str] = []
    for c in report["checks"]:
        lines.append(f"[{'ok' if c['ok'] else 'FAIL'}] {c['name']}: {c['detail']}")
        if not c["ok"] and c.get("fix"):
            lines.append(f"       fix: {c['fix']}")
    if report["tables"]:
        lines.append("tables:")
        for t in report["tables"]:
            expired = f", {t['expired_rows']} expired" if "expired_rows" in t else ""
            lines.append(f"  {t['table']:<20} {plural(t['rows'], 'row')}{expired}")
    if report["indexes"]:
        lines.append("indexes:")
        lines.extend(f"  {i['index']:<40} {i['method']:<6} on {i['table']}" for i in report["indexes"])
    lines.append("healthy" if report["ok"] else "problems found")
    return "\n".join(lines)


def _doctor(args: argparse.Namespace) -> int:
    from twin.ops.doctor import run_doctor

    report = database(ensure_schema=False).run(run_doctor)
    emit(report.as_dict(), as_json=args.json, human=_human)
    return 0 if report.ok else 1
