"""Recall@10 and latency of the production query path on realistic (MiniLM) embeddings, per twin size.

    python bench/recall.py [--json] [--sizes 2000,5000,10000,20000,100000] [--sentences 4000]
                           [--queries 120]

What production does: ``twin.chat.retrieval.hybrid_search(..., chunk_count=<twins.chunk_count>)``
ranks the vector side exactly (cosine at full precision over every chunk of the twin) when
``ranks_exactly(chunk_count)``, i.e. for a twin of at most ``EXACT_SEARCH_MAX_CHUNKS`` chunks, and
through the HNSW index (halfvec expression, iterative scan) above; one statement,
``chat.hybrid_search``, its ``exact`` parameter picking the branch. This bench measures, per twin,
all three: the exact branch (``exact=True``), the HNSW branch (``exact=False``) and the
production choice (from the twin's real ``chunk_count``, read from ``twins`` as
``chat.twin_with_cached_answer`` does); every path gets that real count, so the full-text side
matches words exactly as production does for a twin of that size and only the vector branch
differs, with
k = 10 and ``min_similarity`` = ``Settings().offline_min_relevance`` (what the chat passes for an
offline-mode embedder such as MiniLM). Ground truth of the hybrid path is the exact branch
(the same fusion with an exact semantic side); vector-only recall is ``semantic_search`` (HNSW)
vs ``semantic_search(exact=True)``, and the exact SQL is itself checked against a numpy brute
force over the same float32 vectors.

Data, and why it is built this way: the vectors come from the real offline embedder
(``twin.embeddings.minilm.MiniLMEmbedder``, all-MiniLM-L6-v2 int8, 384-d, stored zero-padded to
1536 as ``twin.embeddings.base.pad`` does). ``--sentences`` (4,000) generated first-person facts
(16 templates x jobs, employers, cities, relatives' names, hobbies, instruments, years...,
drawn combinatorially with a fixed seed) are embedded for real. Embedding 100,000 chunks
with MiniLM (~20 chunks/s for 800-character chunks here, more for sentences) would take
over an hour on these 2 cores, so above the real sentences a twin is filled with **mixtures**:
each extra chunk is the normalised weighted sum of 2-3 random real sentence vectors (weights
uniform in 0.5..1) and its text is those sentences joined. A mixture lies inside the cone of
real MiniLM vectors (same anisotropy, same neighbourhood densities as passages that mention
several facts), which random or gaussian vectors do not (bench/search.py's clusters). Each
twin's first min(size, sentences) chunks are the real sentences, so every fact asked about is
in every twin.

Queries (``--queries``, 120): half are paraphrased *questions* about facts in the first 2,000
sentences ("Who taught you the cello?" for "My aunt Nora taught me to play the cello when I
was 9."), half are *held-out* facts (fresh slot combinations, not in any corpus); both
embedded with MiniLM; the question text is the lexical side's query, as in the chat.

All twins live in one table (like many users in one database): one HNSW index over every
twin's rows, so the HNSW statement on a small twin is a filtered scan. Loaded with the named
``ingest.upsert_documents`` + ``ingest.copy_vectors`` binary COPY (the HNSW index dropped for
the load and re-created from the migration's definition; the ``twins.chunk_count`` triggers
fire on the COPY), then VACUUM ANALYZE, autovacuum off on the bench tables. Per twin: one
warm-up pass over 10 queries, then every query runs all paths interleaved (the three hybrid
paths in an order rotating query by query, since the first to run pays for pages the others
then find cached; then vector HNSW, vector exact), so the two noisy cores' slow moments hit
all of them. ``--filler-rows`` adds an unmeasured twin, to measure small sizes alone in a table
as large as the full run's.
``crossover`` lists the exact vs HNSW p50 per size: where the exact statement stops being the
faster one is the threshold the data supports.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from _support import bench_database, emit, log, median, percentile, server_facts
from psycopg.types.json import Jsonb

from twin.chat.retrieval import (
    EXACT_SEARCH_MAX_CHUNKS,
    hybrid_search,
    hybrid_search_params,
    ranks_exactly,
    semantic_search,
)
from twin.config import EMBEDDING_DIM
from twin.ingest.service import VECTOR_COPY_TYPES, chunk_id
from twin.storage.db import connect, register_vector_types
from twin.storage.sqlfile import query

HNSW_INDEX = "vectors_embedding_hnsw_idx"
K = 10
TARGETS = {"recall_below_threshold": 1.0, "recall_above_threshold": 0.98, "p50_ms_100k": 10.0}

# -- generated first-person facts (also used by bench/offline.py and bench/stream.py) --------------

NAMES = ["Maya", "Tom", "Aisha", "Lukas", "Priya", "Daniel", "Sofia", "Kenji", "Olu", "Elena", "Marco", "Hannah",
         "Ravi", "Chloe", "Ibrahim", "Nora", "Mateo", "Yuki", "Fatima", "Oscar", "Leila", "Jonas", "Amara", "Felix",
         "Ines", "Sam", "Zara", "Hugo", "Mei", "Arjun", "Clara", "Tariq", "Freya", "Diego", "Anya", "Kofi"]
JOBS = ["nurse", "software engineer", "data analyst", "teacher", "carpenter", "chef", "architect", "journalist",
        "product manager", "pharmacist", "electrician", "graphic designer", "accountant", "paramedic",
        "marine biologist", "translator", "barista", "civil engineer", "photographer", "librarian", "pilot",
        "physiotherapist", "sound engineer", "lawyer", "veterinarian", "bookseller", "baker", "tour guide",
        "research scientist", "UX researcher", "mechanic", "dentist"]
COMPANIES = ["Acme Robotics", "Northwind Health", "Bluefin Analytics", "the city council", "Greenleaf Foods",
             "Orbital Labs", "a small design studio", "the national rail operator", "Helios Energy",
             "a local newspaper", "Riverside Hospital", "Quantum Ledger", "Pinecone Books", "Atlas Logistics",
             "a marine research institute", "Lighthouse Games", "Summit Outdoor", "Harbor Bank", "Nimbus Cloud",
             "the public library", "Copperfield Architects", "Saffron Kitchen"]
CITIES = ["Edinburgh", "Lisbon", "Toronto", "Nairobi", "Osaka", "Berlin", "Melbourne", "Porto", "Leeds",
          "Montreal", "Seville", "Bergen", "Krakow", "Austin", "Cape Town", "Dublin", "Valencia", "Bristol",
          "Lyon", "Vancouver", "Accra", "Turin", "Gothenburg", "Wellington", "Glasgow", "Utrecht", "Bologna",
          "Denver", "Mumbai", "Hanoi", "Reykjavik", "Tallinn"]
HOBBIES = ["rock climbing", "trail running", "sea kayaking", "birdwatching", "pottery", "woodworking",
           "salsa dancing", "chess", "sourdough baking", "landscape painting", "cycling", "bouldering",
           "gardening", "knitting", "sailing", "photography", "surfing", "hiking", "archery", "fencing",
           "playing football", "open-water swimming", "calligraphy", "astronomy"]
RELATIONS = ["sister", "brother", "mother", "father", "grandmother", "grandfather", "cousin", "aunt", "uncle",
             "partner", "best friend", "neighbour"]
INSTRUMENTS = ["piano", "violin", "guitar", "cello", "drums", "saxophone", "flute", "ukulele", "trumpet", "harp"]
SUBJECTS = ["computer science", "history", "marine biology", "architecture", "economics", "philosophy",
            "mechanical engineering", "medicine", "linguistics", "physics", "music", "chemistry", "law",
            "graphic design", "mathematics", "geography"]
PETS = ["dog", "cat", "parrot", "rabbit", "tortoise", "hamster", "horse", "goldfish"]
FOODS = ["paella", "ramen", "lasagne", "jollof rice", "dumplings", "tacos", "curry", "pancakes", "risotto",
         "falafel", "pho", "shepherd's pie", "sushi", "pierogi", "moussaka"]
LANGUAGES = ["Spanish", "Portuguese", "Japanese", "German", "French", "Swahili", "Italian", "Polish",
             "Norwegian", "Dutch", "Vietnamese", "Icelandic"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PLACES = ["animal shelter", "food bank", "community garden", "children's hospital", "youth club", "museum",
          "botanical garden", "homeless shelter", "public library", "climbing gym"]
CARS = ["red Fiat Panda", "battered Volvo estate", "second-hand Golf", "tiny Mini Cooper", "blue Toyota Corolla",
        "old Land Rover", "white Renault Clio", "green Skoda Octavia"]
PRODUCTS = ["a payments app", "a booking system", "a recommendation engine", "an online shop",
            "a route planner", "a medical records system", "a mobile game", "a search engine"]

# (sentence template, question template): slots {job} {company} {city} {y1} {y2} {name} {relation}
# {instrument} {age} {subject} {hobby} {pet} {food} {language} {n} {day} {place} {car} {product}
TEMPLATES: list[tuple[str, str]] = [
    ("I worked as a {job} at {company} in {city} from {y1} to {y2}.", "Where did you work as a {job}?"),
    ("In {y1} I moved to {city} with my {relation} {name}.", "Who did you move to {city} with?"),
    ("My {relation} {name} taught me to play the {instrument} when I was {age}.",
     "Who taught you the {instrument}?"),
    ("I studied {subject} in {city} and graduated in {y1}.", "What did you study in {city}?"),
    ("On weekends I go {hobby} near {city} with my friend {name}.", "Who do you go {hobby} with?"),
    ("I have a {pet} called {name} who loves {food}.", "What is the name of your {pet}?"),
    ("I speak {language} because I lived in {city} for {n} years.", "Why do you speak {language}?"),
    ("My favourite food is {food}, which my {relation} {name} cooks every {day}.",
     "Who cooks {food} for you?"),
    ("I took up {hobby} in {y1} and still practise it twice a week.", "When did you start {hobby}?"),
    ("Before joining {company}, I spent {n} years as a {job} in {city}.",
     "What did you do before {company}?"),
    ("I was born in {city} in {y1} and my first job was as a {job}.", "Where were you born?"),
    ("I volunteer at the {place} in {city} every {day}.", "Where do you volunteer in {city}?"),
    ("My first car was a {car} that I bought in {city} in {y1}.", "What was your first car?"),
    ("I ran the {city} marathon in {y1} with my {relation} {name}.", "Did you ever run the {city} marathon?"),
    ("At {company} I led a team of {n} people building {product}.", "What did your team at {company} build?"),
    ("Every {day} evening I practise the {instrument} for an hour.", "How often do you play the {instrument}?"),
]


@dataclass(frozen=True)
class Fact:
    template: int
    slots: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return TEMPLATES[self.template][0].format(**dict(self.slots))

    @property
    def question(self) -> str:
        return TEMPLATES[self.template][1].format(**dict(self.slots))


def _draw(rng: random.Random, template: int) -> Fact:
    y1 = rng.randint(1985, 2020)
    slots = {
        "job": rng.choice(JOBS), "company": rng.choice(COMPANIES), "city": rng.choice(CITIES), "y1": str(y1),
        "y2": str(min(2025, y1 + rng.randint(1, 9))), "name": rng.choice(NAMES), "relation": rng.choice(RELATIONS),
        "instrument": rng.choice(INSTRUMENTS), "age": str(rng.randint(5, 16)), "subject": rng.choice(SUBJECTS),
        "hobby": rng.choice(HOBBIES), "pet": rng.choice(PETS), "food": rng.choice(FOODS),
        "language": rng.choice(LANGUAGES), "n": str(rng.randint(2, 12)), "day": rng.choice(DAYS),
        "place": rng.choice(PLACES), "car": rng.choice(CARS), "product": rng.choice(PRODUCTS),
    }
    used = {k: v for k, v in slots.items() if "{" + k + "}" in TEMPLATES[template][0]}
    return Fact(template, tuple(sorted(used.items())))


def facts(n: int, *, seed: int = 7, exclude: set[str] | frozenset[str] = frozenset()) -> list[Fact]:
    """``n`` distinct facts (distinct sentence texts), templates in rotation; none whose text is in ``exclude``."""
    rng = random.Random(seed)
    out: list[Fact] = []
    seen = set(exclude)
    i = 0
    while len(out) < n:
        fact = _draw(rng, i % len(TEMPLATES))
        i += 1
        if fact.text in seen:
            continue
        seen.add(fact.text)
        out.append(fact)
    return out


def paragraph(rng: random.Random, pool: list[Fact], chars: int = 800) -> str:
    """About ``chars`` characters of facts from ``pool`` (one chunk-sized paragraph)."""
    parts: list[str] = []
    size = 0
    while size < chars - 60:
        sentence = rng.choice(pool).text
        parts.append(sentence)
        size += len(sentence) + 1
    return " ".join(parts)


# -- corpus ------------------------------------------------------------------------------------------

def embed_all(embedder: Any, texts: list[str], what: str) -> np.ndarray:
    """MiniLM vectors (native 384-d, unit length) as a float32 matrix, 64 texts per call."""
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    t = time.perf_counter()
    for start in range(0, len(texts), 64):
        batch = texts[start:start + 64]
        out[start:start + len(batch)] = np.asarray(embedder.embed(batch).vectors, dtype=np.float32)
        if (start // 64) % 16 == 15:
            done = start + len(batch)
            log(f"  embedded {done}/{len(texts)} {what}, {done / (time.perf_counter() - t):.0f}/s")
    log(f"embedded {len(texts)} {what} in {time.perf_counter() - t:.1f} s")
    return out


@dataclass
class Twin:
    twin_id: str
    size: int
    texts: list[str]
    matrix: np.ndarray  # native-dimension unit vectors, float32
    mixtures: int


def build_twin(size: int, real: np.ndarray, real_texts: list[str], rng: np.random.Generator) -> Twin:
    n_real = min(size, len(real_texts))
    matrix = np.empty((size, real.shape[1]), dtype=np.float32)
    matrix[:n_real] = real[:n_real]
    texts = list(real_texts[:n_real])
    for i in range(n_real, size):
        parts = rng.choice(len(real_texts), size=int(rng.integers(2, 4)), replace=False)
        v = rng.uniform(0.5, 1.0, size=len(parts)).astype(np.float32) @ real[parts]
        matrix[i] = v / np.linalg.norm(v)
        texts.append(" ".join(real_texts[j] for j in parts))
    return Twin(twin_id=f"recall-{size}", size=size, texts=texts, matrix=matrix, mixtures=size - n_real)


def load_twin(conn: Any, twin: Twin, embedder_name: str) -> None:
    """documents rows (named upsert) + the named binary COPY the ingest service uses; 5,000 rows a transaction."""
    conn.execute(query("access.ensure_twin"), {"twin_id": twin.twin_id})
    padded = np.zeros(EMBEDDING_DIM, dtype=np.float32)
    native = twin.matrix.shape[1]
    for start in range(0, twin.size, 5_000):
        end = min(twin.size, start + 5_000)
        ids = [f"doc-{i:06d}" for i in range(start, end)]
        with conn.transaction():
            conn.execute(query("ingest.upsert_documents"), {
                "twin_id": twin.twin_id, "embedder": embedder_name, "document_ids": ids,
                "titles": [None] * len(ids), "sources": [None] * len(ids), "metadata": [Jsonb({})] * len(ids),
                "content_hashes": ["-"] * len(ids), "chunk_counts": [1] * len(ids),
                "char_counts": [len(twin.texts[i]) for i in range(start, end)],
            })
            with conn.cursor() as cur, cur.copy(query("ingest.copy_vectors")) as copy:
                copy.set_types(VECTOR_COPY_TYPES)
                for i, doc_id in zip(range(start, end), ids, strict=True):
                    padded[:native] = twin.matrix[i]  # twin.embeddings.base.pad: zeros keep the cosine
                    meta: dict[str, Any] = {"title": None, "source": None, "heading_path": [], "char_start": 0,
                            "char_end": len(twin.texts[i])}
                    copy.write_row((chunk_id(twin.twin_id, doc_id, 0), padded, twin.texts[i], Jsonb(meta),
                                    twin.twin_id, doc_id, 0, "-", embedder_name))
    conn.execute(query("ingest.set_twin_embedder"), {"twin_id": twin.twin_id, "embedder": embedder_name})


# -- measurement -------------------------------------------------------------------------------------

def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - t) * 1e3


def overlap(got: list[str], want: list[str]) -> float:
    return len(set(got) & set(want)) / len(want) if want else 1.0


def measure_twin(conn: Any, twin: Twin, queries: list[tuple[str, np.ndarray]], min_sim: float,
                 warmup: int) -> dict[str, Any]:
    row = conn.execute("SELECT chunk_count FROM twins WHERE twin_id = %s", (twin.twin_id,)).fetchone()
    chunk_count = int(row[0])
    assert chunk_count == twin.size, (chunk_count, twin.size)

    def padded(v: np.ndarray) -> list[float]:
        return [float(x) for x in v] + [0.0] * (EMBEDDING_DIM - len(v))

    def run(text: str, vec: list[float], exact: bool | None) -> tuple[list[str], float]:
        # The twin's real chunk count, so every path ORs or ANDs the words as production would;
        # exact=True/False forces only the vector branch, None is production's own choice.
        hits, ms = timed(hybrid_search, conn, twin_id=twin.twin_id, query_text=text, embedding=vec, k=K,
                         min_similarity=min_sim, chunk_count=chunk_count, exact=exact)
        return [h.chunk_id for h in hits], ms

    ids = np.array([chunk_id(twin.twin_id, f"doc-{i:06d}", 0) for i in range(twin.size)])
    for text, v in queries[:warmup]:
        vec = padded(v)
        run(text, vec, True)
        run(text, vec, False)
        semantic_search(conn, twin_id=twin.twin_id, embedding=vec, k=K)
    ms: dict[str, list[float]] = {p: [] for p in ("exact", "hnsw", "production", "vector_hnsw", "vector_exact")}
    rec: dict[str, list[float]] = {p: [] for p in ("exact", "hnsw", "production", "vector_hnsw",
                                                   "vector_exact_vs_numpy")}
    short = 0
    t = time.perf_counter()
    for i, (text, v) in enumerate(queries):
        vec = padded(v)
        # The three hybrid paths in rotating order: whichever runs first pays for the pages the
        # others then find cached (the table is far larger than shared_buffers).
        got_by: dict[str, list[str]] = {}
        paths: list[tuple[str, bool | None]] = [("exact", True), ("hnsw", False), ("production", None)]
        for path, count in paths[i % 3:] + paths[:i % 3]:
            got_by[path], m = run(text, vec, count)
            ms[path].append(m)
        truth = got_by["exact"]
        rec["hnsw"].append(overlap(got_by["hnsw"], truth))
        rec["production"].append(overlap(got_by["production"], truth))
        rec["exact"].append(1.0)
        short += len(truth) < K
        sem, m = timed(semantic_search, conn, twin_id=twin.twin_id, embedding=vec, k=K)
        ms["vector_hnsw"].append(m)
        sem_exact, m = timed(semantic_search, conn, twin_id=twin.twin_id, embedding=vec, k=K, exact=True)
        ms["vector_exact"].append(m)
        exact_ids = [c for c, _ in sem_exact]
        rec["vector_hnsw"].append(overlap([c for c, _ in sem], exact_ids))
        numpy_top = ids[np.argsort(-(twin.matrix @ v), kind="stable")[:K]].tolist()
        rec["vector_exact_vs_numpy"].append(overlap(exact_ids, numpy_top))
        if (i + 1) % 40 == 0:
            log(f"  {twin.twin_id}: {i + 1}/{len(queries)} queries, {time.perf_counter() - t:.0f} s")
    production = "exact" if ranks_exactly(chunk_count) else "hnsw"
    plans = plan_facts(conn, twin, queries[0][0], queries[0][1], min_sim)
    out: dict[str, Any] = {
        "chunk_count": chunk_count,
        "mixture_chunks": twin.mixtures,
        "production_statement": production,
        "recall_at_10": {p: round(float(np.mean(r)), 4) for p, r in rec.items()},
        "min_recall_at_10": {p: round(float(np.min(r)), 2) for p, r in rec.items()},
        "p50_ms": {p: round(median(x), 2) for p, x in ms.items()},
        "p95_ms": {p: round(percentile(x, 95), 2) for p, x in ms.items()},
        "queries_with_fewer_than_k_hits": short,
        "explain_first_query": plans,
    }
    log(f"{twin.twin_id} ({production}): recall@10 {out['recall_at_10']}, p50 ms {out['p50_ms']}")
    log(f"  EXPLAIN ANALYZE (first query): {plans}")
    return out


def plan_facts(conn: Any, twin: Twin, text: str, v: np.ndarray, min_sim: float) -> dict[str, Any]:
    """EXPLAIN (ANALYZE) of both statements for one query (warm: the second run): how the semantic CTE
    scans, its time, and the lexical side's matched rows and time, so a latency can be attributed."""
    vec = v.tolist() + [0.0] * (EMBEDDING_DIM - len(v))
    out: dict[str, Any] = {}
    for label, exact in (("exact", True), ("hnsw", False)):
        params = hybrid_search_params(twin_id=twin.twin_id, query_text=text, embedding=vec, k=K,
                                      min_similarity=min_sim, exact=exact)
        for _ in range(2):
            row = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query("chat.hybrid_search"), params,
                               prepare=False).fetchone()
        doc = row[0][0] if isinstance(row[0], list) else json.loads(row[0])[0]
        facts_: dict[str, Any] = {"execution_ms": round(doc["Execution Time"], 2),
                                  "planning_ms": round(doc["Planning Time"], 2)}

        def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
            yield node
            for child in node.get("Plans", []):
                yield from walk(child)

        for node in walk(doc["Plan"]):
            if node.get("Subplan Name") == "CTE semantic":
                inner = list(walk(node))
                facts_["semantic_ms"] = round(node["Actual Total Time"], 2)
                facts_["semantic_scan"] = sorted({f"{n['Node Type']} {n.get('Index Name', '')}".strip()
                                                  for n in inner if "Scan" in n["Node Type"]})
            if node.get("Node Type") == "Sort" and "ts_rank" in " ".join(node.get("Sort Key", [])):
                facts_["lexical_ms"] = round(node["Actual Total Time"], 2)
            if "fts" in node.get("Recheck Cond", "") and node.get("Node Type") == "Bitmap Heap Scan":
                facts_["lexical_matched_rows"] = node["Actual Rows"]
        out[label] = facts_
    return out


def make_queries(all_facts: list[Fact], n: int, seed: int) -> tuple[list[str], list[str]]:
    """(texts, kinds): half questions about facts among the first 2,000 (in every twin), half held-out facts."""
    rng = random.Random(seed)
    asked = rng.sample(all_facts[:min(2000, len(all_facts))], n // 2)
    held_out = facts(n - n // 2, seed=seed + 1, exclude={f.text for f in all_facts})
    texts = [f.question for f in asked] + [f.text for f in held_out]
    kinds = ["question"] * len(asked) + ["held_out"] * len(held_out)
    return texts, kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--sizes", default="2000,5000,10000,20000,100000", help="one twin per size (chunks)")
    parser.add_argument("--sentences", type=int, default=4000, help="real generated sentences embedded with MiniLM")
    parser.add_argument("--queries", type=int, default=120)
    parser.add_argument("--warmup", type=int, default=10, help="untimed queries per twin before the timed pass")
    parser.add_argument("--build-memory", default="2GB", help="maintenance_work_mem for the HNSW build")
    parser.add_argument("--filler-rows", type=int, default=0,
                        help="an extra, unmeasured twin of this many chunks in the same table")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    from twin.embeddings.minilm import NAME, MiniLMEmbedder

    embedder = MiniLMEmbedder()
    corpus_facts = facts(args.sentences, seed=args.seed)
    real_texts = [f.text for f in corpus_facts]
    query_texts, kinds = make_queries(corpus_facts, args.queries, args.seed + 100)
    real = embed_all(embedder, real_texts, "sentences")
    query_vecs = embed_all(embedder, query_texts, "queries")
    queries = list(zip(query_texts, query_vecs, strict=True))
    cos = real @ real[:500].T
    log(f"real sentence similarity: median {np.median(cos):.3f}, p99 {np.percentile(cos, 99):.3f}")

    rng = np.random.default_rng(args.seed)
    results: dict[str, Any] = {}
    with bench_database("recall") as bench:
        settings = bench.settings()
        min_sim = settings.offline_min_relevance  # the chat's floor for an offline-mode embedder (MiniLM)
        conn = connect(settings, bench.url)
        register_vector_types(conn)
        facts_server = server_facts(conn)
        index_def = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (HNSW_INDEX,)).fetchone()
        assert index_def is not None, "the migration did not create the HNSW index"
        conn.execute(f"DROP INDEX {HNSW_INDEX}")
        for table in ("vectors", "documents"):
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        twins = []
        t = time.perf_counter()
        for size in sizes:
            twin = build_twin(size, real, real_texts, rng)
            load_twin(conn, twin, NAME)
            twins.append(twin)
            log(f"loaded {twin.twin_id}: {size} chunks ({twin.mixtures} mixtures)")
        if args.filler_rows:  # other users' chunks: the table (and its one HNSW graph) as large as in the full run
            filler = build_twin(args.filler_rows, real, real_texts, rng)
            filler.twin_id = "recall-filler"
            load_twin(conn, filler, NAME)
            log(f"loaded {filler.twin_id}: {filler.size} chunks (not measured)")
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("SELECT set_config('maintenance_work_mem', %s, false)", (args.build_memory,))
        conn.execute("SET statement_timeout = 0")
        conn.execute(str(index_def[0]))
        conn.execute("RESET maintenance_work_mem")
        build_s = time.perf_counter() - t
        conn.execute("VACUUM ANALYZE vectors")
        conn.execute("VACUUM ANALYZE documents")
        conn.execute("RESET statement_timeout")
        log(f"load {load_s:.1f} s, HNSW build {build_s:.1f} s ({sum(sizes) + args.filler_rows} rows), "
            "VACUUM ANALYZE done")

        for twin in twins:
            results[str(twin.size)] = measure_twin(conn, twin, queries, min_sim, args.warmup)
        conn.close()

    def p50(size: int, path: str) -> float:
        return float(results[str(size)]["p50_ms"][path])

    crossover = {str(s): {"exact_p50_ms": p50(s, "exact"), "hnsw_p50_ms": p50(s, "hnsw"),
                          "faster": "exact" if p50(s, "exact") <= p50(s, "hnsw") else "hnsw"} for s in sizes}
    exact_wins = [s for s in sizes if crossover[str(s)]["faster"] == "exact"]
    hnsw_wins = [s for s in sizes if crossover[str(s)]["faster"] == "hnsw"]
    below = [s for s in sizes if s <= EXACT_SEARCH_MAX_CHUNKS]
    above = [s for s in sizes if s > EXACT_SEARCH_MAX_CHUNKS]
    largest = max(sizes)
    result = {
        "sizes": sizes,
        "recall_at_10_production": {str(s): results[str(s)]["recall_at_10"]["production"] for s in sizes},
        "recall_at_10_hnsw": {str(s): results[str(s)]["recall_at_10"]["hnsw"] for s in sizes},
        "recall_at_10_vector_hnsw": {str(s): results[str(s)]["recall_at_10"]["vector_hnsw"] for s in sizes},
        "p50_ms_production": {str(s): p50(s, "production") for s in sizes},
        "p50_ms_exact": {str(s): p50(s, "exact") for s in sizes},
        "p50_ms_hnsw": {str(s): p50(s, "hnsw") for s in sizes},
        "crossover": crossover,
        "largest_size_exact_faster": max(exact_wins) if exact_wins else None,
        "smallest_size_hnsw_faster": min(hnsw_wins) if hnsw_wins else None,
        "exact_search_max_chunks": EXACT_SEARCH_MAX_CHUNKS,
        "per_twin": results,
        "queries": len(queries),
        "query_kinds": {k: kinds.count(k) for k in sorted(set(kinds))},
        "sentences_embedded": len(real_texts),
        "embedder": NAME,
        "k": K,
        "min_similarity": min_sim,
        "hnsw_ef_search": settings.hnsw_ef_search,
        "table_rows": sum(sizes) + args.filler_rows,
        "load_s": round(load_s, 1),
        "index_build_s": round(build_s, 1),
        "meets_targets": {
            "recall==1.0 at or below threshold": all(results[str(s)]["recall_at_10"]["production"] >= 1.0
                                                     for s in below),
            "recall>=0.98 above threshold": all(results[str(s)]["recall_at_10"]["production"] >= 0.98
                                                for s in above),
            f"p50_ms<=10 at {largest}": p50(largest, "production") <= TARGETS["p50_ms_100k"],
        },
        "server": facts_server,
    }
    emit(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
