"""Ingest throughput: the project's ingest service vs langchain-postgres vs a raw binary COPY.

    python bench/ingest.py [--json] [--rows 20000] [--langchain-rows 2000] [--noindex-rows 5000]
                           [--profile]

Data: ``--rows`` documents of ~800 characters of plain text (one paragraph, no headings, so
``chunk_document`` yields exactly one chunk each; checked), unique ids, and for each a given
random 1536-d unit vector. The embedder is a dict lookup of those vectors, so no model runs.
Vectors are Python ``list[float]`` for every path, as ``OpenAIEmbedder`` returns them.

Three writers, same server, same rows, same run:

* **project**: ``twin.ingest.service.ingest_documents`` with 100 documents per call (the API's
  per-request limit). Each call chunks and hashes, reads stored hashes, then in one transaction
  locks the twin, upserts ``documents``, COPYs the chunks into ``vectors`` (HNSW on
  halfvec(1536), GIN on the generated tsvector, GIN on metadata, btree on twin_id, PK, UNIQUE
  and the FK to documents) and writes the ``ingestion_metadata`` row.
* **raw COPY**: the same rows, precomputed (ids, hashes, metadata built before the clock
  starts), binary COPY with ``set_types`` into ``raw_copy``, created as
  ``CREATE TABLE raw_copy (LIKE vectors INCLUDING ALL)``. That copies every index of
  ``vectors`` (the HNSW expression index, both GIN indexes, the btree, PK and UNIQUE), the
  defaults and the generated ``fts`` column; it drops only the foreign key to ``documents``.
  It is the fairest ceiling: the database does the same per-row work (HNSW insert, tsvector,
  GIN), so the ratio measures what the service adds on top (chunking, hashing, round trips,
  the documents upsert, FK checks, the audit row). Batches are the same 100 rows, one
  transaction each, and are *interleaved* with the project's batches (project batch i, then
  raw batch i): both indexes grow in step and the 2 noisy cores' slow moments hit both.
* **langchain-postgres**: ``PGVector.add_embeddings`` (use_jsonb=True, psycopg3 SQLAlchemy
  engine) in batches of 100 on the first ``--langchain-rows`` rows (``langchain_rows``); its
  table as langchain creates it has no vector index at all, only a GIN index on cmetadata.
  That is the headline ``ratio_vs_langchain`` (as asked), but it compares a table that
  maintains HNSW with one that does not, so the same rows are then added again after
  ``CREATE INDEX ... USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops)`` on
  langchain's table (``langchain_hnsw_rows_per_s``), against the project's rate over the same
  first rows (``first_langchain_rows_rows_per_s``): ``ratio_vs_langchain_same_index``.

Then, unless ``--noindex-rows 0``: the tables are emptied, the HNSW index is dropped from both
``vectors`` and ``raw_copy``, and the first ``--noindex-rows`` rows go through the project
and raw COPY again, interleaved (``noindex_*``): what the service itself costs once the
database is not bound by HNSW maintenance, and what a load-then-``CREATE INDEX`` bulk path
would give (``hnsw_build_s``, ``load_then_build_rows_per_s``). ``--profile`` adds a cProfile
of 2,000 rows of the project's ingest in that configuration (stderr).

Reported: rows/s of each (rows / summed batch time), the ratios, per-batch medians.
Runtime at the defaults: ~8-10 minutes here, nearly all of it the database maintaining HNSW
(both the project and raw COPY run at ~90 rows/s with it).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import sys
import time
from typing import Any

import numpy as np
from _support import BenchDatabase, bench_database, emit, log, median, server_facts
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb

from twin.config import EMBEDDING_DIM
from twin.embeddings.base import EmbeddingBatch
from twin.ingest.schemas import MAX_DOCUMENTS, DocumentInput
from twin.ingest.service import VECTOR_COPY_TYPES, ingest_documents
from twin.storage.db import Database, connect, register_vector_types

BATCH = MAX_DOCUMENTS  # 100: the API's per-request document limit
TWIN = "bench"
TARGET_VS_LANGCHAIN = 25.0
TARGET_VS_RAW = 0.6


class GivenEmbedder:
    """Returns precomputed vectors by text: the model is out of the picture."""

    name = "bench:given"
    dim = EMBEDDING_DIM
    mode = "offline"

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self._vectors = vectors

    def embed(self, texts: Any) -> EmbeddingBatch:
        return EmbeddingBatch(vectors=[self._vectors[t] for t in texts], tokens=0)


def make_corpus(rows: int, seed: int) -> tuple[list[DocumentInput], list[list[float]]]:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(3, 11, size=5000)
    vocabulary = ["".join(rng.choice(letters, size=n)) for n in lengths]
    picks = rng.integers(0, len(vocabulary), size=(rows, 200))
    documents = []
    for i in range(rows):
        words = [vocabulary[j] for j in picks[i]]
        sentences, sentence, size = [], [], 0
        for w in words:
            sentence.append(w)
            size += len(w) + 1
            if len(sentence) >= 14:
                sentences.append(" ".join(sentence).capitalize() + ".")
                sentence = []
            if size >= 790:
                break
        if sentence:
            sentences.append(" ".join(sentence).capitalize() + ".")
        text = f"Record {i}. " + " ".join(sentences)
        documents.append(DocumentInput(content=text, id=f"doc-{i:06d}"))
    matrix = rng.standard_normal((rows, EMBEDDING_DIM), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return documents, matrix.tolist()


def raw_rows(documents: list[DocumentInput], vectors: list[list[float]], embedder: str) -> list[tuple[Any, ...]]:
    """The tuples the project writes (same columns, same metadata shape), built before timing."""
    out = []
    for doc, vector in zip(documents, vectors, strict=True):
        meta = {"title": None, "source": None, "heading_path": [], "char_start": 0, "char_end": len(doc.content)}
        out.append((f"{TWIN}:{doc.id}:0", vector, doc.content, Jsonb(meta), TWIN, doc.id, 0,
                    hashlib.sha256(doc.content.encode()).hexdigest(), embedder))
    return out


COPY_RAW = ("COPY raw_copy (id, embedding, content, metadata, twin_id, document_id, chunk_index, content_hash, "
            "embedder) FROM STDIN (FORMAT BINARY)")


def create_raw_copy_table(conn: Any) -> list[str]:
    conn.execute("DROP TABLE IF EXISTS raw_copy")
    conn.execute("CREATE TABLE raw_copy (LIKE vectors INCLUDING ALL)")
    rows = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'raw_copy' ORDER BY indexname").fetchall()
    return [str(r[0]) for r in rows]


def index_defs(conn: Any, table: str) -> list[str]:
    rows = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", (table,))
    return [str(r[0]) for r in rows.fetchall()]


def sqlalchemy_url(conninfo: str) -> Any:
    """psycopg3 SQLAlchemy URL; a unix-socket directory travels as ?host=/path."""
    from sqlalchemy.engine import URL

    params = conninfo_to_dict(conninfo)
    host = str(params.get("host") or "")
    return URL.create(
        "postgresql+psycopg",
        username=str(params.get("user") or "postgres"),
        password=str(params["password"]) if params.get("password") else None,
        host=None if host.startswith("/") or not host else host,
        port=int(params["port"]) if params.get("port") else None,
        database=str(params.get("dbname") or "postgres"),
        query={"host": host} if host.startswith("/") else {},
    )


class LangchainStore:
    """``PGVector`` with given embeddings on a psycopg3 SQLAlchemy engine."""

    def __init__(self, bench: BenchDatabase, lookup: dict[str, list[float]]) -> None:
        from langchain_core.embeddings import Embeddings
        from langchain_postgres import PGVector
        from sqlalchemy import create_engine

        class GivenEmbeddings(Embeddings):
            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return [lookup[t] for t in texts]

            def embed_query(self, text: str) -> list[float]:
                return lookup[text]

        self.engine = create_engine(sqlalchemy_url(bench.url))
        self.store = PGVector(embeddings=GivenEmbeddings(), connection=self.engine, collection_name="bench",
                              embedding_length=EMBEDDING_DIM, use_jsonb=True, create_extension=False)

    def add(self, documents: list[DocumentInput], vectors: list[list[float]]) -> list[float]:
        times = []
        for start in range(0, len(documents), BATCH):
            docs = documents[start:start + BATCH]
            t = time.perf_counter()
            self.store.add_embeddings(texts=[d.content for d in docs], embeddings=vectors[start:start + BATCH],
                                      metadatas=[{"document_id": d.id} for d in docs], ids=[d.id for d in docs])
            times.append(time.perf_counter() - t)
        return times

    def close(self) -> None:
        self.engine.dispose()


def interleaved(db: Database, raw_conn: Any, settings: Any, twin_id: str, documents: list[DocumentInput],
                raw: list[tuple[Any, ...]], embedder: GivenEmbedder,
                label: str) -> tuple[int, list[float], list[float]]:
    """Project batch i, then raw COPY batch i, for every batch; returns (chunks, project s, copy s)."""
    ingest_times: list[float] = []
    copy_times: list[float] = []
    chunks = 0
    for b, start in enumerate(range(0, len(documents), BATCH)):
        docs = documents[start:start + BATCH]
        t0 = time.perf_counter()
        result = ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=docs, embedder=embedder)
        t1 = time.perf_counter()
        with raw_conn.transaction(), raw_conn.cursor() as cur, cur.copy(COPY_RAW) as copy:
            copy.set_types(VECTOR_COPY_TYPES)
            for row in raw[start:start + BATCH]:
                copy.write_row(row)
        t2 = time.perf_counter()
        ingest_times.append(t1 - t0)
        copy_times.append(t2 - t1)
        if any(d.chunks != 1 or d.status != "created" for d in result.documents):
            raise SystemExit("a document did not yield exactly one new chunk; the corpus generator is off")
        chunks += sum(d.chunks for d in result.documents)
        if (b + 1) % 25 == 0 or start + BATCH >= len(documents):
            done = start + len(docs)
            log(f"[{label}] {done:>6} rows: project {done / sum(ingest_times):6.0f} rows/s, "
                f"raw COPY {done / sum(copy_times):6.0f} rows/s "
                f"(last batch {ingest_times[-1] * 1e3:.0f} / {copy_times[-1] * 1e3:.0f} ms)")
    return chunks, ingest_times, copy_times


def profile_ingest(db: Database, settings: Any, documents: list[DocumentInput], embedder: GivenEmbedder,
                   twin_id: str) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for start in range(0, len(documents), BATCH):
        ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=documents[start:start + BATCH],
                         embedder=embedder)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def rate(rows: int, seconds: float) -> float:
    return round(rows / seconds, 1) if seconds > 0 else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--rows", type=int, default=20_000, help="documents (= chunks) to ingest")
    parser.add_argument("--langchain-rows", type=int, default=2_000, help="rows measured through langchain")
    parser.add_argument("--noindex-rows", type=int, default=5_000,
                        help="rows for the comparison without the HNSW index (0 skips it)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile 2,000 more rows of the project's ingest without the HNSW index (where "
                             "the service's own overhead is visible); top functions to stderr")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    noindex_rows = min(args.noindex_rows, args.rows)
    lc_n = min(args.langchain_rows, args.rows)

    t = time.perf_counter()
    documents, vectors = make_corpus(args.rows, args.seed)
    lookup = {d.content: v for d, v in zip(documents, vectors, strict=True)}
    embedder = GivenEmbedder(lookup)
    raw = raw_rows(documents, vectors, embedder.name)
    log(f"corpus: {args.rows} documents of {median([len(d.content) for d in documents]):.0f} chars "
        f"(median) built in {time.perf_counter() - t:.1f} s")

    out: dict[str, Any] = {}
    with bench_database("ingest") as bench:
        settings = bench.settings()
        db = Database(settings, bench.url)
        raw_conn = connect(settings, bench.url)
        register_vector_types(raw_conn)
        facts = server_facts(raw_conn)
        raw_indexes = create_raw_copy_table(raw_conn)
        log(f"vectors has {len(index_defs(raw_conn, 'vectors'))} indexes, raw_copy has {len(raw_indexes)}:")
        for d in raw_indexes:
            log(f"    {d}")

        # -- A: the schema as shipped (HNSW maintained by every insert) ------------------------
        chunks, ingest_times, copy_times = interleaved(db, raw_conn, settings, TWIN, documents, raw, embedder,
                                                       "as shipped")
        stored = raw_conn.execute("SELECT (SELECT count(*) FROM vectors), (SELECT count(*) FROM raw_copy)").fetchone()
        assert stored == (chunks, args.rows), stored
        first = len(range(0, lc_n, BATCH))  # the project's batches covering the same rows langchain gets

        # -- B: langchain-postgres, default table (no vector index), then with the same HNSW ---
        log(f"langchain-postgres add_embeddings, first {lc_n} rows, batches of {BATCH}, no vector index ...")
        lc = LangchainStore(bench, lookup)
        lc_times = lc.add(documents[:lc_n], vectors[:lc_n])
        lc_indexes = index_defs(raw_conn, "langchain_pg_embedding")
        log(f"langchain: {lc_n / sum(lc_times):.0f} rows/s; its indexes: {lc_indexes}")
        raw_conn.execute("DELETE FROM langchain_pg_embedding")
        raw_conn.execute("VACUUM langchain_pg_embedding")
        raw_conn.execute("CREATE INDEX langchain_hnsw ON langchain_pg_embedding USING hnsw "
                         "((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)")
        lc_hnsw_times = lc.add(documents[:lc_n], vectors[:lc_n])
        lc.close()
        log(f"langchain with the project's HNSW index: {lc_n / sum(lc_hnsw_times):.0f} rows/s "
            f"(project on the same first {lc_n} rows: {lc_n / sum(ingest_times[:first]):.0f} rows/s)")

        # -- C: no vector index on either table (what a load-then-index bulk path would pay) ---
        if noindex_rows:
            raw_conn.execute("TRUNCATE vectors, documents, ingestion_metadata, raw_copy")
            raw_conn.execute("DELETE FROM twins")
            raw_conn.execute("DROP INDEX vectors_embedding_hnsw_idx")
            raw_conn.execute("DROP INDEX raw_copy_embedding_idx")
            raw_conn.execute("VACUUM ANALYZE vectors")
            raw_conn.execute("VACUUM ANALYZE raw_copy")
            n_chunks, n_ingest, n_copy = interleaved(db, raw_conn, settings, TWIN, documents[:noindex_rows],
                                                     raw[:noindex_rows], embedder, "no HNSW")
            raw_conn.execute("SET maintenance_work_mem = '1GB'")
            raw_conn.execute("SET statement_timeout = 0")  # the project's connections stop statements at 15 s
            t = time.perf_counter()
            raw_conn.execute("CREATE INDEX vectors_embedding_hnsw_idx ON vectors USING hnsw "
                             "((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)")
            build_s = time.perf_counter() - t
            log(f"HNSW build over {n_chunks} rows afterwards (maintenance_work_mem 1GB, "
                f"{facts['max_parallel_maintenance_workers']} parallel workers): {build_s:.1f} s")
            out.update({
                "noindex_rows": n_chunks,
                "noindex_rows_per_s": rate(n_chunks, sum(n_ingest)),
                "noindex_copy_rows_per_s": rate(noindex_rows, sum(n_copy)),
                "noindex_ratio_vs_raw_copy": round(sum(n_copy) / sum(n_ingest), 3),
                "noindex_ratio_vs_langchain": round((n_chunks / sum(n_ingest)) / (lc_n / sum(lc_times)), 2),
                "hnsw_build_s": round(build_s, 1),
                "load_then_build_rows_per_s": rate(n_chunks, sum(n_ingest) + build_s),
            })
            if args.profile:
                extra = documents[:min(2000, noindex_rows)]
                log(f"cProfile of the project's ingest, {len(extra)} rows, twin bench-profile, no HNSW index ...")
                raw_conn.execute("DROP INDEX vectors_embedding_hnsw_idx")
                print(profile_ingest(db, settings, extra, embedder, "bench-profile"), file=sys.stderr)

        raw_conn.close()
        db.close()

    rows_per_s = chunks / sum(ingest_times)
    copy_rows_per_s = args.rows / sum(copy_times)
    lc_rows_per_s = lc_n / sum(lc_times)
    result = {
        "rows": chunks,
        "rows_per_s": round(rows_per_s, 1),
        "langchain_rows": lc_n,
        "langchain_rows_per_s": round(lc_rows_per_s, 1),
        "ratio_vs_langchain": round(rows_per_s / lc_rows_per_s, 3),
        "copy_rows_per_s": round(copy_rows_per_s, 1),
        "ratio_vs_raw_copy": round(rows_per_s / copy_rows_per_s, 3),
        "ratio_vs_raw_copy_median_batch": round(median([c / i for i, c in zip(ingest_times, copy_times,
                                                                                strict=True)]), 3),
        "batch_ms_p50": round(median(ingest_times) * 1e3, 1),
        "copy_batch_ms_p50": round(median(copy_times) * 1e3, 1),
        "langchain_batch_ms_p50": round(median(lc_times) * 1e3, 1),
        "langchain_hnsw_rows_per_s": rate(lc_n, sum(lc_hnsw_times)),
        "first_langchain_rows_rows_per_s": rate(lc_n, sum(ingest_times[:first])),
        "ratio_vs_langchain_same_index": round(sum(lc_hnsw_times) / sum(ingest_times[:first]), 2),
        **out,
        "batch_size": BATCH,
        "raw_copy_target": "raw_copy (LIKE vectors INCLUDING ALL): same indexes incl. HNSW + generated fts; no FK",
        "langchain_target": "langchain_pg_embedding as langchain creates it: no vector index, GIN on cmetadata",
        "meets_targets": {"vs_langchain_25x": rows_per_s / lc_rows_per_s >= TARGET_VS_LANGCHAIN,
                          "vs_raw_copy_0.6x": rows_per_s / copy_rows_per_s >= TARGET_VS_RAW},
        "server": facts,
    }
    emit(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
