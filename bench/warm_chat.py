"""Warm latency of the chat Lambda handler, in-process: p50 of POST /api/chat after the first calls.

    python bench/warm_chat.py --json [--mode offline|stub] [--requests 40] [--answer-words 120]

``offline`` answers with the hashing embedder (what the default Lambda layer has); ``stub`` sends
the real OpenAI SDK to the local stub (tests/support/openai_stub.py), which streams an answer of
``--answer-words`` words, one chunk per word (a model streams about one per token). Every question is distinct,
so the answer cache never answers; the first five calls are warm-up and not counted. Uses the
embedded PostgreSQL in TWIN_DATA_DIR (or DATABASE_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Bench")
os.environ["POWERTOOLS_TRACE_DISABLED"] = "1"
os.environ["TWIN_CHAT_RATE_LIMIT"] = "100000/60"

from tests.helpers import http_v2_event  # noqa: E402
from tests.support.openai_stub import OpenAIStub  # noqa: E402

WARMUP = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("offline", "stub"), default="offline")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--answer-words", type=int, default=120, help="words in the stub's streamed answer")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    answer = " ".join(f"word{i}" for i in range(max(args.answer_words - 1, 0))) + " [1]."
    stub = OpenAIStub(answer=answer).start() if args.mode == "stub" else None
    if stub is not None:
        os.environ.update(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=stub.base_url, TWIN_EMBEDDER="auto")
    else:
        os.environ.pop("OPENAI_API_KEY", None)
        os.environ["TWIN_EMBEDDER"] = "hashing"

    from twin import runtime
    from twin.aws.local_invoke import invoke
    from twin.ingest.schemas import DocumentInput
    from twin.ingest.service import ingest_documents
    from twin.storage.migrations import migrate

    db = runtime.database()
    db.run(lambda conn: migrate(conn))
    twin = f"warm-{args.mode}-{os.getpid()}"
    docs = [DocumentInput(id=f"d{i}.md", content=f"Note {i}: I worked on project {i} in Lisbon with PostgreSQL and "
                          f"Python, topic {i % 7}.") for i in range(40)]
    ingest_documents(db=db, settings=runtime.settings(), twin_id=twin, documents=docs,
                     embedder=runtime.current().embedder)
    timings: list[float] = []
    for i in range(max(args.requests, WARMUP + 1)):
        event = http_v2_event("POST", "/api/chat", body={"message": f"What did you do on project {i}, number {i * 7}?",
                                                         "twin_id": twin}, source_ip=f"198.51.100.{i % 250}")
        started = time.perf_counter()
        response = invoke("chat", event)
        elapsed = (time.perf_counter() - started) * 1000
        if response["statusCode"] != 200:
            raise SystemExit(f"chat answered {response['statusCode']}: {response.get('body')}")
        if i >= WARMUP:
            timings.append(elapsed)
    if stub is not None:
        stub.stop()
    result = {"mode": args.mode, "warm_p50_ms": round(statistics.median(timings), 2),
              "warm_p95_ms": round(sorted(timings)[int(len(timings) * 0.95) - 1], 2), "requests": len(timings)}
    if stub is not None:
        result["answer_words"] = args.answer_words
    print(json.dumps(result) if args.json else result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
