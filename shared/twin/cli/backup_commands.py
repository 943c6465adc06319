"""`twin export FILE` and `twin restore FILE`: a twin as a JSON-lines backup (twin.ops.backup)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from twin.cli.common import add_json_flag, add_twin_flag, database, emit, note, plural, twin_id_from

_EXPORT_EPILOG = """\
FILE is JSON lines (gzip-compressed when it ends in .gz): a header (format version, twin
id, embedder, counts), the twin's profile, its documents, its chunks with their embeddings,
and its API keys' metadata (never a key or its hash). `twin restore` reads it back without
re-embedding anything.
"""

_RESTORE_EPILOG = """\
Everything is written in one transaction and the counts are checked against the file
before commit: a damaged or truncated file restores nothing. A twin that already has
documents is never touched unless --replace is given. API keys are not restored (a backup
holds no key hashes): create new ones with `twin keys create`.
"""


def register(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="back up a twin to a JSON-lines file (.gz to compress)",
                                   epilog=_EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("file", type=Path, metavar="FILE", help="e.g. ada.jsonl.gz")
    add_twin_flag(export)
    add_json_flag(export)
    export.set_defaults(handler=_export)

    restore = subparsers.add_parser("restore", help="restore a twin from a `twin export` file",
                                    epilog=_RESTORE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--twin", dest="twin_id", default=None, metavar="NEW_ID",
                         help="restore under this twin id (default: the id in the file)")
    restore.add_argument("--replace", action="store_true",
                         help="replace the documents of a twin that already has some")
    add_json_flag(restore)
    restore.set_defaults(handler=_restore)


def _export(args: argparse.Namespace) -> int:
    from twin.ops.backup import export_twin

    result = export_twin(db=database(), twin_id=twin_id_from(args), path=args.file)
    emit(result.as_dict(), as_json=args.json, human=lambda p: (
        f"exported twin {p['twin_id']} to {p['path']}: {plural(p['documents'], 'document')}, "
        f"{plural(p['chunks'], 'chunk')}, {plural(p['api_keys'], 'API key')} (metadata only), "
        f"embedder {p['embedder'] or '(none)'}"))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.ops.backup import restore_twin

    result = restore_twin(db=database(), path=args.file, twin_id=args.twin_id, replace=args.replace,
                          configured_embedder=runtime.current().embedder.name)
    for message in result.messages:
        note(message)

    def human(p: dict[str, Any]) -> str:
        source = f" (exported as {p['source_twin_id']})" if p["source_twin_id"] != p["twin_id"] else ""
        replaced = f", replacing {plural(p['replaced_documents'], 'document')}" if p["replaced_documents"] else ""
        return (f"restored twin {p['twin_id']}{source}: {plural(p['documents'], 'document')}, "
                f"{plural(p['chunks'], 'chunk')}, embedder {p['embedder'] or '(none)'}{replaced}; counts verified")

    emit(result.as_dict(), as_json=args.json, human=human)
    return 0
