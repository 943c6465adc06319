"""Real-browser tests of the visitors' page and widget against the real app (Playwright + Debian's Chromium).

The app runs as a subprocess (``twin serve``) on a free loopback port, on the suite's migrated test
database, with a twin that ``twin ingest examples/profile`` filled. Two tiny host-page servers on other
loopback ports embed the widget: one origin is on the app's CORS allow-list, the other is not. A second
app process with ``TWIN_CHAT_RATE_LIMIT=2/60`` on a database of its own serves the rate-limit test (the
limit counts per client IP and route in the database, so sharing one with the main server would mix the
counts). A third, in model mode against tests/support's OpenAI stub (which streams word by word), shows the
answer rendering progressively; offline answers are produced at once and reach the browser in one read.

Chromium comes from the system (``/usr/bin/chromium``, ``TWIN_CHROMIUM`` overrides it); nothing runs
``playwright install``. Without Chromium or the playwright package the tests skip, or fail when ``CI`` is set.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
PROFILE_DIR = REPO / "examples" / "profile"
SHOTS = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("TWIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
DISPLAY_NAME = "Maya Okafor"
PERSONA = "Backend engineer in Lisbon who builds data-heavy services in Python and PostgreSQL."
START_TIMEOUT_S = 40.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: real-browser tests of the page and widget (Playwright + Chromium)")


def _missing_prerequisite() -> str | None:
    try:
        importlib.import_module("playwright.sync_api")
    except ImportError as e:
        return f"the playwright package is not installed ({e}; it comes with the dev extra: pip install -e '.[dev]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; scripts/dev.sh test "
                "installs it when run as root; TWIN_CHROMIUM=/path overrides the location)")
    return None


def _fail_without_fixtures(item: pytest.Item, message: str) -> None:
    """Reported as FAILED (not a setup error), and no server or browser fixture is started for it."""
    item.setup = lambda: None  # type: ignore[method-assign]
    item.runtest = lambda: pytest.fail(message, pytrace=False)  # type: ignore[method-assign]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    mine = [item for item in items if here in item.path.resolve().parents]
    problem = _missing_prerequisite() if mine else None
    for item in mine:
        item.add_marker(pytest.mark.browser)
        if problem is None:
            continue
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            _fail_without_fixtures(item, f"browser tests cannot run: {problem}. CI is set, so this is a failure.")
        else:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {problem}"))


# ---------------------------------------------------------------- processes and ports
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def twin_exe() -> str:
    beside = Path(sys.executable).with_name("twin")
    found = str(beside) if beside.exists() else shutil.which("twin")
    assert found, "the `twin` console script is not installed (pip install -e '.[dev]')"
    return found


def run_cli(args: list[str], db_url: str, extra_env: dict[str, str] | None = None) -> str:
    env = {**os.environ, "DATABASE_URL": db_url, **(extra_env or {})}
    done = subprocess.run([twin_exe(), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, f"twin {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def load_twin(db_url: str, twin_id: str, extra_env: dict[str, str] | None = None) -> None:
    run_cli(["ingest", str(PROFILE_DIR), "--twin", twin_id], db_url, extra_env)
    run_cli(["profile", "set", "--twin", twin_id, "--name", DISPLAY_NAME, "--persona", PERSONA], db_url, extra_env)


@dataclass
class AppServer:
    url: str
    twin_id: str
    db_url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def clear_answer_cache(self) -> None:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("DELETE FROM database_cache WHERE key LIKE %s", (f"answer:{self.twin_id}:%",))


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_app(*, db_url: str, twin_id: str, log: Path, extra_env: dict[str, str]) -> AppServer:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "TWIN_FORWARDED_ALLOW_IPS", "TWIN_CORS_ORIGINS", "TWIN_CHAT_RATE_LIMIT")}
    env.update({"DATABASE_URL": db_url, "TWIN_DEFAULT_TWIN": twin_id, "PYTHONUNBUFFERED": "1", **extra_env})
    last = ""
    for _attempt in range(3):  # a free port can be taken between probing and binding it
        port = free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen([twin_exe(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                    env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        server = AppServer(f"http://127.0.0.1:{port}", twin_id, db_url, proc, log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            if _health(server.url):
                return server
            time.sleep(0.1)
        last = server.log_tail()
        stop_app(server)
        if "address already in use" not in last.lower():
            break
    pytest.fail(f"the app did not answer /api/health within {START_TIMEOUT_S:.0f} s; its log:\n{last}",
                pytrace=False)


def stop_app(server: AppServer) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(5)


# ---------------------------------------------------------------- host pages (other origins)
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Somebody's portfolio</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>html{{font-size:9px}}
*{{font-family:Georgia,serif!important;color:#c00!important;box-sizing:content-box!important}}
button{{all:unset;background:yellow!important}} div{{border:2px dotted purple!important}}
p{{margin:40px!important}}</style>
</head><body><h1>Somebody's portfolio</h1><p>Hostile CSS on purpose: the widget must not be affected.</p>
<script src="{app}/widget.js" data-twin="{twin}" data-title="Maya's twin" async></script></body></html>"""


class _HostHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = getattr(self.server, "html", b"")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class HostPages:
    allowed: str  # origin on the app's TWIN_CORS_ORIGINS
    refused: str  # origin that is not
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def serve(self, html: str) -> None:
        for s in self.servers:
            s.html = html.encode()  # type: ignore[attr-defined]


@pytest.fixture(scope="package")
def host_pages() -> Iterator[HostPages]:
    servers = []
    for _ in range(2):
        s = ThreadingHTTPServer(("127.0.0.1", 0), _HostHandler)
        threading.Thread(target=s.serve_forever, name="host-page", daemon=True).start()
        servers.append(s)
    origins = [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    yield HostPages(origins[0], origins[1], servers)
    for s in servers:
        s.shutdown()
        s.server_close()


# ---------------------------------------------------------------- the apps
@pytest.fixture(scope="package")
def app(migrated_db_url: str, host_pages: HostPages, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[AppServer]:
    """The real app on the suite's migrated database, default twin = Maya (examples/profile)."""
    twin_id = f"maya-{uuid.uuid4().hex[:8]}"
    load_twin(migrated_db_url, twin_id)
    log = tmp_path_factory.mktemp("browser-app") / "app.log"
    # A generous limit: the whole browser run asks a few dozen questions from 127.0.0.1.
    server = start_app(db_url=migrated_db_url, twin_id=twin_id, log=log,
                       extra_env={"TWIN_CORS_ORIGINS": host_pages.allowed, "TWIN_CHAT_RATE_LIMIT": "1000/60"})
    host_pages.serve(HOST_PAGE.format(app=server.url, twin=twin_id))
    try:
        yield server
    finally:
        stop_app(server)


@pytest.fixture(scope="package")
def limited_app(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A second app process allowing 2 chat requests per 60 s, on its own database (own counters)."""
    from tests.conftest import create_database, drop_database
    from twin.storage.migrations import migrate

    db_url = create_database(server_url)
    try:
        with psycopg.connect(db_url, autocommit=True) as conn:
            migrate(conn)
        twin_id = f"maya-rl-{uuid.uuid4().hex[:8]}"
        load_twin(db_url, twin_id)
        log = tmp_path_factory.mktemp("browser-limited-app") / "app.log"
        server = start_app(db_url=db_url, twin_id=twin_id, log=log, extra_env={"TWIN_CHAT_RATE_LIMIT": "2/60"})
        try:
            yield server
        finally:
            stop_app(server)
    finally:
        drop_database(server_url, db_url)


MODEL_ANSWER = ("My signature dish is jollof rice, made with smoked paprika the way my grandmother taught me, "
                "which is my Portuguese twist on a West African classic [1].")


@pytest.fixture(scope="package")
def model_app(migrated_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app in model mode: the real OpenAI SDK against tests/support's stub, which streams the answer
    word by word with a pause between words, so the page can be watched rendering it progressively."""
    from tests.support.openai_stub import OpenAIStub

    with OpenAIStub(answer=MODEL_ANSWER) as stub:
        stub.stream_delay_s = 0.04
        model_env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": stub.base_url, "TWIN_OPENAI_MAX_RETRIES": "0",
                     "TWIN_EMBEDDER": "hashing"}  # answers from the stub; vectors stay local and fast
        twin_id = f"maya-ai-{uuid.uuid4().hex[:8]}"
        load_twin(migrated_db_url, twin_id, model_env)
        log = tmp_path_factory.mktemp("browser-model-app") / "app.log"
        # Same database as `app`, so the same per-IP counter: keep its limit out of the way too.
        server = start_app(db_url=migrated_db_url, twin_id=twin_id, log=log,
                           extra_env={**model_env, "TWIN_CHAT_RATE_LIMIT": "1000/60"})
        try:
            yield server
        finally:
            stop_app(server)


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # room for a loaded CI machine; a passing check returns at once
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Ctx:
    """A browser context that cannot reach anything but loopback, and remembers what it saw."""

    context: Any
    outside: list[str] = field(default_factory=list)  # blocked non-loopback requests
    requests: list[Any] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        return page

    def csp_violations(self) -> list[str]:
        return [text for _kind, text in self.console if "Content Security Policy" in text]


def _loopback(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return (urlsplit(url).hostname or "") in LOOPBACK


@pytest.fixture
def make_ctx(browser: Any) -> Iterator[Callable[..., Ctx]]:
    made: list[Ctx] = []

    def make(**options: Any) -> Ctx:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        ctx = Ctx(browser.new_context(**options))
        ctx.context.set_default_timeout(15_000)

        def guard(route: Any) -> None:
            if _loopback(route.request.url):
                route.continue_()
            else:
                ctx.outside.append(route.request.url)
                route.abort()

        ctx.context.route("**/*", guard)
        ctx.context.on("request", lambda r: ctx.requests.append(r))
        made.append(ctx)
        return ctx

    yield make
    problems = []
    for ctx in made:
        problems += [f"outside request blocked: {u}" for u in ctx.outside]
        problems += [f"CSP violation: {t}" for t in ctx.csp_violations()]
        problems += [f"uncaught page error: {e}" for e in ctx.page_errors]
        with contextlib.suppress(Exception):
            ctx.context.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def ctx(make_ctx: Callable[..., Ctx]) -> Ctx:
    return make_ctx()


@pytest.fixture
def page(ctx: Ctx) -> Any:
    return ctx.new_page()
