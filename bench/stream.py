"""Streaming chat: time to the first byte and to the first ``delta`` of POST /api/chat/stream vs
the buffered POST /api/chat, on the local server.

    python bench/stream.py [--json] [--requests 30] [--paced-ms 10]

The server is the project's own ``twin serve`` (uvicorn + ``twin.api.local_app.build_local_app``)
started as a subprocess on a free 127.0.0.1 port against this run's database, once per mode:

* **offline**: no OpenAI key, ``TWIN_EMBEDDER=auto`` -> MiniLM (``Padded(MiniLMEmbedder())``);
  the answer is the offline composer's, streamed in word pieces;
* **stub**: ``OPENAI_API_KEY=sk-test``, ``OPENAI_BASE_URL`` = ``tests/support/openai_stub.py``'s
  ``OpenAIStub`` run by this script on 127.0.0.1 (it speaks the streaming chat API: one
  chunk per word), ``TWIN_EMBEDDER=auto`` -> ``OpenAIEmbedder`` against the stub. Measured twice:
  the stub sending its chunks back to back (``stub``: the service's own overhead), and
  ``--paced-ms`` (10 ms) between chunks (``stub_paced``: roughly a hosted model's token rate,
  where streaming pays off).

Each mode has its own twin, ingested by this script through ``twin.ingest.service.ingest_documents``
with the very embedder the server builds (so the twin's stored embedder matches): 40 paragraphs
of ~800 characters of generated first-person facts (bench/recall.py). Questions are generated
questions about those facts, every request a distinct question, so neither the answer cache
nor the question-embedding cache answers; after 3 warm-up requests of each route, the
stream and buffered requests alternate. One new HTTP/1.1 connection per request (http.client):

* ``ttfb_ms``: request sent -> status line and headers read (StreamingResponse sends them
  with the first event, ``meta``, which the route yields only after every refusal check);
* ``first_event_ms``: -> first body bytes; ``first_delta_ms``: -> the first ``event: delta``;
* ``stream_total_ms``: -> the stream closes (after ``done``);
* ``buffered_ms``: POST /api/chat, request sent -> whole JSON answer read.

Ratios (``first_delta_vs_buffered``) are of medians measured in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
from dataclasses import replace
from typing import Any

from _support import REPO, bench_database, emit, log, median, percentile
from recall import facts, paragraph

from twin.ingest.schemas import DocumentInput
from twin.ingest.service import ingest_documents
from twin.storage.db import Database

STUB_ANSWER = ("I worked as a data analyst at Bluefin Analytics in Lisbon for several years [1], and before "
               "that I spent a while as a teacher in Leeds [2]. On weekends I still go trail running near the "
               "coast with my friend Maya, and most evenings I practise the cello for an hour. If you want to "
               "know more about any of these, ask me about a specific year or place and I will tell you what "
               "I remember [1][2].")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(port: int, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """One request on a new connection; times from the moment the request is sent."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = json.dumps(payload).encode()
    conn.connect()
    t0 = time.perf_counter()
    conn.request("POST", path, body=body, headers={"content-type": "application/json"})
    resp = conn.getresponse()
    t_headers = time.perf_counter()
    first_byte = first_delta = None
    data = b""
    while True:
        chunk = resp.read1(65536)
        if not chunk:
            break
        now = time.perf_counter()
        if first_byte is None:
            first_byte = now
        data += chunk
        if first_delta is None and b"event: delta" in data:
            first_delta = now
    t_end = time.perf_counter()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"{path} answered {resp.status}: {data[:300]!r}")

    def ms(t: float | None) -> float | None:
        return None if t is None else (t - t0) * 1e3

    return {"ttfb": ms(t_headers), "first_event": ms(first_byte), "first_delta": ms(first_delta),
            "total": ms(t_end), "body": data}


def sse_events(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.decode().split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith(":")]
        name = next((ln[7:] for ln in lines if ln.startswith("event: ")), None)
        data = next((ln[6:] for ln in lines if ln.startswith("data: ")), None)
        if name and data is not None:
            events.append((name, json.loads(data)))
    return events


class Server:
    """``twin serve`` in a subprocess (started and stopped here, by its own pid)."""

    def __init__(self, env: dict[str, str], log_path: str) -> None:
        self.port = free_port()
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "twin.cli.main", "serve", "--host", "127.0.0.1",
                                      "--port", str(self.port)], env=env, cwd=REPO, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"twin serve exited with {self.proc.returncode}; see {log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"twin serve did not answer /api/health in 60 s; see {log_path}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def server_env(bench: Any, twin_id: str, *, stub_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "TWIN_"))}
    env.update({
        "DATABASE_URL": bench.url, "TWIN_DATA_DIR": str(bench.data_dir), "TWIN_EMBEDDER": "auto",
        "TWIN_DEFAULT_TWIN": twin_id, "TWIN_CHAT_RATE_LIMIT": "100000/60", "TWIN_WARMUP": "0",
        "PYTHONPATH": str(REPO / "shared"), "ORT_DISABLE_TELEMETRY": "1",
    })
    if stub_url:
        env.update({"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": stub_url})
    return env


def measure(port: int, twin_id: str, questions: list[str], warmup: int) -> dict[str, Any]:
    stream_runs: list[dict[str, Any]] = []
    buffered: list[float] = []
    it = iter(questions)
    for _ in range(warmup):
        post(port, "/api/chat/stream", {"message": next(it), "twin_id": twin_id})
        post(port, "/api/chat", {"message": next(it), "twin_id": twin_id})
    deltas = []
    for q_stream, q_buffered in zip(it, it, strict=False):
        run = post(port, "/api/chat/stream", {"message": q_stream, "twin_id": twin_id})
        events = sse_events(run["body"])
        names = [n for n, _ in events]
        assert names[0] == "meta", names
        assert names[-1] == "done", names
        assert "error" not in names, names
        assert events[0][1]["cached"] is False, "the answer cache answered: questions must be distinct"
        deltas.append(names.count("delta"))
        stream_runs.append(run)
        answer = post(port, "/api/chat", {"message": q_buffered, "twin_id": twin_id})
        reply = json.loads(answer["body"])
        assert reply["cached"] is False, reply
        assert reply["answer"], reply
        buffered.append(answer["total"])

    def p(field: str, q: float = 50) -> float:
        values = [r[field] for r in stream_runs if r[field] is not None]
        return round(percentile(values, q) if q != 50 else median(values), 2)

    out = {
        "ttfb_ms": p("ttfb"), "first_event_ms": p("first_event"), "first_delta_ms": p("first_delta"),
        "stream_total_ms": p("total"), "buffered_ms": round(median(buffered), 2),
        "ttfb_p95_ms": p("ttfb", 95), "first_delta_p95_ms": p("first_delta", 95),
        "buffered_p95_ms": round(percentile(buffered, 95), 2),
        "requests_per_route": len(buffered), "deltas_per_answer_p50": median(deltas),
    }
    out["first_delta_vs_buffered"] = round(out["first_delta_ms"] / out["buffered_ms"], 3)
    out["ttfb_vs_buffered"] = round(out["ttfb_ms"] / out["buffered_ms"], 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per route and mode")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--paced-ms", type=float, default=10.0, help="stub pause between streamed chunks")
    parser.add_argument("--paragraphs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))  # tests/support is not a package of the install
    from tests.support.openai_stub import OpenAIStub

    rng = random.Random(args.seed)
    pool = facts(400, seed=args.seed)
    paragraphs = [paragraph(rng, pool) for _ in range(args.paragraphs)]
    in_twin = [f for f in pool if any(f.text in p for p in paragraphs)]
    per_mode = 2 * (args.requests + args.warmup)
    questions = list(dict.fromkeys(f.question for f in in_twin))
    needed = 3 * per_mode
    if len(questions) < needed:  # reword to keep every request distinct
        questions += [f"{q} Tell me more." for q in questions][: needed - len(questions)]
    assert len(set(questions)) >= needed, (len(set(questions)), needed)
    docs = [DocumentInput(content=p, id=f"p{i:03d}") for i, p in enumerate(paragraphs)]

    results: dict[str, Any] = {}
    with bench_database("stream") as bench, OpenAIStub(answer=STUB_ANSWER) as stub:
        settings = bench.settings()
        db = Database(settings, bench.url)
        from twin.embeddings.selection import build_embedder

        offline_embedder = build_embedder(replace(settings, embedder="auto", openai_api_key=""))
        stub_settings = replace(settings, embedder="auto", openai_api_key="sk-test", openai_base_url=stub.base_url)
        stub_embedder = build_embedder(stub_settings)
        log(f"ingesting {len(docs)} paragraphs with {offline_embedder.name} and with {stub_embedder.name} (stub)")
        ingest_documents(db=db, settings=settings, twin_id="stream-offline", documents=docs, embedder=offline_embedder)
        ingest_documents(db=db, settings=stub_settings, twin_id="stream-stub", documents=docs, embedder=stub_embedder)
        db.close()

        plan = [("offline", "stream-offline", None, None),
                ("stub", "stream-stub", stub.base_url, 0.0),
                ("stub_paced", "stream-stub", stub.base_url, args.paced_ms / 1e3)]
        servers: dict[str | None, Server] = {}
        try:
            for i, (mode, twin_id, url, delay) in enumerate(plan):
                if url not in servers:
                    t = time.perf_counter()
                    servers[url] = Server(server_env(bench, twin_id, stub_url=url),
                                          str(bench.data_dir / f"serve-{mode}.log"))
                    log(f"twin serve ({mode}) up on port {servers[url].port} in {time.perf_counter() - t:.1f} s")
                if delay is not None:
                    stub.stream_delay_s = delay
                calls_before = len(stub.calls("/chat/completions"))
                qs = questions[i * per_mode:(i + 1) * per_mode]
                results[mode] = measure(servers[url].port, twin_id, qs, args.warmup)
                if url:
                    results[mode]["stub_completion_calls"] = len(stub.calls("/chat/completions")) - calls_before
                log(f"{mode}: {results[mode]}")
        finally:
            for server in servers.values():
                server.stop()

    result = {
        "offline_ttfb_ms": results["offline"]["ttfb_ms"],
        "offline_first_delta_ms": results["offline"]["first_delta_ms"],
        "offline_buffered_ms": results["offline"]["buffered_ms"],
        "offline_first_delta_vs_buffered": results["offline"]["first_delta_vs_buffered"],
        "stub_ttfb_ms": results["stub"]["ttfb_ms"],
        "stub_first_delta_ms": results["stub"]["first_delta_ms"],
        "stub_buffered_ms": results["stub"]["buffered_ms"],
        "stub_first_delta_vs_buffered": results["stub"]["first_delta_vs_buffered"],
        "stub_paced_first_delta_ms": results["stub_paced"]["first_delta_ms"],
        "stub_paced_buffered_ms": results["stub_paced"]["buffered_ms"],
        "stub_paced_first_delta_vs_buffered": results["stub_paced"]["first_delta_vs_buffered"],
        "modes": results,
        "paced_ms_between_chunks": args.paced_ms,
        "stub_answer_words": len(STUB_ANSWER.split()),
        "paragraphs": len(docs),
        "embedders": {"offline": offline_embedder.name, "stub": stub_embedder.name},
        "server": "twin serve (uvicorn) subprocess, 127.0.0.1, DATABASE_URL = this run's database",
    }
    emit(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
