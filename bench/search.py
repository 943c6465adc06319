"""Search latency and recall: ``twin.chat.retrieval`` against 100k clustered 1536-d chunks.

    python bench/search.py [--json] [--rows 100000] [--queries 200] [--exact-queries 100]
                           [--load ingest|copy] [--incremental-index]

Data: ``--clusters`` (200) gaussian clusters on the unit sphere in 1536-d: a random unit
centre per cluster, points ``centre + N(0, sigma^2 I)`` renormalised; the default sigma
(0.0225) puts a point at cosine ~0.75 from its centre and ~0.56 from its cluster mates, about
what related passages score with text-embedding-3-small. Each chunk's text is its cluster's
three topic words plus a few random words; its metadata is ``{"category": "c0".."c9"}``
drawn independently of the cluster, so a category filter keeps ~10% of the rows spread over
every cluster (the case where a post-filtered index scan would come back short).

Load: by default through the project's ingest service (``twin.ingest.service.ingest_documents``,
100 documents per call, an embedder that hands back the precomputed vectors). The HNSW
index is dropped for the load and re-created afterwards with the exact definition the
migration gave it (read from pg_indexes), with ``maintenance_work_mem`` raised for that one
session: maintaining HNSW row by row costs ~10-15 ms per 1536-d row here (bench/ingest.py),
so a 100k load would take 20+ minutes, while the build takes a minute or two.
``--incremental-index`` keeps the index during the load instead. ``--load copy`` skips the
service and writes ``documents`` rows plus the named ``copy_vectors`` binary COPY that
twin.ingest.service uses. Load and build times are reported. Then ANALYZE, one timed pass of hybrid
search in that just-loaded state (``p50_ms_right_after_load``: the GIN index on ``fts`` still
holds its fastupdate pending list), then VACUUM ANALYZE (autovacuum's job, done explicitly:
autovacuum is switched off on the bench tables so it cannot start in the middle of a
measurement on the 2 cores), and every measurement below runs in that settled state.

Queries (``--queries``, 200): near a cluster centre (centre + noise of sigma/2, renormalised;
query i uses cluster i mod clusters), text = two of the cluster's topic words; k = 10;
hybrid_search gets min_similarity = Settings().min_relevance (0.25) as the chat does.

Two connections, both opened by ``twin.storage.db.connect`` (the project's session options:
hnsw.ef_search, iterative_scan, statement_timeout):

* **as shipped**: psycopg's default ``prepare_threshold=5``: from its 5th execution a
  statement is prepared, and after 5 more custom plans PostgreSQL may switch to a cached
  *generic* plan. The trace of the first 15 hybrid/semantic executions on a fresh connection
  shows whether it does; then ``--shipped-queries`` (20) hybrid calls are timed after 10
  warm-up calls: ``p50_ms``/``p95_ms`` are these (a warm Lambda's connection).
* **planned per execution** (``prepare_threshold=None``, as the project runs behind a pooler):
  every query warm (run once before), ``--passes`` (3) timed passes of hybrid and semantic
  search over all queries (``unprepared.*``), and one pass of filtered calls:
  ``filtered_full_k_fraction`` = share of ``hybrid_search(filters={"category": c})`` calls
  returning the full k with min_similarity 0 (only the scan can make it short), the same with
  min_similarity 0.25 and for semantic_search, and filtered recall.

``recall_at_10``: HNSW ``semantic_search`` (planned per execution, plan checked to scan the
index) vs ``semantic_search(exact=True)`` (full scan at full precision) on the same server,
over the first ``--exact-queries`` queries (each exact query scans every row: ~1.5 s at 100k
here, so 100 of them already take minutes); ``exact_p50_ms`` is the exact query's latency.
EXPLAIN: custom plans (values bound) and generic plans (``EXPLAIN (GENERIC_PLAN)``) of
hybrid_search and semantic_search, with and without a filter: does the semantic part scan
``vectors_embedding_hnsw_idx``?
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

import numpy as np
from _support import bench_database, emit, log, median, percentile, server_facts
from psycopg.types.json import Jsonb

from twin.chat.retrieval import hybrid_search, hybrid_search_params, semantic_search, vector_literal
from twin.config import EMBEDDING_DIM
from twin.embeddings.base import EmbeddingBatch
from twin.ingest.schemas import MAX_DOCUMENTS, DocumentInput
from twin.ingest.service import VECTOR_COPY_TYPES, chunk_id, ingest_documents
from twin.storage.db import Database, connect, register_vector_types
from twin.storage.sqlfile import query

TWIN = "bench"
HNSW_INDEX = "vectors_embedding_hnsw_idx"
CATEGORIES = 10
K = 10
TARGETS = {"p50_ms": 10.0, "recall_at_10": 0.95, "filtered_full_k_fraction": 0.99}


class Corpus:
    """Clustered unit vectors (float32 matrix; rows become lists only when asked) and texts."""

    def __init__(self, rows: int, clusters: int, sigma: float, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.rng = rng
        centres = rng.standard_normal((clusters, EMBEDDING_DIM), dtype=np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        self.centres = centres
        self.sigma = sigma
        self.cluster = rng.integers(0, clusters, size=rows)
        matrix = np.empty((rows, EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, rows, 10_000):  # in slices: the float64 noise would need 1.2 GB at once
            end = min(rows, start + 10_000)
            noise = rng.standard_normal((end - start, EMBEDDING_DIM), dtype=np.float32) * sigma
            block = centres[self.cluster[start:end]] + noise
            matrix[start:end] = block / np.linalg.norm(block, axis=1, keepdims=True)
        self.matrix = matrix
        self.category = rng.integers(0, CATEGORIES, size=rows)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        vocabulary = sorted({"".join(rng.choice(letters, size=n)) for n in rng.integers(4, 10, size=4000)})
        topic_ids = rng.permutation(len(vocabulary))[: clusters * 3].reshape(clusters, 3)
        self.topics = [[vocabulary[j] for j in row] for row in topic_ids]
        filler = rng.integers(0, len(vocabulary), size=(rows, 6))
        self.texts = [
            f"{' '.join(self.topics[self.cluster[i]])} note {i}: " + " ".join(vocabulary[j] for j in filler[i])
            for i in range(rows)
        ]
        self.row_of = {t: i for i, t in enumerate(self.texts)}

    def __len__(self) -> int:
        return len(self.texts)

    def documents(self, start: int, end: int) -> list[DocumentInput]:
        return [DocumentInput(content=self.texts[i], id=f"doc-{i:06d}",
                              metadata={"category": f"c{self.category[i]}"}) for i in range(start, end)]

    def queries(self, n: int) -> list[tuple[str, list[float], str]]:
        out = []
        for q in range(n):
            c = q % len(self.centres)
            v = self.centres[c] + self.rng.standard_normal(EMBEDDING_DIM, dtype=np.float32) * (self.sigma / 2)
            v /= np.linalg.norm(v)
            out.append((" ".join(self.topics[c][:2]), v.tolist(), f"c{q % CATEGORIES}"))
        return out


class GivenEmbedder:
    """Precomputed vectors by text (converted to list[float] here, as OpenAIEmbedder returns them)."""

    name = "bench:given"
    dim = EMBEDDING_DIM
    mode = "offline"

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus

    def embed(self, texts: Any) -> EmbeddingBatch:
        return EmbeddingBatch(vectors=[self._corpus.matrix[self._corpus.row_of[t]].tolist() for t in texts], tokens=0)


def load_ingest(bench: Any, corpus: Corpus) -> None:
    settings = bench.settings()
    db = Database(settings, bench.url)
    embedder = GivenEmbedder(corpus)
    t = time.perf_counter()
    for start in range(0, len(corpus), MAX_DOCUMENTS):
        end = min(len(corpus), start + MAX_DOCUMENTS)
        result = ingest_documents(db=db, settings=settings, twin_id=TWIN, documents=corpus.documents(start, end),
                                  embedder=embedder)
        assert all(d.chunks == 1 for d in result.documents)
        if (end // MAX_DOCUMENTS) % 100 == 0 or end == len(corpus):
            log(f"  ingested {end:>7} rows, {end / (time.perf_counter() - t):6.0f} rows/s")
    db.close()


def load_copy(conn: Any, corpus: Corpus, embedder_name: str) -> None:
    """documents rows (named upsert) + the named binary COPY twin.ingest.service uses, 5,000 rows a time."""
    register_vector_types(conn)
    conn.execute(query("access.ensure_twin"), {"twin_id": TWIN})
    t = time.perf_counter()
    step = 5_000
    for start in range(0, len(corpus), step):
        end = min(len(corpus), start + step)
        docs = corpus.documents(start, end)
        with conn.transaction():
            conn.execute("SET LOCAL statement_timeout = 0")  # 5,000 rows with --incremental-index exceed 15 s
            conn.execute(query("ingest.upsert_documents"), {
                "twin_id": TWIN, "embedder": embedder_name, "document_ids": [d.id for d in docs],
                "titles": [None] * len(docs), "sources": [None] * len(docs),
                "metadata": [Jsonb(d.metadata) for d in docs], "content_hashes": ["-"] * len(docs),
                "chunk_counts": [1] * len(docs), "char_counts": [len(d.content) for d in docs],
            })
            with conn.cursor() as cur, cur.copy(query("ingest.copy_vectors")) as copy:
                copy.set_types(VECTOR_COPY_TYPES)
                for i, d in zip(range(start, end), docs, strict=True):
                    meta = {**d.metadata, "title": None, "source": None, "heading_path": [], "char_start": 0,
                            "char_end": len(d.content)}
                    copy.write_row((chunk_id(TWIN, d.id, 0), corpus.matrix[i], d.content, Jsonb(meta), TWIN, d.id,
                                    0, "-", embedder_name))
        log(f"  copied {end:>7} rows, {end / (time.perf_counter() - t):6.0f} rows/s")
    conn.execute(query("ingest.set_twin_embedder"), {"twin_id": TWIN, "embedder": embedder_name})


def hybrid_params(text: str, vector: list[float], filters: dict[str, Any] | None,
                  min_similarity: float) -> dict[str, Any]:
    """Exactly what production binds (twin.chat.retrieval.hybrid_search_params), for EXPLAIN."""
    return hybrid_search_params(twin_id=TWIN, query_text=text, embedding=vector, k=K, filters=filters,
                                min_similarity=min_similarity)


def semantic_cte_uses_hnsw(plan: str) -> bool:
    """True when the plan's ``CTE semantic`` subtree scans the HNSW index."""
    lines = plan.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("CTE semantic"):
            indent = len(line) - len(line.lstrip())
            for sub in lines[i + 1:]:
                if sub.strip() and len(sub) - len(sub.lstrip()) <= indent:
                    break
                if HNSW_INDEX in sub:
                    return True
            return False
    return HNSW_INDEX in plan  # no CTE node (semantic_search): the whole plan


def explain(conn: Any, name: str, params: dict[str, Any], generic: bool) -> str:
    """The custom plan (values bound, as an unprepared execution gets) or the generic plan
    (``EXPLAIN (GENERIC_PLAN)``, PostgreSQL >= 16: what a prepared statement may switch to)."""
    if generic:
        names: list[str] = []

        def placeholder(m: re.Match[str]) -> str:
            if m.group(1) not in names:
                names.append(m.group(1))
            return f"${names.index(m.group(1)) + 1}"

        text = re.sub(r"%\((\w+)\)s", placeholder, query(name))
        rows = conn.execute("EXPLAIN (GENERIC_PLAN) " + text, prepare=False).fetchall()
    else:
        rows = conn.execute("EXPLAIN " + query(name), params, prepare=False).fetchall()
    return "\n".join(str(r[0]) for r in rows)


def compact(plan: str) -> str:
    """A plan fit to print: the 1536 numbers of the query vector elided."""
    return re.sub(r"'\[[^']{40,}\]'", "'[...]'", plan)


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - t) * 1e3


Query = tuple[str, list[float], str]


def hybrid(conn: Any, q: Query, min_sim: float, filtered: bool = False) -> tuple[Any, float]:
    text, vec, cat = q
    return timed(hybrid_search, conn, twin_id=TWIN, query_text=text, embedding=vec, k=K,
                 filters={"category": cat} if filtered else None, min_similarity=min_sim)


def semantic(conn: Any, q: Query, filtered: bool = False, exact: bool = False) -> tuple[Any, float]:
    _, vec, cat = q
    return timed(semantic_search, conn, twin_id=TWIN, embedding=vec, k=K,
                 filters={"category": cat} if filtered else None, exact=exact)


def recall(got: list[list[str]], want: list[set[str]]) -> float:
    return float(np.mean([len(w & set(g)) / K for g, w in zip(got, want, strict=False)]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--sigma", type=float, default=0.0225, help="per-dimension noise around a cluster centre")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the queries (after one warm-up)")
    parser.add_argument("--shipped-queries", type=int, default=20,
                        help="timed hybrid calls on the as-shipped connection (after 10 warm-up calls)")
    parser.add_argument("--exact-queries", type=int, default=100, help="queries with exact ground truth")
    parser.add_argument("--load", choices=["ingest", "copy"], default="ingest")
    parser.add_argument("--incremental-index", action="store_true",
                        help="keep the HNSW index during the load (every insert maintains it; slow)")
    parser.add_argument("--build-memory", default="2GB", help="maintenance_work_mem for the index build")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    t = time.perf_counter()
    corpus = Corpus(args.rows, args.clusters, args.sigma, args.seed)
    queries = corpus.queries(args.queries)
    cos_centre = float(np.mean(np.sum(corpus.matrix[:2000] * corpus.centres[corpus.cluster[:2000]], axis=1)))
    log(f"corpus: {args.rows} rows, {args.clusters} clusters, mean cos to centre {cos_centre:.3f}, "
        f"built in {time.perf_counter() - t:.1f} s")

    with bench_database("search") as bench:
        settings = bench.settings()
        conn = connect(settings, bench.url)  # the project's session options (ef_search, iterative_scan)
        facts = server_facts(conn)
        index_def = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (HNSW_INDEX,)).fetchone()
        assert index_def is not None, "the migration did not create the HNSW index"
        if not args.incremental_index:
            conn.execute(f"DROP INDEX {HNSW_INDEX}")
        # The explicit VACUUM ANALYZE below does autovacuum's job at a known moment; left on,
        # autovacuum would wake up in the middle of a measurement and take one of the 2 cores.
        for table in ("vectors", "documents"):
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")

        log(f"loading {args.rows} rows via {'the ingest service' if args.load == 'ingest' else 'copy_vectors'} "
            f"({'HNSW maintained per insert' if args.incremental_index else 'HNSW index dropped for the load'}) ...")
        t = time.perf_counter()
        if args.load == "ingest":
            load_ingest(bench, corpus)
        else:
            load_copy(conn, corpus, GivenEmbedder.name)
        load_s = time.perf_counter() - t
        build_s = 0.0
        if not args.incremental_index:
            log(f"re-creating the migration's index: {index_def[0]}")
            t = time.perf_counter()
            conn.execute("SELECT set_config('maintenance_work_mem', %s, false)", (args.build_memory,))
            conn.execute("SET statement_timeout = 0")  # the project's connections stop statements at 15 s
            conn.execute(str(index_def[0]))
            conn.execute("RESET maintenance_work_mem")
            conn.execute("RESET statement_timeout")
            build_s = time.perf_counter() - t
            log(f"HNSW build: {build_s:.1f} s")
        t = time.perf_counter()
        conn.execute("ANALYZE")
        log(f"loaded in {load_s:.1f} s ({args.rows / load_s:.0f} rows/s), index build {build_s:.1f} s, "
            f"ANALYZE {time.perf_counter() - t:.1f} s")
        count = conn.execute("SELECT count(*) FROM vectors WHERE twin_id = %s", (TWIN,)).fetchone()
        assert count == (args.rows,), count
        min_sim = settings.min_relevance
        text0, vec0, cat0 = queries[0]

        # Right after a bulk load the GIN index on fts still holds its pending list (fastupdate=on)
        # that every full-text lookup scans; VACUUM (normally autovacuum) merges it into the index.
        fresh_state = connect(settings, bench.url)
        fresh_state.prepare_threshold = None
        for q in queries:
            hybrid(fresh_state, q, min_sim)
        before_vacuum_ms = [hybrid(fresh_state, q, min_sim)[1] for q in queries]
        fresh_state.close()
        t = time.perf_counter()
        conn.execute("SET statement_timeout = 0")
        conn.execute("VACUUM ANALYZE vectors")
        conn.execute("RESET statement_timeout")
        vacuum_s = time.perf_counter() - t
        log(f"hybrid p50 right after the load: {median(before_vacuum_ms):.2f} ms; then VACUUM ANALYZE vectors "
            f"({vacuum_s:.1f} s)")
        plans = {}
        for label, name, params in (
            ("hybrid", "chat.hybrid_search", hybrid_params(text0, vec0, None, min_sim)),
            ("hybrid_filtered", "chat.hybrid_search", hybrid_params(text0, vec0, {"category": cat0}, min_sim)),
            ("semantic", "chat.semantic_search", {"twin_id": TWIN, "embedding": vector_literal(vec0),
                                             "filter": None, "k": K}),
            ("semantic_filtered", "chat.semantic_search", {"twin_id": TWIN, "embedding": vector_literal(vec0),
                                                      "filter": Jsonb({"category": cat0}), "k": K}),
        ):
            for generic in (False, True):
                plan = explain(conn, name, params, generic)
                plans[f"{label}{'_generic' if generic else ''}"] = semantic_cte_uses_hnsw(plan)
                if label in ("hybrid", "semantic", "semantic_filtered"):
                    log(f"EXPLAIN {name} ({'generic' if generic else 'custom'} plan, "
                        f"{'filtered' if 'filtered' in label else 'no filter'}):\n{compact(plan)}")
        log(f"HNSW index used by the semantic part: {plans}")
        for _ in range(2):  # the second run is the warm one
            rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + query("chat.hybrid_search"),
                                hybrid_params(text0, vec0, None, min_sim), prepare=False).fetchall()
        log("EXPLAIN ANALYZE hybrid_search (custom plan, warm):\n" + compact("\n".join(str(r[0]) for r in rows)))

        # How a warm connection behaves as statements repeat: psycopg prepares a statement on its
        # 5th execution; PostgreSQL plans 5 more with their values, then may keep a generic plan.
        fresh = connect(settings, bench.url)
        trace_hybrid = [hybrid(fresh, q, min_sim)[1] for q in queries[:15]]
        trace_semantic = [semantic(fresh, q)[1] for q in queries[:15]]
        fresh.close()
        log(f"first 15 executions on a fresh connection, hybrid (ms): {[round(x, 1) for x in trace_hybrid]}")
        log(f"first 15 executions on a fresh connection, semantic (ms): {[round(x, 1) for x in trace_semantic]}")

        # -- as shipped: psycopg's default prepare_threshold on the project's connection ----------
        shipped_q = queries[:args.shipped_queries]
        for q in queries[:10]:
            hybrid(conn, q, min_sim)
        shipped_ms = [hybrid(conn, q, min_sim)[1] for q in shipped_q]
        log(f"[as shipped] hybrid over {len(shipped_q)} warm calls: p50 {median(shipped_ms):.1f} ms, "
            f"p95 {percentile(shipped_ms, 95):.1f} ms")

        # -- planned per execution --------------------------------------------------------------
        per_exec = connect(settings, bench.url)
        per_exec.prepare_threshold = None
        for q in queries:
            hybrid(per_exec, q, min_sim)
            semantic(per_exec, q)
        hybrid_ms: list[float] = []
        semantic_ms: list[float] = []
        ann: list[list[str]] = []
        for p in range(args.passes):
            for q in queries:
                hybrid_ms.append(hybrid(per_exec, q, min_sim)[1])
                hits, ms = semantic(per_exec, q)
                semantic_ms.append(ms)
                if p == 0:
                    ann.append([h[0] for h in hits])
            log(f"[per execution] pass {p + 1}/{args.passes}: hybrid p50 {median(hybrid_ms):.2f} ms, "
                f"p95 {percentile(hybrid_ms, 95):.2f} ms; semantic p50 {median(semantic_ms):.2f} ms")

        log(f"[per execution] filtered: {len(queries)} queries, hybrid (min_similarity 0 and {min_sim}) "
            f"and semantic ...")
        filtered_ms: list[float] = []
        full_k = full_k_min_sim = full_k_semantic = 0
        ann_filtered: list[list[str]] = []
        for q in queries:
            hits, ms = hybrid(per_exec, q, 0.0, filtered=True)
            filtered_ms.append(ms)
            full_k += len(hits) == K and all(h.metadata.get("category") == q[2] for h in hits)
            hits, _ = hybrid(per_exec, q, min_sim, filtered=True)
            full_k_min_sim += len(hits) == K
            hits, _ = semantic(per_exec, q, filtered=True)
            full_k_semantic += len(hits) == K
            ann_filtered.append([h[0] for h in hits])
        log(f"  filtered hybrid p50 {median(filtered_ms):.1f} ms; full k: {full_k}/{len(queries)} "
            f"(min_similarity {min_sim}: {full_k_min_sim}, semantic: {full_k_semantic})")
        # Production asks for k = Settings().search_k (5): fewer candidates (40) on both sides.
        k5_ms = [timed(hybrid_search, per_exec, twin_id=TWIN, query_text=q[0], embedding=q[1], k=settings.search_k,
                       min_similarity=min_sim)[1] for q in queries]
        log(f"[per execution] hybrid k={settings.search_k}: p50 {median(k5_ms):.2f} ms")
        per_exec.close()

        exact_q = queries[:args.exact_queries]
        log(f"exact search for {len(exact_q)} queries (full scan), unfiltered and filtered ...")
        exact_ms: list[float] = []
        exact_filtered_ms: list[float] = []
        truth: list[set[str]] = []
        truth_filtered: list[set[str]] = []
        for i, q in enumerate(exact_q):
            hits, ms = semantic(conn, q, exact=True)
            exact_ms.append(ms)
            truth.append({h[0] for h in hits})
            hits, ms = semantic(conn, q, filtered=True, exact=True)
            exact_filtered_ms.append(ms)
            truth_filtered.append({h[0] for h in hits})
            if (i + 1) % 25 == 0:
                log(f"  {i + 1} exact queries, p50 {median(exact_ms):.0f} ms")
        conn.close()

    recall_at_10 = recall(ann, truth)
    per_query = [len(w & set(g)) / K for g, w in zip(ann, truth, strict=False)]
    filtered_full_k = full_k / len(queries)
    result = {
        "rows": args.rows,
        "p50_ms": round(median(shipped_ms), 2),
        "p95_ms": round(percentile(shipped_ms, 95), 2),
        "recall_at_10": round(recall_at_10, 4),
        "exact_p50_ms": round(median(exact_ms), 1),
        "filtered_full_k_fraction": round(filtered_full_k, 4),
        "p50_ms_planned_per_execution": round(median(hybrid_ms), 2),
        "p95_ms_planned_per_execution": round(percentile(hybrid_ms, 95), 2),
        "semantic_p50_ms_planned_per_execution": round(median(semantic_ms), 2),
        "p50_ms_k5": round(median(k5_ms), 2),
        "p50_ms_right_after_load": round(median(before_vacuum_ms), 2),
        "vacuum_s": round(vacuum_s, 1),
        "first_15_hybrid_ms_fresh_connection": [round(x, 1) for x in trace_hybrid],
        "first_15_semantic_ms_fresh_connection": [round(x, 1) for x in trace_semantic],
        "min_recall_at_10": round(min(per_query), 2),
        "filtered_p50_ms": round(median(filtered_ms), 2),
        "filtered_p95_ms": round(percentile(filtered_ms, 95), 2),
        "filtered_full_k_fraction_min_similarity": round(full_k_min_sim / len(queries), 4),
        "filtered_full_k_fraction_semantic": round(full_k_semantic / len(queries), 4),
        "filtered_recall_at_10": round(recall(ann_filtered, truth_filtered), 4),
        "exact_filtered_p50_ms": round(median(exact_filtered_ms), 1),
        "queries": len(queries),
        "shipped_timed_calls": len(shipped_ms),
        "planned_timed_calls": len(hybrid_ms),
        "exact_queries": len(exact_q),
        "k": K,
        "load": args.load,
        "load_s": round(load_s, 1),
        "load_rows_per_s": round(args.rows / load_s, 1),
        "index_build_s": round(build_s, 1),
        "index_built": "per insert during load" if args.incremental_index else "CREATE INDEX after load",
        "hnsw_index_used": plans,
        "hnsw_ef_search": settings.hnsw_ef_search,
        "mean_cos_to_centre": round(cos_centre, 3),
        "meets_targets": {
            "p50_ms<=10": median(shipped_ms) <= TARGETS["p50_ms"],
            "recall>=0.95": recall_at_10 >= TARGETS["recall_at_10"],
            "filtered_full_k>=0.99": filtered_full_k >= TARGETS["filtered_full_k_fraction"],
            "p50_ms<=10 planned per execution": median(hybrid_ms) <= TARGETS["p50_ms"],
        },
        "server": facts,
    }
    emit(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
