"""Rate limiter: the project's ``twin.access.ratelimit.check_request`` vs Redis INCR+EXPIRE, one run.

    python bench/ratelimit.py [--json] [--calls 10000] [--trials 7]

Needs ``redis-server`` on PATH (Debian: ``apt-get install -y redis-server``); the script
starts its own on 127.0.0.1, on a free port plus a unix socket in a temp dir, without
persistence, and stops it at the end.

* Latency (single client, one connection each, warm): ``check_request`` (one SQL statement:
  an upsert on the UNLOGGED rate_limits table that also reads the token budget) vs Redis
  ``INCR key`` + ``EXPIRE key window NX`` in one MULTI/EXEC pipeline (one round trip; the
  usual fixed-window limiter). Blocks of calls alternate between the two so the noisy cores'
  slow moments hit both; p50 over all calls. The limit is set high so every call is admitted
  (the common path). Transport is matched: the embedded PostgreSQL listens only on a unix
  socket, so Redis is measured over its unix socket too (``redis_p50_us``); Redis over TCP
  127.0.0.1 is reported beside it. With a TCP DATABASE_URL the TCP figure is the matched one.
* Correctness under concurrency: ``--trials`` trials of 8 threads, each with its own
  connection, 50 attempts each (400) against one fresh key with limit 100, all released by a
  barrier at once; the admitted count must be exactly 100 every time. Redis gets the same.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from _support import bench_database, emit, log, median, percentile, server_facts
from psycopg.conninfo import conninfo_to_dict

from twin.access.ratelimit import budget_key, check_request
from twin.config import RateLimit
from twin.errors import RateLimited
from twin.storage.db import connect
from twin.storage.sqlfile import query

LIMIT = 100
WINDOW_S = 60
WORKERS = 8
ATTEMPTS = 50


class RedisServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="twin-bench-redis-"))
        self.socket = str(self.dir / "redis.sock")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--unixsocket", self.socket,
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", str(self.dir),
             "--protected-mode", "yes", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(unix_socket_path=self.socket).ping()
                break
            except (redis.ConnectionError, FileNotFoundError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise SystemExit(f"redis-server did not start: {err}") from None
                time.sleep(0.05)

    def client(self, unix: bool) -> Any:
        import redis

        if unix:
            return redis.Redis(unix_socket_path=self.socket)
        return redis.Redis(host="127.0.0.1", port=self.port)

    def version(self) -> str:
        return str(self.client(True).info("server")["redis_version"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def redis_hit(client: Any, key: str, limit: int) -> bool:
    """The usual fixed-window limiter: INCR, start the window on first hit, one round trip."""
    pipe = client.pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, WINDOW_S, nx=True)
    count, _ = pipe.execute()
    return int(count) <= limit


def pg_hit(conn: Any, subject: str, limit: RateLimit) -> bool:
    try:
        check_request(conn, route="bench", subject=subject, limit=limit)
        return True
    except RateLimited:
        return False


def trial(make_worker: Any, attempt: Any) -> int:
    """8 workers (own connection each) x 50 attempts against one fresh key, started together."""
    barrier = threading.Barrier(WORKERS)
    admitted = [0] * WORKERS
    errors: list[BaseException] = []

    def run(i: int, handle: Any) -> None:
        try:
            barrier.wait()
            admitted[i] = sum(attempt(handle) for _ in range(ATTEMPTS))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    handles = [make_worker() for _ in range(WORKERS)]
    threads = [threading.Thread(target=run, args=(i, h)) for i, h in enumerate(handles)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for h in handles:
        h.close()
    if errors:
        raise errors[0]
    return sum(admitted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--calls", type=int, default=10000, help="timed calls per path (single client)")
    parser.add_argument("--block", type=int, default=250, help="calls per alternating block")
    parser.add_argument("--trials", type=int, default=7, help="concurrency trials (>= 5)")
    args = parser.parse_args()

    if shutil.which("redis-server") is None:
        message = ("redis-server is not installed (not on PATH). Install it, e.g. on Debian/Ubuntu: "
                   "apt-get update && apt-get install -y redis-server; then run this benchmark again.")
        print(message, file=sys.stderr)
        if args.json:
            print(json.dumps({"error": "redis-server not installed", "message": message}))
        return 2

    redis_server = RedisServer()
    try:
        with bench_database("ratelimit") as bench:
            settings = bench.settings()
            host = str(conninfo_to_dict(bench.url).get("host") or "")
            pg_unix = not host or host.startswith("/")
            log(f"redis-server {redis_server.version()} on 127.0.0.1:{redis_server.port} and {redis_server.socket}; "
                f"PostgreSQL over {'a unix socket' if pg_unix else 'TCP'}")
            conn = connect(settings, bench.url)
            facts = server_facts(conn)
            r_unix = redis_server.client(True)
            r_tcp = redis_server.client(False)

            high = RateLimit(limit=10**12, window_s=WINDOW_S)
            pg_subject = f"bench-{uuid.uuid4().hex[:8]}"
            r_key = f"rl:bench:{uuid.uuid4().hex[:8]}"
            sql_params = {"key": f"rl:sql:{pg_subject}", "window_s": WINDOW_S, "budget_key": budget_key(pg_subject)}
            hit_sql = query("access.hit_rate_limit")
            paths: dict[str, Any] = {
                "pg": lambda: check_request(conn, route="bench", subject=pg_subject, limit=high),
                "pg_sql_only": lambda: conn.execute(hit_sql, sql_params).fetchone(),
                # context: the floor of any statement on this connection
                "pg_select_1": lambda: conn.execute("SELECT 1").fetchone(),
                "redis_unix": lambda: redis_hit(r_unix, r_key + ":u", 10**12),
                "redis_tcp": lambda: redis_hit(r_tcp, r_key + ":t", 10**12),
                # context: one plain command, no MULTI/EXEC (the client's floor for a round trip)
                "redis_incr": lambda: r_unix.incr(r_key + ":i") if pg_unix else r_tcp.incr(r_key + ":i"),
            }
            samples: dict[str, list[float]] = {name: [] for name in paths}
            for fn in paths.values():  # warm-up (psycopg prepares the statement after 5 runs)
                for _ in range(200):
                    fn()
            blocks = max(1, args.calls // args.block)
            log(f"latency: {blocks} rounds of {args.block} calls per path, paths alternating ...")
            clock = time.perf_counter_ns
            for _ in range(blocks):
                for name, fn in paths.items():
                    out = samples[name]
                    for _ in range(args.block):
                        t = clock()
                        fn()
                        out.append((clock() - t) / 1e3)
            for name, values in samples.items():
                log(f"  {name:12s} p50 {median(values):7.1f} us  p95 {percentile(values, 95):7.1f} us")
            redis_matched = "redis_unix" if pg_unix else "redis_tcp"

            limit = RateLimit(limit=LIMIT, window_s=WINDOW_S)
            log(f"concurrency: {args.trials} trials of {WORKERS} threads x {ATTEMPTS} attempts, limit {LIMIT} ...")
            admitted_trials = []
            redis_admitted_trials = []
            for i in range(args.trials):
                subject = f"trial-{i}-{uuid.uuid4().hex[:8]}"
                admitted_trials.append(trial(lambda: connect(settings, bench.url),
                                             lambda c, s=subject: pg_hit(c, s, limit)))
                key = f"rl:trial:{i}:{uuid.uuid4().hex[:8]}"
                redis_admitted_trials.append(trial(lambda: redis_server.client(pg_unix),
                                                   lambda c, k=key: redis_hit(c, k, LIMIT)))
                log(f"  trial {i + 1}: project admitted {admitted_trials[-1]}, redis {redis_admitted_trials[-1]}")
            conn.close()
            r_unix.close()
            r_tcp.close()
    finally:
        redis_server.stop()

    p50 = median(samples["pg"])
    redis_p50 = median(samples[redis_matched])
    result = {
        "p50_us": round(p50, 1),
        "redis_p50_us": round(redis_p50, 1),
        "ratio_vs_redis": round(p50 / redis_p50, 3),
        "limit": LIMIT,
        "admitted_trials": admitted_trials,
        "p95_us": round(percentile(samples["pg"], 95), 1),
        "redis_p95_us": round(percentile(samples[redis_matched], 95), 1),
        "redis_transport": "unix socket" if redis_matched == "redis_unix" else "tcp 127.0.0.1",
        "redis_unix_p50_us": round(median(samples["redis_unix"]), 1),
        "redis_tcp_p50_us": round(median(samples["redis_tcp"]), 1),
        "ratio_vs_redis_tcp": round(p50 / median(samples["redis_tcp"]), 3),
        "sql_only_p50_us": round(median(samples["pg_sql_only"]), 1),
        "redis_single_incr_p50_us": round(median(samples["redis_incr"]), 1),
        "pg_select_1_p50_us": round(median(samples["pg_select_1"]), 1),
        "redis_client": redis_client_info(),
        "redis_admitted_trials": redis_admitted_trials,
        "workers": WORKERS,
        "attempts_per_worker": ATTEMPTS,
        "calls_per_path": len(samples["pg"]),
        "meets_targets": {"ratio<=1.0": p50 / redis_p50 <= 1.0,
                          "admits_exactly_limit": all(a == LIMIT for a in admitted_trials)},
        "server": {**facts, "redis": redis_server_version(redis_server)},
    }
    emit(result, as_json=args.json)
    return 0


def redis_client_info() -> str:
    import redis

    try:
        import hiredis  # noqa: F401

        parser = "hiredis parser"
    except ImportError:
        parser = "pure-Python parser (hiredis not installed)"
    return f"redis-py {redis.__version__}, {parser}"


def redis_server_version(server: RedisServer) -> str:
    try:
        out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=False).stdout
        return out.split("v=")[1].split()[0] if "v=" in out else out.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
