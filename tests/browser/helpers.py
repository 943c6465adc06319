"""Small page helpers shared by the browser tests."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

ANSWER_TIMEOUT_MS = 15_000
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SSE_EVENT = re.compile(r"event: (\w+)\r?\ndata: (.*)\r?\n")


def expect(*args: Any, **kwargs: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


def open_chat(page: Any, base_url: str, query: str = "") -> Any:
    page.goto(base_url + "/" + query)
    expect(page.locator(".dt-name")).not_to_have_text("Digital twin")
    return page


def ask(page: Any, text: str) -> None:
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")


def last_answer(page: Any) -> Any:
    return page.locator("article.dt-twin").last


def wait_answers(page: Any, n: int, scope: str = "") -> None:
    """Wait until ``n`` answers are complete; fail at once, with its text, if the page shows an error instead."""
    done = page.locator(f"{scope} article.dt-twin[data-done=true]".strip())
    errors = page.locator(f"{scope} .dt-notice-error".strip())
    deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
    while done.count() < n:
        if errors.count():
            raise AssertionError(f"the page shows an error instead of answer {n}: {errors.last.text_content()!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"answer {n} did not finish within {ANSWER_TIMEOUT_MS} ms")
        page.wait_for_timeout(50)
    expect(done).to_have_count(n)


def chat_bodies(requests: list[Any], path: str = "/api/chat/stream") -> list[dict[str, Any]]:
    return [json.loads(r.post_data) for r in requests if r.method == "POST" and urlsplit(r.url).path == path]


def sse_events(body: str) -> list[tuple[str, dict[str, Any]]]:
    """The ``event:``/``data:`` pairs of an SSE body, in order (the server sends one data line per event)."""
    return [(name, json.loads(data)) for name, data in SSE_EVENT.findall(body)]


def is_stream(response: Any) -> bool:
    return response.request.method == "POST" and urlsplit(response.url).path == "/api/chat/stream"


# Chromium keeps no body for a fetch() response read through a stream, so the tests see the SSE the way
# the page does: every chunk any ReadableStream reader in the page receives, per reader (one per answer).
STREAM_TAP = """(() => {
  const read = ReadableStreamDefaultReader.prototype.read;
  const readers = new WeakMap();
  window.__streams = [];
  ReadableStreamDefaultReader.prototype.read = function () {
    let s = readers.get(this);
    if (!s) { s = {dec: new TextDecoder(), chunks: []}; readers.set(this, s); window.__streams.push(s); }
    return read.call(this).then((r) => {
      if (!r.done && r.value instanceof Uint8Array) s.chunks.push(s.dec.decode(r.value, {stream: true}));
      return r;
    });
  };
})();"""


def tapped_streams(page: Any) -> list[list[str]]:
    """The chunks of every stream the page read so far (needs STREAM_TAP as an init script)."""
    return page.evaluate("window.__streams.map(s => s.chunks)")  # type: ignore[no-any-return]
