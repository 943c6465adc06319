"""The embeddable widget on other origins (one on the CORS allow-list, one not) and /docs with no internet."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import SHOTS, AppServer, HostPages
from tests.browser.helpers import ask, chat_bodies, expect, wait_answers

pytestmark = pytest.mark.browser

WIDGET = "[data-digital-twin]"


def open_widget(page: Any, url: str) -> Any:
    page.goto(url)
    bubble = page.locator(f"{WIDGET} button.bubble")
    expect(bubble).to_be_visible()
    bubble.click()
    expect(page.locator(f"{WIDGET} .panel")).to_be_visible()
    return page


def http(method: str, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


def test_widget_works_on_an_allowed_origin(make_ctx: Any, app: AppServer, host_pages: HostPages) -> None:
    ctx = make_ctx()
    page = ctx.new_page()
    open_widget(page, host_pages.allowed + "/")
    name = page.locator(f"{WIDGET} .dt-name")
    expect(name).to_have_text("Maya's twin")
    expect(page.locator(f"{WIDGET} .dt-persona")).not_to_be_empty()  # the profile came through CORS
    # The host page's hostile CSS does not reach into the shadow root.
    assert "Georgia" not in name.evaluate("e => getComputedStyle(e).fontFamily")
    assert name.evaluate("e => getComputedStyle(e).color") != "rgb(204, 0, 0)"
    expect(page.get_by_label("Your message")).to_be_focused()
    expect(page.locator(f"{WIDGET} .dt-chip").first).to_be_visible()
    with page.expect_response(lambda r: r.url == app.url + "/api/chat/stream") as streamed:
        ask(page, "What is your favourite book?")
    wait_answers(page, 1, WIDGET)
    response = streamed.value
    assert response.status == 200
    assert response.headers.get("access-control-allow-origin") == host_pages.allowed
    assert response.request.headers.get("origin") == host_pages.allowed
    answer = page.locator(f"{WIDGET} article.dt-twin").last
    expect(answer.locator("a.dt-cite").first).to_be_visible()
    expect(answer.locator(".dt-sources li.dt-src").first).to_be_visible()
    assert chat_bodies(ctx.requests)[0]["twin_id"] == app.twin_id  # data-twin
    # The widget's assets come from the twin's server, not the host.
    assets = {r.url for r in ctx.requests if r.resource_type in ("script", "stylesheet")}
    assert {app.url + "/widget.js", app.url + "/static/twin-client.js", app.url + "/static/chat.css"} <= assets
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget-desktop-light.png"))
    page.keyboard.press("Escape")
    expect(page.locator(f"{WIDGET} .panel")).to_be_hidden()
    expect(page.locator(f"{WIDGET} button.bubble")).to_be_focused()


def test_widget_is_refused_on_another_origin(make_ctx: Any, app: AppServer, host_pages: HostPages) -> None:
    ctx = make_ctx()
    page = ctx.new_page()
    open_widget(page, host_pages.refused + "/")
    error = page.locator(f"{WIDGET} .dt-notice-error")
    expect(error).to_contain_text("Couldn't reach the twin")
    expect(error).to_contain_text("this site is not allowed to use it")
    expect(error.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.locator(f"{WIDGET} .dt-chip")).to_have_count(0)
    # Chromium blocked it because the server did not allow the origin (the request itself reached it).
    assert any("blocked by CORS policy" in text for _kind, text in ctx.console), ctx.console
    # The server's side of it: no allow-origin for this origin, and a refused preflight for the chat.
    _, headers = http("GET", app.url + "/api/profile", {"Origin": host_pages.refused})
    assert "access-control-allow-origin" not in headers
    status, _ = http("OPTIONS", app.url + "/api/chat/stream", {
        "Origin": host_pages.refused, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 403
    status, headers = http("OPTIONS", app.url + "/api/chat/stream", {
        "Origin": host_pages.allowed, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200
    assert headers["access-control-allow-origin"] == host_pages.allowed
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget-refused.png"))


def test_docs_render_without_the_internet(ctx: Any, page: Any, app: AppServer) -> None:
    page.goto(app.url + "/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/chat/stream")).to_be_visible(timeout=15_000)
    for path in ("/api/chat", "/api/ingest", "/api/profile", "/api/health"):
        expect(page.locator(f".opblock-summary-path[data-path='{path}']")).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    expect(page.locator(".info .title")).to_contain_text("digital-twin")
    page.wait_for_timeout(300)
    assert ctx.outside == [], f"/docs tried to reach the internet: {ctx.outside}"
    assert all(r.url.startswith(app.url) or r.url.startswith("data:") for r in ctx.requests), \
        [r.url for r in ctx.requests]
