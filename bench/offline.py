"""Offline embedders: question embedding latency, and ingest throughput through the ingest service.

    python bench/offline.py [--json] [--questions 200] [--chunks 500]

* **Question embedding**: what the chat does for an uncached question
  (``twin.chat.service._query_embedding`` -> ``embedder.embed([question])``) with the embedder
  ``twin.embeddings.selection`` builds offline: ``Padded(MiniLMEmbedder())`` (all-MiniLM-L6-v2
  int8 ONNX, 384-d, zero-padded to 1536), and the fallback hashing ``OfflineEmbedder``, on
  ``--questions`` distinct generated questions (bench/recall.py's facts), one call per
  question, the two embedders alternating question by question. The model load (file
  sha256 checks, tokenizer, ONNX session) happens on the first call and is reported apart
  (``minilm_first_vector_ms``); the p50/p95 are warm calls.
* **Ingest**: ``--chunks`` (500) paragraphs of ~800 characters (generated facts; each is one
  chunk, checked) through ``twin.ingest.service.ingest_documents``, 100 documents per call (the
  API's limit), into a fresh migrated database with its HNSW index (as a live twin is
  ingested); one twin per embedder, the two alternating call by call. ``rows_per_s`` is chunks
  over the wall time of the calls; ``embed_share`` is the part of it spent inside
  ``embed()`` (the rest is chunking, hashing and the database).
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from _support import bench_database, emit, log, median, percentile, server_facts
from recall import facts, paragraph

from twin.embeddings.base import Padded
from twin.embeddings.hashing import OfflineEmbedder
from twin.ingest.schemas import MAX_DOCUMENTS, DocumentInput
from twin.ingest.service import ingest_documents
from twin.storage.db import Database

TARGETS = {"minilm_question_p50_ms": 20.0}


class Timed:
    """The embedder unchanged, with the time spent in ``embed()`` added up."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name, self.dim, self.mode = inner.name, inner.dim, inner.mode
        self.seconds = 0.0

    def embed(self, texts: Any) -> Any:
        t = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()

    from twin.embeddings.minilm import MiniLMEmbedder

    minilm = Padded(MiniLMEmbedder())
    hashing = OfflineEmbedder()
    pool = facts(3000, seed=args.seed)
    questions = list(dict.fromkeys(f.question for f in pool))[: args.questions + 5]
    t = time.perf_counter()
    first = minilm.embed([questions[0]])
    first_ms = (time.perf_counter() - t) * 1e3
    assert len(first.vectors[0]) == 1536
    hashing.embed([questions[0]])
    for q in questions[1:5]:  # warm both
        minilm.embed([q])
        hashing.embed([q])
    minilm_ms: list[float] = []
    hashing_ms: list[float] = []
    for q in questions[5:]:
        t = time.perf_counter()
        minilm.embed([q])
        minilm_ms.append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        hashing.embed([q])
        hashing_ms.append((time.perf_counter() - t) * 1e3)
    log(f"question embedding over {len(minilm_ms)} questions: MiniLM p50 {median(minilm_ms):.2f} ms, "
        f"hashing p50 {median(hashing_ms):.2f} ms (MiniLM first vector {first_ms:.0f} ms)")

    rng = random.Random(args.seed)
    texts = [paragraph(rng, pool) for _ in range(args.chunks)]
    mean_chars = sum(map(len, texts)) / len(texts)
    sides = {"minilm": Timed(minilm), "hashing": Timed(hashing)}
    wall = dict.fromkeys(sides, 0.0)
    batch_ms: dict[str, list[float]] = {name: [] for name in sides}
    with bench_database("offline") as bench:
        settings = bench.settings()
        db = Database(settings, bench.url)
        server = db.run(server_facts)
        for start in range(0, len(texts), MAX_DOCUMENTS):
            end = min(len(texts), start + MAX_DOCUMENTS)
            docs = [DocumentInput(content=texts[i], id=f"doc-{i:05d}") for i in range(start, end)]
            for name, embedder in sides.items():
                t = time.perf_counter()
                ingested = ingest_documents(db=db, settings=settings, twin_id=f"offline-{name}", documents=docs,
                                          embedder=embedder)
                elapsed = time.perf_counter() - t
                assert all(d.chunks == 1 for d in ingested.documents), "a paragraph became more than one chunk"
                wall[name] += elapsed
                batch_ms[name].append(elapsed * 1e3)
            log(f"  ingested {end}/{len(texts)} per embedder: MiniLM {end / wall['minilm']:.1f} rows/s, "
                f"hashing {end / wall['hashing']:.1f} rows/s")
        db.close()

    rows_per_s = {name: len(texts) / wall[name] for name in sides}
    result = {
        "minilm_question_p50_ms": round(median(minilm_ms), 2),
        "minilm_question_p95_ms": round(percentile(minilm_ms, 95), 2),
        "hashing_question_p50_ms": round(median(hashing_ms), 3),
        "hashing_question_p95_ms": round(percentile(hashing_ms, 95), 3),
        "minilm_first_vector_ms": round(first_ms, 1),
        "questions": len(minilm_ms),
        "minilm_ingest_rows_per_s": round(rows_per_s["minilm"], 1),
        "hashing_ingest_rows_per_s": round(rows_per_s["hashing"], 1),
        "ratio_minilm_vs_hashing": round(rows_per_s["minilm"] / rows_per_s["hashing"], 3),
        "minilm_embed_share": round(sides["minilm"].seconds / wall["minilm"], 3),
        "hashing_embed_share": round(sides["hashing"].seconds / wall["hashing"], 3),
        "minilm_embed_chunks_per_s": round(len(texts) / sides["minilm"].seconds, 1),
        "minilm_batch_ms_p50": round(median(batch_ms["minilm"]), 1),
        "hashing_batch_ms_p50": round(median(batch_ms["hashing"]), 1),
        "chunks": len(texts),
        "mean_chunk_chars": round(mean_chars),
        "batch_size": MAX_DOCUMENTS,
        "embedders": {"minilm": minilm.name, "hashing": hashing.name},
        "meets_targets": {"minilm_question_p50_ms<=20": median(minilm_ms) <= TARGETS["minilm_question_p50_ms"]},
        "server": server,
    }
    emit(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
