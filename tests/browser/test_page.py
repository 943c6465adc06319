"""The visitors' page (GET /) in Chromium against the real app: profile, streamed answers with sources,
follow-ups in the session, the rate-limit state, safe rendering, keyboard, privacy and the phone layout."""

from __future__ import annotations

import json
import math
import re
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import DISPLAY_NAME, MODEL_ANSWER, PERSONA, SHOTS, AppServer, Ctx
from tests.browser.helpers import (
    STREAM_TAP,
    UUID_RE,
    ask,
    chat_bodies,
    expect,
    is_stream,
    last_answer,
    open_chat,
    sse_events,
    tapped_streams,
    wait_answers,
)

pytestmark = pytest.mark.browser

ANSWERED_QUESTION = "What is your signature dish?"
FIRST_QUESTION = "What do you cook?"
FOLLOW_UP = "And your signature dish?"

# Records the answer's text length on every change and aria-busy transitions of the transcript.
OBSERVE_ANSWER = """() => {
  window.__lens = []; window.__busy = [];
  const log = document.querySelector('.dt-log');
  new MutationObserver(() => {
    const a = [...document.querySelectorAll('article.dt-twin .dt-answer')].pop();
    const n = a ? a.textContent.length : 0;
    if (a && !a.querySelector('.dt-typing') && n !== window.__lens.at(-1)) window.__lens.push(n);
    const busy = log.getAttribute('aria-busy');
    if (window.__busy.at(-1) !== busy) window.__busy.push(busy);
  }).observe(log, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def profile_json(app: AppServer) -> dict[str, Any]:
    with urllib.request.urlopen(app.url + "/api/profile", timeout=5) as r:
        return json.load(r)  # type: ignore[no-any-return]


def sse_body(events: list[tuple[str, dict[str, Any]]]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def rendered(answer: str, numbers: set[int]) -> str:
    """The answer as the page shows it: "[n]" of a known source becomes the link text "n", glued to the word."""
    return re.sub(r"[ \t]*\[(\d+)\]", lambda m: m.group(1) if int(m.group(1)) in numbers else m.group(0), answer)


def test_page_shows_the_twin_profile(page: Any, app: AppServer) -> None:
    open_chat(page, app.url)
    expect(page.locator("h1.dt-name")).to_have_text(DISPLAY_NAME)
    expect(page.locator(".dt-persona")).to_have_text(PERSONA)
    expect(page.locator(".dt-avatar")).to_have_text("MO")
    expect(page).to_have_title(f"{DISPLAY_NAME} · digital twin")
    profile = profile_json(app)
    expect(page.locator(".dt-chip")).to_have_text(profile["suggested_questions"])
    expect(page.locator(".dt-welcome")).to_contain_text(f"({profile['documents']} documents)")
    expect(page.locator(".dt-banner")).to_have_text("Offline mode: answers are extracted from the notes, no AI model.")
    expect(page.locator(".dt-badge")).to_be_hidden()
    log = page.locator(".dt-log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Your message")).to_be_focused()


def test_answer_streams_in_with_citations_and_sources(ctx: Ctx, app: AppServer) -> None:
    app.clear_answer_cache()  # a fresh answer, not a replay of a cached one
    ctx.context.add_init_script(STREAM_TAP)
    page = ctx.new_page()
    open_chat(page, app.url)
    page.evaluate(OBSERVE_ANSWER)
    with page.expect_response(is_stream) as streamed:
        ask(page, ANSWERED_QUESTION)
    wait_answers(page, 1)
    answer = last_answer(page)
    response = streamed.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    [chunks] = tapped_streams(page)
    events = sse_events("".join(chunks))
    names = [name for name, _ in events]
    assert names[:2] == ["meta", "sources"], names
    assert names[-2:] == ["usage", "done"], names
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert len(deltas) > 1, f"the answer came as {len(deltas)} delta event(s), not as a stream: {names}"
    assert set(names[2:-2]) == {"delta"}, names
    meta, done = events[0][1], events[-1][1]
    assert meta["mode"] == "offline"
    assert meta["cached"] is False
    assert UUID_RE.match(meta["session_id"])
    assert done["answered"] is True
    assert "".join(deltas) == done["answer"]
    # The transcript was busy while the answer streamed in, then settled on the full text.
    busy = page.evaluate("window.__busy")
    assert busy[:1] == ["true"], busy
    assert busy[-1] == "false", busy
    lens = page.evaluate("window.__lens")
    assert lens
    assert lens[-1] == len(answer.locator(".dt-answer").text_content() or "")
    sources = dict(events)["sources"]["sources"]
    assert sources, "the answer has no sources"
    numbers = {s["number"] for s in sources}
    expect(answer.locator(".dt-answer")).to_have_text(rendered(done["answer"], numbers))
    expect(answer.locator(".dt-meta")).to_have_text("Extracted from notes")
    # Every source is listed under the answer with its number, title, match and snippet.
    items = answer.locator(".dt-sources li.dt-src")
    expect(items).to_have_count(len(sources))
    for item, source in zip(items.all(), sources, strict=True):
        expect(item.locator(".dt-snum")).to_have_text(str(source["number"]))
        expect(item.locator(".dt-stitle")).to_have_text(source["title"] or source["document_id"])
        shown = item.locator(".dt-score").text_content() or ""
        # The cosine similarity as a percentage when the passage has one, else the rank score.
        if source.get("similarity") is not None:
            assert shown == f"{math.floor(source['similarity'] * 100 + 0.5)}% match", (shown, source)  # JS Math.round
        else:
            assert abs(float(shown) - source["score"]) <= 0.005 + 1e-9, (shown, source["score"])
        expect(item.locator(".dt-snip")).to_have_text(source["snippet"])
    # Each [n] is a link to its source entry; following it moves focus there.
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", done["answer"])]
    assert cited, f"no citation in the answer: {done['answer']!r}"
    assert set(cited) <= numbers, f"citations {cited} vs sources {sorted(numbers)}"
    links = answer.locator("a.dt-cite")
    expect(links).to_have_text([str(n) for n in cited])
    for link, number in zip(links.all(), cited, strict=True):
        href = link.get_attribute("href") or ""
        assert href.startswith("#")
        expect(answer.locator(f"li[id='{href[1:]}'] .dt-snum")).to_have_text(str(number))
    href = links.first.get_attribute("href") or ""
    links.first.click()
    expect(answer.locator(f"li[id='{href[1:]}']")).to_be_focused()


def test_model_answer_renders_progressively(ctx: Ctx, model_app: AppServer) -> None:
    """In model mode the deltas arrive over time: the page shows the answer growing, not all at once."""
    ctx.context.add_init_script(STREAM_TAP)
    page = ctx.new_page()
    open_chat(page, model_app.url)
    expect(page.locator(".dt-badge")).to_have_text("AI answers")
    expect(page.locator(".dt-banner")).to_be_hidden()
    page.evaluate(OBSERVE_ANSWER)
    ask(page, ANSWERED_QUESTION)
    wait_answers(page, 1)
    [chunks] = tapped_streams(page)
    reads_with_text = [c for c in chunks if "event: delta" in c]
    assert len(reads_with_text) > 2, f"the deltas were not relayed as they came: {len(chunks)} reads"
    lens = page.evaluate("window.__lens")
    assert len(lens) > 2, f"the answer did not render progressively: {lens}"
    assert lens == sorted(lens), lens
    answer = last_answer(page)
    events = dict(sse_events("".join(chunks)))
    assert events["meta"]["mode"] == "openai"
    numbers = {s["number"] for s in events["sources"]["sources"]}
    assert 1 in numbers
    expect(answer.locator(".dt-answer")).to_have_text(rendered(MODEL_ANSWER, numbers))
    expect(answer.locator("a.dt-cite")).to_have_text(["1"])
    expect(answer.locator(".dt-meta")).to_have_count(0)  # "Extracted from notes" is for offline answers only


def test_follow_up_sends_the_session_id_from_meta(ctx: Ctx, app: AppServer) -> None:
    ctx.context.add_init_script(STREAM_TAP)
    page = ctx.new_page()
    open_chat(page, app.url)
    ask(page, FIRST_QUESTION)
    wait_answers(page, 1)
    ask(page, FOLLOW_UP)
    wait_answers(page, 2)
    first, second = (dict(sse_events("".join(chunks))) for chunks in tapped_streams(page))
    session_id = first["meta"]["session_id"]
    assert UUID_RE.match(session_id)
    bodies = chat_bodies(ctx.requests)
    assert bodies == [{"message": FIRST_QUESTION}, {"message": FOLLOW_UP, "session_id": session_id}]
    # The server continued that session (an unknown one is refused before the stream starts).
    assert second["meta"]["session_id"] == session_id
    assert "done" in second, second
    expect(last_answer(page).locator(".dt-answer")).to_have_text(re.compile(r"\S"))
    expect(page.locator(".dt-notice")).to_have_count(0)


def test_nothing_in_my_notes(page: Any, app: AppServer) -> None:
    open_chat(page, app.url)
    ask(page, "What is the airspeed velocity of an unladen swallow?")
    wait_answers(page, 1)
    answer = last_answer(page)
    expect(answer).to_have_class(re.compile(r"\bdt-miss\b"))
    expect(answer.locator(".dt-miss-h")).to_have_text("Nothing in my notes")
    expect(answer.locator(".dt-answer")).to_contain_text("I don't have anything in my notes about that")
    expect(answer.locator(".dt-sources")).to_have_count(0)


def test_a_miss_lists_no_sources_even_when_some_were_streamed(page: Any, app: AppServer) -> None:
    """The real server can send passages in ``sources`` and then decide ``answered: false`` (offline mode):
    the miss must not list them under "Nothing in my notes"."""
    miss = "I don't have anything in my notes about that, so I'd rather not guess."
    open_chat(page, app.url)
    page.route("**/api/chat/stream", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream"}, body=sse_body([
            ("meta", {"session_id": "6f1c1c1e-7d55-4c36-9f0e-4b4cbbd1c0a1", "mode": "offline", "cached": False}),
            ("sources", {"sources": [{"number": 1, "document_id": "about", "title": "Maya Okafor",
                                      "chunk_id": "c", "score": 0.03, "snippet": "I answer within two days."}]}),
            ("delta", {"text": miss}),
            ("done", {"answer": miss, "answered": False}),
        ])))
    ask(page, "How can I contact you?")
    wait_answers(page, 1)
    answer = last_answer(page)
    expect(answer.locator(".dt-miss-h")).to_have_text("Nothing in my notes")
    expect(answer.locator(".dt-sources")).to_have_count(0)


def test_rate_limited_shows_the_wait(make_ctx: Any, limited_app: AppServer) -> None:
    ctx = make_ctx()
    page = ctx.new_page()
    open_chat(page, limited_app.url)
    for n, question in enumerate(["Where do you work?", "What do you cook?"], start=1):
        ask(page, question)
        wait_answers(page, n)
    with page.expect_response(is_stream) as refused:
        ask(page, "Do you run?")
    response = refused.value
    assert response.status == 429
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert response.json()["error"]["code"] == "rate_limited"
    warn = page.locator(".dt-notice-warn")
    expect(warn).to_contain_text("You're sending messages faster than allowed")
    expect(warn).to_contain_text(re.compile(r"You can send again in \d+ seconds?\."))
    send = page.get_by_role("button", name="Send message")
    expect(send).to_be_disabled()
    expect(page.locator(".dt-wait")).to_have_text(re.compile(r"^Please wait \d+ s before sending again$"))
    box = page.get_by_label("Your message")
    expect(box).to_have_value("Do you run?")  # the unsent text goes back into the box
    expect(page.locator(".dt-user.dt-unsent")).to_have_count(1)
    expect(page.locator(".dt-user.dt-unsent")).to_have_text("Do you run?")
    box.press("Enter")  # ignored while locked
    page.wait_for_timeout(200)
    assert len(chat_bodies(ctx.requests)) == 3
    expect(page.locator("article.dt-twin")).to_have_count(2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "state-rate-limited.png"))


def test_twin_not_found(page: Any, ctx: Ctx, app: AppServer) -> None:
    with page.expect_response(lambda r: "/api/profile" in r.url) as profile:
        page.goto(app.url + "/?twin=nobody")
    assert profile.value.status == 404
    assert profile.value.json()["error"]["code"] == "twin_not_found"
    assert "twin_id=nobody" in profile.value.url
    expect(page.locator(".dt-banner-error")).to_have_text(
        "This twin could not be found. Check the link you were given.")
    expect(page.get_by_label("Your message")).to_be_disabled()
    expect(page.get_by_role("button", name="Send message")).to_be_disabled()
    expect(page.locator(".dt-chip")).to_have_count(0)


def test_falls_back_to_plain_chat_without_readablestream(make_ctx: Any, app: AppServer) -> None:
    ctx = make_ctx()
    ctx.context.add_init_script("delete window.ReadableStream")
    page = ctx.new_page()
    open_chat(page, app.url)
    with page.expect_response(lambda r: r.url.endswith("/api/chat")) as plain:
        ask(page, "What do you cook?")
    wait_answers(page, 1)
    answer = last_answer(page)
    body = plain.value.json()
    assert body["answered"] is True
    assert body["sources"]
    expect(answer.locator(".dt-sources li.dt-src")).to_have_count(len(body["sources"]))
    assert chat_bodies(ctx.requests, "/api/chat") == [{"message": "What do you cook?"}]
    assert chat_bodies(ctx.requests) == []


def test_model_output_is_rendered_as_text(page: Any, app: AppServer) -> None:
    evil = '<img src=x onerror="window.__pwned=1"> <b>bold</b> [1]'
    sse = sse_body([
        ("meta", {"session_id": "6f1c1c1e-7d55-4c36-9f0e-4b4cbbd1c0a1", "mode": "offline", "cached": False}),
        ("sources", {"sources": [{"number": 1, "document_id": "d", "title": "<i>t</i>", "chunk_id": "c",
                                  "score": 0.5, "snippet": "<script>window.__pwned=2</script>"}]}),
        ("delta", {"text": evil}),
        ("done", {"answer": evil, "answered": True}),
    ])
    open_chat(page, app.url)
    page.route("**/api/chat/stream", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream"}, body=sse))
    ask(page, "hi")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-done", "true")
    expect(answer.locator("img, b, i, script")).to_have_count(0)
    expect(answer.locator(".dt-answer")).to_contain_text('<img src=x onerror="window.__pwned=1"> <b>bold</b>')
    expect(answer.locator(".dt-stitle")).to_have_text("<i>t</i>")
    expect(answer.locator(".dt-snip")).to_have_text("<script>window.__pwned=2</script>")
    assert page.evaluate("window.__pwned") is None


def test_shift_enter_adds_a_line_and_enter_sends(page: Any, ctx: Ctx, app: AppServer) -> None:
    open_chat(page, app.url)
    box = page.get_by_label("Your message")
    box.press_sequentially("What do you do?")
    box.press("Shift+Enter")
    box.press_sequentially("And where?")
    expect(box).to_have_value("What do you do?\nAnd where?")
    assert chat_bodies(ctx.requests) == []
    box.press("Enter")
    expect(page.locator(".dt-user .dt-bubble")).to_have_text("What do you do?\nAnd where?")
    expect(box).to_have_value("")
    wait_answers(page, 1)
    assert chat_bodies(ctx.requests) == [{"message": "What do you do?\nAnd where?"}]


def test_no_outside_requests(ctx: Ctx, page: Any, app: AppServer) -> None:
    open_chat(page, app.url)
    ask(page, ANSWERED_QUESTION)
    wait_answers(page, 1)
    page.wait_for_timeout(300)
    origin = app.url.split("//", 1)[1]
    others = [r.url for r in ctx.requests if not r.url.startswith("data:") and r.url.split("/")[2] != origin]
    assert others == []
    assert ctx.outside == []
    assert not [r.url for r in ctx.requests if r.url.endswith((".woff", ".woff2", ".ttf", ".otf"))]
    # The page's own CSP held nothing back (an inline style or script would show up here).
    assert ctx.csp_violations() == []


def test_phone_width_has_no_horizontal_overflow(make_ctx: Any, app: AppServer) -> None:
    ctx = make_ctx(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    open_chat(page, app.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("Your message").tap()
    ask(page, ANSWERED_QUESTION)
    wait_answers(page, 1)
    expect(last_answer(page).locator(".dt-sources li.dt-src").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    wide = page.evaluate("""() => [...document.querySelectorAll('#app *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.className)""")
    assert wide == []
    box = page.get_by_label("Your message").bounding_box()
    assert box["y"] + box["height"] <= 740
    assert box["width"] > 250


def test_screenshots_after_one_answer(make_ctx: Any, app: AppServer) -> None:
    """docs/screenshots/page-{desktop,phone}-{light,dark}.png, each after one answered question."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    devices = {"desktop": {"viewport": {"width": 1280, "height": 800}},
               "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
                         "device_scale_factor": 2}}
    for device, options in devices.items():
        for scheme in ("light", "dark"):
            app.clear_answer_cache()  # each shot shows a fresh answer, not "From cache"
            ctx = make_ctx(color_scheme=scheme, **options)
            page = ctx.new_page()
            open_chat(page, app.url)
            ask(page, ANSWERED_QUESTION)
            wait_answers(page, 1)
            page.evaluate("document.activeElement.blur()")  # no caret or focus ring in the picture
            page.wait_for_timeout(250)  # the scroll into view and the typing dots settle
            page.screenshot(path=str(SHOTS / f"page-{device}-{scheme}.png"))
            ctx.context.close()
