"""`twin ingest PATH...` and `twin documents list|delete` (direct database access, no key)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from twin.cli.common import add_json_flag, add_twin_flag, database, emit, is_terminal, twin_id_from


def register(subparsers: Any) -> None:
    ingest = subparsers.add_parser("ingest", help="ingest files and folders (.md .txt .pdf .html .json)")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add_twin_flag(ingest)
    add_json_flag(ingest)
    ingest.set_defaults(handler=_ingest)

    reembed = subparsers.add_parser("reembed", help="move a twin to the configured embedder (re-embeds its chunks)")
    add_twin_flag(reembed)
    add_json_flag(reembed)
    reembed.set_defaults(handler=_reembed)

    docs = subparsers.add_parser("documents", help="list or delete a twin's documents")
    docs_sub = docs.add_subparsers(dest="documents_command", required=True, metavar="SUBCOMMAND")
    listing = docs_sub.add_parser("list", help="list documents, newest first")
    add_twin_flag(listing)
    add_json_flag(listing)
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--cursor", default=None, help="next_cursor of the previous page")
    listing.set_defaults(handler=_list)
    delete = docs_sub.add_parser("delete", help="delete a document and its chunks")
    delete.add_argument("document_id")
    add_twin_flag(delete)
    add_json_flag(delete)
    delete.set_defaults(handler=_delete)


class _ProgressBar:
    """A one-line bar on stderr; silent when stderr is not a terminal (pipes, CI, --json)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\rembedding [{'#' * filled}{'.' * (width - filled)}] {done}/{total} chunks")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _ingest(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.ingest.loaders import load_paths
    from twin.ingest.schemas import MAX_DOCUMENTS, DocumentInput
    from twin.ingest.service import ingest_documents
    from twin.validation import validate_twin_id

    twin_id = validate_twin_id(twin_id_from(args), "--twin")
    settings = runtime.settings()
    # Ids are relative to the folder given, so a/notes.md and b/notes.md stay two documents.
    documents = [
        DocumentInput(content=d.content, id=d.id, title=d.title, source=d.source, metadata=dict(d.metadata))
        for d in load_paths(args.paths)
    ]
    if not documents:
        emit({"twin_id": twin_id, "documents": []}, as_json=args.json, human=lambda p: "no documents found")
        return 1
    embedder = runtime.current().embedder
    db = database()
    results: list[dict[str, Any]] = []
    tokens = 0
    progress = _ProgressBar(is_terminal() and not args.json)
    # The HTTP limit on documents per request bounds one transaction; a big folder is several.
    for start in range(0, len(documents), MAX_DOCUMENTS):
        result = ingest_documents(db=db, settings=settings, twin_id=twin_id,
                                  documents=documents[start:start + MAX_DOCUMENTS], embedder=embedder,
                                  progress=progress)
        results.extend(d.as_dict() for d in result.documents)
        tokens += result.tokens
    payload = {"twin_id": twin_id, "embedder": embedder.name, "mode": embedder.mode, "documents": results,
               "usage": {"embedding_tokens": tokens}}

    def human(p: dict[str, Any]) -> str:
        lines = [f"  {d['status']:<9} {d['id']} ({d['chunks']} chunks)" for d in p["documents"]]
        note = " (offline embedder: set OPENAI_API_KEY for OpenAI embeddings)" if p["mode"] == "offline" else ""
        return "\n".join([f"twin {p['twin_id']}: {len(lines)} documents, embedder {p['embedder']}{note}", *lines])

    emit(payload, as_json=args.json, human=human)
    return 0


def _list(args: argparse.Namespace) -> int:
    from twin.ingest.documents import list_documents

    twin_id = twin_id_from(args)
    page = database().run(lambda conn: list_documents(conn, twin_id=twin_id, limit=args.limit, cursor=args.cursor))

    def human(p: dict[str, Any]) -> str:
        lines = [f"{d['id']:<40} {d['chunks']:>4} chunks  {d['title'] or ''}" for d in p["documents"]]
        if p["next_cursor"]:
            lines.append(f"more: --cursor {p['next_cursor']}")
        return "\n".join(lines) or f"twin {p['twin_id']} has no documents"

    emit(page, as_json=args.json, human=human)
    return 0


def _delete(args: argparse.Namespace) -> int:
    from twin.ingest.documents import delete_document

    twin_id = twin_id_from(args)
    result = database().run(lambda conn: delete_document(conn, twin_id=twin_id, document_id=args.document_id))
    emit(result, as_json=args.json, human=lambda r: f"deleted {r['id']} ({r['chunks_deleted']} chunks)")
    return 0


def _reembed(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.ingest.reembed import reembed_twin

    embedder = runtime.current().embedder
    result = reembed_twin(db=database(), twin_id=twin_id_from(args), embedder=embedder)
    emit(result.__dict__, as_json=args.json,
         human=lambda r: f"twin {r['twin_id']}: {r['chunks']} chunks re-embedded with {r['embedder']}")
    return 0
