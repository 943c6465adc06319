"""`twin import upstash`: move a twin's data from the old app's Upstash Vector + Redis."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from twin.cli.common import add_json_flag, add_twin_flag, database, emit, is_terminal, twin_id_from

_EPILOG = """\
Credentials come from the flags or the environment names the old app used:
UPSTASH_VECTOR_REST_URL, UPSTASH_VECTOR_REST_TOKEN, UPSTASH_REDIS_REST_URL,
UPSTASH_REDIS_REST_TOKEN (prefer the environment: flags are visible in process lists).

Safe to run again: an interrupted import resumes after the last page written, and a
finished one writes nothing new. Exit status 0 when row counts verify, 2 when they
do not, 1 on errors.
"""


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("import", help="import data from another system (upstash)")
    sources = group.add_subparsers(dest="import_source", required=True, metavar="SOURCE")
    upstash = sources.add_parser(
        "upstash", help="vectors, cache and chat history from Upstash Vector + Redis",
        description="Import an existing twin's vectors (Upstash Vector), cached strings and chat "
                    "histories (Upstash Redis) into PostgreSQL.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    creds = upstash.add_argument_group("credentials")
    creds.add_argument("--vector-url", help="Upstash Vector REST URL (default: $UPSTASH_VECTOR_REST_URL)")
    creds.add_argument("--vector-token", help="Upstash Vector REST token (default: $UPSTASH_VECTOR_REST_TOKEN)")
    creds.add_argument("--redis-url", help="Upstash Redis REST URL (default: $UPSTASH_REDIS_REST_URL)")
    creds.add_argument("--redis-token", help="Upstash Redis REST token (default: $UPSTASH_REDIS_REST_TOKEN)")
    add_twin_flag(upstash)
    upstash.add_argument("--namespace", default="", help="Upstash Vector namespace (default: the default one)")
    upstash.add_argument("--content-field", default=None, metavar="FIELD",
                         help="where each vector's text is: 'data' or a metadata key (default: data, else "
                              "text/content/pageContent in metadata)")
    upstash.add_argument("--embedding-model", default=None, metavar="MODEL",
                         help="model that produced the Upstash vectors (default: the index's model, else "
                              "text-embedding-3-small); they are kept only if it is the twin's embedder")
    upstash.add_argument("--no-vectors", action="store_true", help="skip Upstash Vector")
    upstash.add_argument("--no-redis", action="store_true", help="skip Upstash Redis")
    upstash.add_argument("--chat-oldest-first", action="store_true",
                         help="chat lists were written with RPUSH (default: LPUSH, newest first, as "
                              "@upstash/rag-chat and LangChain do)")
    upstash.add_argument("--session-ttl", type=int, default=None, metavar="SECONDS",
                         help="expiry of imported chat sessions whose key has no TTL (default: TWIN_SESSION_TTL_S)")
    upstash.add_argument("--page-size", type=int, default=100, help="vectors per range page (1-1000)")
    upstash.add_argument("--max-retries", type=int, default=5, help="retries per Upstash request (429, 5xx, network)")
    upstash.add_argument("--backoff", type=float, default=0.5, metavar="SECONDS",
                         help="first retry delay; doubles each retry, at most 30 s")
    upstash.add_argument("--dry-run", action="store_true", help="read everything, report, write nothing")
    upstash.add_argument("--restart", action="store_true", help="ignore a checkpoint and start from the beginning")
    add_json_flag(upstash)
    upstash.set_defaults(handler=_upstash)


class _Progress:
    """One line per phase on stderr, only when stderr is a terminal (never with --json)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._phase: str | None = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self._phase is not None and phase != self._phase:
            sys.stderr.write("\n")
        self._phase = phase
        unit = "vectors" if phase == "vectors" else "keys"
        if total:
            width = 30
            filled = min(width, int(width * done / total))
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        else:
            bar = f"{done}"
        sys.stderr.write(f"\r{phase:<8} {bar} {unit}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self._phase is not None:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _upstash(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.importers.upstash.service import ImportOptions, RetryPolicy, UpstashCredentials, import_from_upstash

    settings = runtime.settings()
    credentials = UpstashCredentials.resolve(vector_url=args.vector_url, vector_token=args.vector_token,
                                             redis_url=args.redis_url, redis_token=args.redis_token)
    options = ImportOptions(
        twin_id=twin_id_from(args), namespace=args.namespace, content_field=args.content_field,
        embedding_model=args.embedding_model, vectors=not args.no_vectors, redis=not args.no_redis,
        dry_run=args.dry_run, restart=args.restart, page_size=args.page_size,
        chat_newest_first=not args.chat_oldest_first, session_ttl_s=args.session_ttl,
        retry=RetryPolicy(attempts=max(0, args.max_retries) + 1, base_s=max(0.0, args.backoff)),
    )
    progress = _Progress(is_terminal() and not args.json)
    try:
        report = import_from_upstash(db=database(), settings=settings, embedder=runtime.current().embedder,
                                     credentials=credentials, options=options, progress=progress)
    finally:
        progress.close()
    emit(report.as_dict(), as_json=args.json, human=lambda _: report.summary())
    return 0 if report.verified in (True, None) else 2
