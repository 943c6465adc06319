"""`twin ingest PATH...` and `twin documents list|count|delete` (direct database access, no key)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twin.cli.common import add_json_flag, add_twin_flag, database, emit, is_terminal, note, plural, twin_id_from

if TYPE_CHECKING:
    from twin.ingest.loaders import LoadResult
    from twin.ingest.schemas import DocumentInput
    from twin.storage.db import Conn, Database

_INGEST_EPILOG = """\
Ids are paths relative to the folder given (a file given by itself: its name), extension
kept: "resume.md", "work/resume.md". Running it again updates documents in place.

Files that cannot be ingested are listed on stderr (and under "skipped"/"failed" in --json)
while the rest land. Exit status 0 when everything that could be ingested was, 1 when any
file failed (unreadable, not UTF-8, encrypted PDF, too long, ...) or nothing was found.
"""


def register(subparsers: Any) -> None:
    ingest = subparsers.add_parser(
        "ingest", help="ingest files and folders (.md .txt .pdf .html .json)", epilog=_INGEST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add_twin_flag(ingest)
    ingest.add_argument("--id-prefix", default=None, metavar="PREFIX",
                        help="put PREFIX before every id from a path (e.g. two folders into one twin)")
    ingest.add_argument("--mirror", action="store_true",
                        help="also delete this twin's documents whose file under a given folder is gone")
    ingest.add_argument("--dry-run", action="store_true",
                        help="show what would be created, updated and deleted; write and embed nothing")
    ingest.add_argument("--if-empty", action="store_true",
                        help="only ingest when the twin has no documents (otherwise do nothing, exit 0)")
    add_json_flag(ingest)
    ingest.set_defaults(handler=_ingest)

    reembed = subparsers.add_parser("reembed", help="move a twin to the configured embedder (re-embeds its chunks)")
    add_twin_flag(reembed)
    add_json_flag(reembed)
    reembed.set_defaults(handler=_reembed)

    docs = subparsers.add_parser("documents", help="list, count or delete a twin's documents")
    docs_sub = docs.add_subparsers(dest="documents_command", required=True, metavar="SUBCOMMAND")
    listing = docs_sub.add_parser("list", help="list documents, newest first")
    add_twin_flag(listing)
    add_json_flag(listing)
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--cursor", default=None, help="next_cursor of the previous page")
    listing.set_defaults(handler=_list)
    counting = docs_sub.add_parser("count", help="print how many documents a twin has (0 for no such twin)")
    add_twin_flag(counting)
    add_json_flag(counting)
    counting.set_defaults(handler=_count)
    delete = docs_sub.add_parser("delete", help="delete a document and its chunks")
    delete.add_argument("document_id")
    add_twin_flag(delete)
    add_json_flag(delete)
    delete.set_defaults(handler=_delete)


class _Progress:
    """Files read, then documents stored and chunks embedded, on one stderr line; silent when
    stderr is not a terminal (pipes, CI, --json)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._open = False
        self.documents_done = 0
        self.documents_total = 0
        self.chunks_before = 0  # chunks embedded by earlier batches

    def _line(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r{text}\x1b[K")
            sys.stderr.flush()
            self._open = True

    def reading(self, done: int, total: int) -> None:
        if total >= 20:  # a few files read in a blink; PDFs in a big folder take a while
            self._line(f"reading files {done}/{total}")

    def chunks(self, done: int, total: int) -> None:
        self._line(f"ingesting: {self.documents_done}/{plural(self.documents_total, 'document')} stored, "
                   f"{plural(self.chunks_before + done, 'chunk')} embedded")

    def batch_done(self, documents: int, embedded: int) -> None:
        self.documents_done += documents
        self.chunks_before += embedded
        self.chunks(0, 0)

    def close(self) -> None:
        if self._open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._open = False


@dataclass(frozen=True)
class _Stored:
    """What ingest needs to know of a document already in the twin."""

    id: str
    source: str | None
    content_hash: str
    chunks: int


def _stored_documents(db: Database, twin_id: str) -> dict[str, _Stored]:
    from twin.ingest.documents import MAX_PAGE, list_documents

    stored: dict[str, _Stored] = {}
    cursor: str | None = None

    def page_after(conn: Conn) -> dict[str, Any]:
        return list_documents(conn, twin_id=twin_id, limit=MAX_PAGE, cursor=cursor)

    while True:
        page = db.run(page_after)
        for d in page["documents"]:
            stored[d["id"]] = _Stored(d["id"], d["source"], d["content_hash"], d["chunks"])
        cursor = page["next_cursor"]
        if not cursor:
            return stored


def _twin_document_count(db: Database, twin_id: str) -> int:
    from twin.access.twins import public_profile
    from twin.errors import NotFound

    try:
        return db.run(lambda conn: public_profile(conn, twin_id)).documents
    except NotFound:
        return 0


def _same_file_forms(source: str) -> set[str]:
    # Before ids came from paths relative to the root, sources were the path as typed, often
    # relative to the working directory: both spellings name the same file.
    return {source, os.path.relpath(source)}


def _reconcile(loaded: LoadResult, stored: dict[str, _Stored]) -> tuple[list[DocumentInput], list[str]]:
    """Documents to write, plus notes for the user.

    A file already in the twin under another id (ingested before ids kept the path and the
    extension, or from another root) keeps that id instead of becoming a second copy. An id
    that another file's document holds is updated with a warning: that is how a moved folder
    is picked up, and --id-prefix keeps two folders apart.
    """
    by_source: dict[str, list[_Stored]] = {}
    for item in stored.values():
        if item.source is not None:
            by_source.setdefault(item.source, []).append(item)
    per_file = Counter(d.source for d in loaded.documents)
    claimed = {d.id for d in loaded.documents}
    documents: list[DocumentInput] = []
    messages: list[str] = []
    for doc in loaded.documents:
        assert doc.id is not None  # loaders always set id and source
        assert doc.source is not None
        forms = _same_file_forms(doc.source)
        if doc.id not in stored and per_file[doc.source] == 1 and doc.source in loaded.loaded_sources:
            earlier = [s for form in forms for s in by_source.get(form, []) if s.id not in claimed]
            if len(earlier) == 1:
                messages.append(f"note: {doc.id}: keeping the id {earlier[0].id!r} it was ingested under before")
                claimed.add(earlier[0].id)
                doc = replace(doc, id=earlier[0].id)
        existing = stored.get(doc.id or "")
        if existing is not None and existing.source is not None and existing.source not in forms:
            messages.append(f"warning: {doc.id}: this id held {existing.source}; it now holds {doc.source} "
                            "(use --id-prefix to keep both)")
        documents.append(doc)
    return documents, messages


def _under(source: str, root: str) -> bool:
    return source.startswith(root if root.endswith(os.sep) else root + os.sep)


def _mirror_deletions(loaded: LoadResult, stored: dict[str, _Stored], documents: list[DocumentInput]) -> list[_Stored]:
    """Documents from a given folder whose file is gone (or no longer holds them: a JSON file
    that lost an entry). A file that is there but failed to load keeps its documents."""
    keep = {d.id for d in documents}
    stale = [s for s in stored.values()
             if s.id not in keep and s.source is not None and any(_under(s.source, r) for r in loaded.roots)
             and (not os.path.lexists(s.source) or s.source in loaded.loaded_sources)]
    for root in loaded.roots:
        doomed = [s for s in stale if s.source is not None and _under(s.source, root)]
        if doomed and not any(d.source and _under(d.source, root) for d in documents):
            from twin.errors import InvalidRequest

            raise InvalidRequest(
                f"{root} has no documents to ingest, so --mirror would delete all "
                f"{plural(len(doomed), 'document')} ingested from it; nothing was changed (is it the right "
                "folder, or an unmounted drive?). To empty the twin, use `twin documents delete`.",
                code="mirror_refused", details={"root": root, "documents": len(doomed)})
    return sorted(stale, key=lambda s: s.id)


def _dry_run_status(doc: DocumentInput, stored: dict[str, _Stored]) -> str:
    from twin.ingest.service import document_hash

    existing = stored.get(doc.id or "")
    if existing is None:
        return "created"
    return "unchanged" if existing.content_hash == document_hash(doc) else "updated"


def _report_problems(loaded: LoadResult, messages: Iterable[str]) -> None:
    for problem in loaded.skipped:
        note(f"skipped {problem.path}: {problem.reason}")
    for problem in loaded.failed:
        note(f"failed  {problem.path}: {problem.reason}")
    for message in messages:
        note(message)


def _ingest(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.ingest.chunking import chunk_document
    from twin.ingest.loaders import load_paths
    from twin.ingest.schemas import MAX_DOCUMENTS
    from twin.ingest.service import ingest_documents
    from twin.validation import validate_twin_id

    twin_id = validate_twin_id(twin_id_from(args), "--twin")
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        from twin.errors import InvalidRequest

        raise InvalidRequest(f"{missing[0]}: no such file or directory; nothing was ingested",
                             details={"file": missing[0]})
    db = database()
    if args.if_empty:
        present = _twin_document_count(db, twin_id)
        if present:
            emit({"twin_id": twin_id, "ingested": False, "reason": "twin_not_empty", "documents_in_twin": present},
                 as_json=args.json, human=lambda p: f"twin {twin_id} already has {plural(present, 'document')}; "
                                                     "nothing ingested (--if-empty)")
            return 0

    progress = _Progress(is_terminal() and not args.json)
    try:
        loaded = load_paths(args.paths, id_prefix=args.id_prefix, on_file=progress.reading)
        progress.close()
        stored = _stored_documents(db, twin_id)
        documents, messages = _reconcile(loaded, stored)
        deletions = _mirror_deletions(loaded, stored, documents) if args.mirror else []
        embedder = runtime.current().embedder
        sources = {d.id: d.source for d in documents}
        results: list[dict[str, Any]] = []
        tokens = 0
        if args.dry_run:
            results = [{"id": d.id, "source": d.source, "status": _dry_run_status(d, stored),
                        "chunks": len(chunk_document(d.content, title=d.title))} for d in documents]
        else:
            progress.documents_total = len(documents)
            # The HTTP limit on documents per request bounds one transaction; a big folder is several.
            for start in range(0, len(documents), MAX_DOCUMENTS):
                batch = documents[start:start + MAX_DOCUMENTS]
                result = ingest_documents(db=db, settings=runtime.settings(), twin_id=twin_id, documents=batch,
                                          embedder=embedder, progress=progress.chunks)
                results.extend({**r.as_dict(), "source": sources.get(r.id)} for r in result.documents)
                tokens += result.tokens
                progress.batch_done(len(batch), result.embedded_chunks)
            # Only after every document landed: a failed ingest never leaves the twin with less.
            _delete_documents(db, twin_id, deletions)
    finally:
        progress.close()

    payload = {
        "twin_id": twin_id, "embedder": embedder.name, "mode": embedder.mode, "dry_run": args.dry_run,
        "ingested": not args.dry_run and bool(results), "documents": results,
        "deleted": [{"id": s.id, "source": s.source, "chunks": s.chunks} for s in deletions],
        "skipped": [p.as_dict() for p in loaded.skipped], "failed": [p.as_dict() for p in loaded.failed],
        "messages": messages, "usage": {"embedding_tokens": tokens},
    }
    _report_problems(loaded, messages)
    emit(payload, as_json=args.json, human=_human_ingest)
    return 1 if loaded.failed or not results else 0


def _delete_documents(db: Database, twin_id: str, deletions: list[_Stored]) -> None:
    from twin.errors import NotFound
    from twin.ingest.documents import delete_document

    for item in deletions:
        def delete(conn: Conn, document_id: str = item.id) -> dict[str, Any]:
            return delete_document(conn, twin_id=twin_id, document_id=document_id)

        with contextlib.suppress(NotFound):  # deleted meanwhile: the outcome is the same
            db.run(delete)


def _human_ingest(p: dict[str, Any]) -> str:
    would = "would be " if p["dry_run"] else ""
    counts = Counter(d["status"] for d in p["documents"])
    parts = [f"{counts[s]} {would if s != 'unchanged' else ''}{s}" for s in ("created", "updated", "unchanged")
             if counts[s]]
    if p["deleted"]:
        parts.append(f"{len(p['deleted'])} {would}deleted")
    chunks = sum(d["chunks"] for d in p["documents"])
    note_ = " (offline embedder: set OPENAI_API_KEY for OpenAI embeddings)" if p["mode"] == "offline" else ""
    head = (f"{'dry run, nothing written: ' if p['dry_run'] else ''}twin {p['twin_id']}: "
            f"{plural(len(p['documents']), 'document')}{' (' + ', '.join(parts) + ')' if parts else ''}, "
            f"{plural(chunks, 'chunk')}, embedder {p['embedder']}{note_}")
    lines = [head]
    verb = {"created": "create", "updated": "update", "unchanged": "unchanged"}
    for d in p["documents"]:
        status = f"would {verb[d['status']]}" if p["dry_run"] and d["status"] != "unchanged" else d["status"]
        lines.append(f"  {status:<12} {d['id']} ({plural(d['chunks'], 'chunk')})")
    for d in p["deleted"]:
        lines.append(f"  {'would delete' if p['dry_run'] else 'deleted':<12} {d['id']} "
                     f"({plural(d['chunks'], 'chunk')}; its file is gone)")
    if not p["documents"]:
        lines.append("no documents found")
    if p["skipped"]:
        lines.append(f"skipped {plural(len(p['skipped']), 'file')} (listed on stderr)")
    if p["failed"]:
        landed = ("the other documents were ingested" if p["documents"] and not p["dry_run"]
                  else "fix them and run again")
        lines.append(f"FAILED: {plural(len(p['failed']), 'file')} could not be ingested (listed on stderr); {landed}")
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    from twin.ingest.documents import list_documents

    twin_id = twin_id_from(args)
    page = database().run(lambda conn: list_documents(conn, twin_id=twin_id, limit=args.limit, cursor=args.cursor))

    def human(p: dict[str, Any]) -> str:
        lines = [f"{d['id']:<40} {plural(d['chunks'], 'chunk'):>11}  {d['title'] or ''}" for d in p["documents"]]
        if p["next_cursor"]:
            lines.append(f"more: --cursor {p['next_cursor']}")
        return "\n".join(lines) or f"twin {p['twin_id']} has no documents"

    emit(page, as_json=args.json, human=human)
    return 0


def _count(args: argparse.Namespace) -> int:
    twin_id = twin_id_from(args)
    documents = _twin_document_count(database(), twin_id)
    emit({"twin_id": twin_id, "documents": documents}, as_json=args.json, human=lambda p: str(p["documents"]))
    return 0


def _delete(args: argparse.Namespace) -> int:
    from twin.ingest.documents import delete_document

    twin_id = twin_id_from(args)
    result = database().run(lambda conn: delete_document(conn, twin_id=twin_id, document_id=args.document_id))
    emit(result, as_json=args.json, human=lambda r: f"deleted {r['id']} ({plural(r['chunks_deleted'], 'chunk')})")
    return 0


def _reembed(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.ingest.reembed import reembed_twin

    embedder = runtime.current().embedder
    result = reembed_twin(db=database(), twin_id=twin_id_from(args), embedder=embedder)
    emit(result.__dict__, as_json=args.json,
         human=lambda r: f"twin {r['twin_id']}: {plural(r['chunks'], 'chunk')} re-embedded with {r['embedder']}")
    return 0
