"""A real HTTP server speaking the subset of the Upstash Vector and Upstash Redis REST APIs that
the official Python SDKs (``upstash-vector``, ``upstash-redis``) call during an import.

Tests point the real SDK clients at it, so request bodies, auth headers, base64 response
encoding, pipelines and error bodies are exercised end to end instead of being mocked away.

    with UpstashStub() as stub:
        stub.add_vector("a", vector=[...], metadata={"title": "A"}, data="text")
        stub.set_string("greeting", "hello", ttl_s=600)
        stub.lpush("history:s1", json.dumps({"role": "user", "content": "hi"}))
        Index(url=stub.vector_url, token=stub.vector_token).range(...)

Shapes follow the public API docs (https://upstash.com/docs/vector/api/endpoints/range,
/docs/vector/api/endpoints/info, /docs/redis/features/restapi):

* Vector: ``POST /range[/<namespace>]`` with ``{"cursor", "limit", "includeVectors",
  "includeMetadata", "includeData"}`` -> ``{"result": {"nextCursor", "vectors": [...]}}``
  (``nextCursor`` is ``""`` after the last page); ``POST|GET /info`` -> ``{"result": {...}}``.
  Errors are ``{"error": "...", "status": N}`` with that HTTP status.
* Redis: ``POST /`` with a JSON command array -> ``{"result": ...}`` or ``{"error": "..."}``;
  ``POST /pipeline`` with an array of commands -> an array of those objects. With the header
  ``Upstash-Encoding: base64`` (the SDK's default) every string in a result is base64.
* Auth: ``Authorization: Bearer <token>``; anything else is 401.

Scripting: ``fail_next`` answers the next requests with an error status (429 with an optional
Retry-After, 5xx...), ``fail_after`` makes every request after the n-th fail (a host that goes
away mid-import) until ``clear_faults``.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_server import Faults, JsonHandler, LocalServer

VECTOR = "vector"
REDIS = "redis"


@dataclass(frozen=True)
class RecordedRequest:
    service: str  # "vector" or "redis"
    method: str
    path: str  # path below the service prefix: "/range", "/info", "/", "/pipeline"
    headers: dict[str, str]
    body: Any


@dataclass
class _Fault:
    status: int
    service: str | None = None
    path: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def applies_to(self, service: str, path: str) -> bool:
        return (self.service is None or self.service == service) and (self.path is None or path.endswith(self.path))


@dataclass
class _Entry:
    kind: str  # "string", "list", "hash", "set"
    value: Any
    expires_at: float | None = None  # time.time() seconds


class UpstashStub(LocalServer[RecordedRequest]):
    """Upstash Vector under ``/vector`` and Upstash Redis under ``/redis`` of one local server."""

    def __init__(self, *, vector_token: str = "vector-secret-token", redis_token: str = "redis-secret-token",
                 dimension: int = 1536, index_model: str | None = None) -> None:
        super().__init__()
        self.vector_token = vector_token
        self.redis_token = redis_token
        self.dimension = dimension
        # Set for indexes that embed server-side (Upstash-hosted models such as BGE_SMALL_EN_V1_5).
        self.index_model = index_model
        self._vectors: dict[str, dict[str, dict[str, Any]]] = {}
        self._keys: dict[str, _Entry] = {}
        self._faults: Faults[_Fault] = Faults()
        self._fail_after: tuple[int, _Fault] | None = None

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def vector_url(self) -> str:
        return f"{self.base_url}/vector"

    @property
    def redis_url(self) -> str:
        return f"{self.base_url}/redis"

    # -- data --------------------------------------------------------------------------------

    def add_vector(self, vector_id: str, *, vector: list[float] | None = None, metadata: dict[str, Any] | None = None,
                   data: str | None = None, namespace: str = "") -> None:
        with self._lock:
            self._vectors.setdefault(namespace, {})[vector_id] = {
                "id": vector_id, "vector": vector, "metadata": metadata, "data": data}

    def delete_vector(self, vector_id: str, *, namespace: str = "") -> None:
        with self._lock:
            self._vectors.get(namespace, {}).pop(vector_id, None)

    def set_string(self, key: str, value: str, *, ttl_s: float | None = None) -> None:
        with self._lock:
            self._keys[key] = _Entry("string", value, time.time() + ttl_s if ttl_s is not None else None)

    def lpush(self, key: str, *values: str, ttl_s: float | None = None) -> None:
        """Like LPUSH: each value goes to the head, so the last one pushed is read first."""
        with self._lock:
            entry = self._live(key) or _Entry("list", [])
            for value in values:
                entry.value.insert(0, value)
            if ttl_s is not None:
                entry.expires_at = time.time() + ttl_s
            self._keys[key] = entry

    def rpush(self, key: str, *values: str, ttl_s: float | None = None) -> None:
        with self._lock:
            entry = self._live(key) or _Entry("list", [])
            entry.value.extend(values)
            if ttl_s is not None:
                entry.expires_at = time.time() + ttl_s
            self._keys[key] = entry

    def hset(self, key: str, mapping: dict[str, str]) -> None:
        with self._lock:
            self._keys[key] = _Entry("hash", dict(mapping))

    def sadd(self, key: str, *members: str) -> None:
        with self._lock:
            self._keys[key] = _Entry("set", set(members))

    def delete_key(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    # -- scripting ---------------------------------------------------------------------------

    def fail_next(self, *, status: int, times: int = 1, service: str | None = None, path: str | None = None,
                  retry_after: str | None = None) -> None:
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        self._faults.add(_Fault(status, service, path, headers) for _ in range(times))

    def fail_after(self, requests: int, *, status: int = 503, service: str | None = None) -> None:
        """Answer normally ``requests`` more times (counting requests to ``service``), then fail all."""
        with self._lock:
            self._fail_after = (requests, _Fault(status, service))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._fail_after = None

    # -- inspection --------------------------------------------------------------------------

    def calls(self, service: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests
                if (service is None or r.service == service) and (path is None or r.path == path)]

    def commands(self) -> list[str]:
        """Names of the Redis commands received, pipelines flattened ("SCAN", "TYPE", ...)."""
        names: list[str] = []
        for r in self.calls(REDIS):
            batch = r.body if r.path == "/pipeline" else [r.body]
            names.extend(str(c[0]).upper() for c in batch if isinstance(c, list) and c)
        return names

    # -- serving (handler threads) -----------------------------------------------------------

    def _fault_for(self, service: str, path: str) -> _Fault | None:
        with self._lock:
            if self._fail_after is not None:
                remaining, fault = self._fail_after
                if fault.service is None or fault.service == service:
                    if remaining <= 0:
                        return fault
                    self._fail_after = (remaining - 1, fault)
            return self._faults.take(lambda fault: fault.applies_to(service, path))

    def _live(self, key: str) -> _Entry | None:
        entry = self._keys.get(key)
        if entry is not None and entry.expires_at is not None and entry.expires_at <= time.time():
            del self._keys[key]
            return None
        return entry

    # Vector ----------------------------------------------------------------------------------

    def _range(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        cursor_raw = str(body.get("cursor", "") or "0")
        start = int(cursor_raw)
        limit = int(body["limit"])
        prefix = body.get("prefix")
        with self._lock:
            rows = sorted(self._vectors.get(namespace, {}).values(), key=lambda v: v["id"])
        if prefix:
            rows = [r for r in rows if r["id"].startswith(prefix)]
        page = rows[start:start + limit]
        end = start + len(page)
        vectors = []
        for row in page:
            item: dict[str, Any] = {"id": row["id"]}
            if body.get("includeVectors") and row["vector"] is not None:
                item["vector"] = row["vector"]
            if body.get("includeMetadata") and row["metadata"] is not None:
                item["metadata"] = row["metadata"]
            if body.get("includeData") and row["data"] is not None:
                item["data"] = row["data"]
            vectors.append(item)
        return {"nextCursor": str(end) if end < len(rows) else "", "vectors": vectors}

    def _info(self) -> dict[str, Any]:
        with self._lock:
            namespaces = {ns: {"vectorCount": len(rows), "pendingVectorCount": 0}
                          for ns, rows in self._vectors.items()}
        namespaces.setdefault("", {"vectorCount": 0, "pendingVectorCount": 0})
        info: dict[str, Any] = {
            "vectorCount": sum(n["vectorCount"] for n in namespaces.values()),
            "pendingVectorCount": 0,
            "indexSize": 0,
            "dimension": self.dimension,
            "similarityFunction": "COSINE",
            "namespaces": namespaces,
        }
        if self.index_model:
            info["denseIndex"] = {"dimension": self.dimension, "similarityFunction": "COSINE",
                                  "embeddingModel": self.index_model}
        return info

    # Redis -----------------------------------------------------------------------------------

    def _command(self, command: list[Any]) -> tuple[Any, str | None]:
        """(result, error) of one Redis command."""
        if not command:
            return None, "ERR empty command"
        name = str(command[0]).upper()
        args = [str(a) for a in command[1:]]
        with self._lock:
            if name == "PING":
                return "PONG", None
            if name == "DBSIZE":
                return sum(1 for k in list(self._keys) if self._live(k) is not None), None
            if name == "SCAN":
                return self._scan(args), None
            if name in {"TYPE", "PTTL", "TTL", "GET", "LRANGE", "LLEN"}:
                entry = self._live(args[0])
                return self._key_command(name, args, entry)
            if name == "SET":
                self._keys[args[0]] = _Entry("string", args[1])
                return "OK", None
        return None, f"ERR unknown command '{name}'"

    def _key_command(self, name: str, args: list[str], entry: _Entry | None) -> tuple[Any, str | None]:
        wrong_type = "WRONGTYPE Operation against a key holding the wrong kind of value"
        if name == "TYPE":
            return (entry.kind if entry else "none"), None
        if name in {"PTTL", "TTL"}:
            if entry is None:
                return -2, None
            if entry.expires_at is None:
                return -1, None
            remaining = entry.expires_at - time.time()
            return (int(remaining * 1000) if name == "PTTL" else int(remaining)), None
        if name == "GET":
            if entry is None:
                return None, None
            return (entry.value, None) if entry.kind == "string" else (None, wrong_type)
        if entry is None:
            return ([] if name == "LRANGE" else 0), None
        if entry.kind != "list":
            return None, wrong_type
        if name == "LLEN":
            return len(entry.value), None
        start, stop = int(args[1]), int(args[2])
        items = entry.value
        stop = len(items) - 1 if stop == -1 else stop
        return items[start:stop + 1], None

    def _scan(self, args: list[str]) -> list[Any]:
        cursor = int(args[0])
        options = {args[i].upper(): args[i + 1] for i in range(1, len(args) - 1, 2)}
        count = int(options.get("COUNT", "10"))
        keys = sorted(k for k in list(self._keys) if self._live(k) is not None)
        page = keys[cursor:cursor + count]
        if "MATCH" in options:
            page = [k for k in page if fnmatch.fnmatchcase(k, options["MATCH"])]
        if "TYPE" in options:
            page = [k for k in page if self._keys[k].kind == options["TYPE"]]
        end = cursor + count
        return [str(end) if end < len(keys) else "0", page]


def _encode(value: Any) -> Any:
    if isinstance(value, str):
        return base64.b64encode(value.encode("utf-8")).decode("ascii")
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _handler_for(stub: UpstashStub) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            raw = self.read_body()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            headers = self.lower_headers()
            service, _, rest = self.path.lstrip("/").partition("/")
            path = "/" + rest.split("?", 1)[0]
            stub._record(RecordedRequest(service, self.command, path, headers, body))
            if service not in {VECTOR, REDIS}:
                self.send_json(404, {"error": f"no route {self.path}"})
                return
            token = stub.vector_token if service == VECTOR else stub.redis_token
            if headers.get("authorization") != f"Bearer {token}":
                message = ("Unauthorized: Invalid auth token" if service == VECTOR
                           else "WRONGPASS invalid or missing auth token")
                self.send_json(401, {"error": message, "status": 401} if service == VECTOR else {"error": message})
                return
            fault = stub._fault_for(service, path)
            if fault is not None:
                message = ("ERR max requests limit exceeded. Limit: 1000, Usage: 1000" if fault.status == 429
                           else f"stub failure {fault.status}")
                payload = {"error": message, "status": fault.status} if service == VECTOR else {"error": message}
                self.send_json(fault.status, payload, fault.headers)
                return
            if service == VECTOR:
                self._vector(path, body)
            else:
                self._redis(path, body, base64_results=headers.get("upstash-encoding") == "base64")

        def _vector(self, path: str, body: Any) -> None:
            if path == "/info":
                self.send_json(200, {"result": stub._info()})
            elif path == "/range" or path.startswith("/range/"):
                namespace = path.removeprefix("/range").lstrip("/")
                if not isinstance(body, dict) or "limit" not in body:
                    self.send_json(400, {"error": "limit is required", "status": 400})
                    return
                self.send_json(200, {"result": stub._range(namespace, body)})
            else:
                self.send_json(404, {"error": f"no route {path}", "status": 404})

        def _redis(self, path: str, body: Any, *, base64_results: bool) -> None:
            def answer(command: Any) -> dict[str, Any]:
                if not isinstance(command, list):
                    return {"error": "ERR command must be a JSON array"}
                result, error = stub._command(command)
                if error is not None:
                    return {"error": error}
                return {"result": _encode(result) if base64_results else result}

            if path == "/pipeline":
                if not isinstance(body, list):
                    self.send_json(400, {"error": "ERR pipeline body must be an array of commands"})
                    return
                self.send_json(200, [answer(c) for c in body])
            elif path == "/":
                reply = answer(body)
                self.send_json(400 if "error" in reply else 200, reply)
            else:
                self.send_json(404, {"error": f"no route {path}"})

    return Handler
