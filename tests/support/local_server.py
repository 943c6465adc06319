"""What the tests' local HTTP servers share: the OpenAI and Upstash stubs and the CloudFormation
ResponseURL recorder.

``LocalServer`` runs a ``ThreadingHTTPServer`` on 127.0.0.1, on a free port, from a daemon thread,
and keeps a thread-safe log of the requests its handler records. ``Faults`` is a queue of scripted
faults; ``JsonHandler`` reads request bodies and writes JSON replies.

    class EchoServer(LocalServer[str]):
        def handler_class(self) -> type[BaseHTTPRequestHandler]:
            return _handler_for(self)  # a handler that calls server._record(...)

    with EchoServer() as server:
        urlopen(server.base_url + "/hello")
        assert server.requests == [...]
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

R = TypeVar("R")
F = TypeVar("F")


class LocalServer(Generic[R]):
    """Lifecycle (``start``/``stop``, or ``with``), ``base_url`` and recorded requests of type ``R``."""

    # Appended to "http://127.0.0.1:<port>" in base_url, e.g. "/v1" for an API served under a prefix.
    base_path = ""

    def __init__(self) -> None:
        # Reentrant, so a subclass may record a request and pick its fault in one critical section.
        self._lock = threading.RLock()
        self._requests: list[R] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        """The request handler; it reaches this object through a closure."""
        raise NotImplementedError

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        server.daemon_threads = True
        self._stopping.clear()
        self._server = server
        # A short poll interval keeps stop() (and so every test's teardown) fast.
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in _sleep
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.base_path}"

    # -- recorded requests -------------------------------------------------------------------

    @property
    def requests(self) -> list[R]:
        with self._lock:
            return list(self._requests)

    def _record(self, request: R) -> None:
        with self._lock:
            self._requests.append(request)

    def _sleep(self, seconds: float) -> None:
        """Sleep in a handler thread, but wake up as soon as the server stops."""
        self._stopping.wait(seconds)


class Faults(Generic[F]):
    """Scripted faults, used up in order: a request takes the first one that applies to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[F] = []

    def add(self, faults: Iterable[F]) -> None:
        with self._lock:
            self._items.extend(faults)

    def take(self, applies: Callable[[F], bool]) -> F | None:
        with self._lock:
            for i, fault in enumerate(self._items):
                if applies(fault):
                    return self._items.pop(i)
        return None

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean


class JsonHandler(QuietHandler):
    def read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def lower_headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing left to tell it
