/* digital-twin client: API calls, SSE parsing and the chat UI shared by the
   page (chat.js) and the embeddable widget (widget.js). Plain ES2020, no deps.
   Exposes one global: window.DigitalTwin. Model output is only ever set via
   textContent / text nodes, never innerHTML. */
(function (g) {
  'use strict';
  if (g.DigitalTwin) return;

  class ApiError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message || code);
      this.status = status; this.code = code; this.retryAfter = retryAfter ?? null;
    }
  }
  const netError = (interrupted) => new ApiError(0, interrupted ? 'stream_interrupted' : 'network_error',
    interrupted ? 'The connection dropped before the answer finished.' : 'Could not reach the server.');

  /* Server-Sent Events parser: feed decoded text with push(); calls
     onEvent(name, data) per dispatched event. Handles events split across
     chunks, CRLF split across chunks, multi-line data and ": comment" lines. */
  function sseParser(onEvent) {
    let buf = '', name = '', data = [];
    const line = (l) => {
      if (l === '') {
        if (data.length) onEvent(name || 'message', data.join('\n'));
        name = ''; data = [];
        return;
      }
      if (l[0] === ':') return; // comment / heartbeat (": ping")
      const i = l.indexOf(':');
      const field = i < 0 ? l : l.slice(0, i);
      let v = i < 0 ? '' : l.slice(i + 1);
      if (v[0] === ' ') v = v.slice(1);
      if (field === 'event') name = v;
      else if (field === 'data') data.push(v);
    };
    return {
      push(text) {
        buf += text;
        let hold = '';
        if (buf.endsWith('\r')) { hold = '\r'; buf = buf.slice(0, -1); } // maybe half of \r\n
        const lines = buf.split(/\r\n|\r|\n/);
        buf = lines.pop() + hold;
        lines.forEach(line);
      },
    };
  }

  function parseRetryAfter(res, body) {
    const h = res && res.headers.get('Retry-After');
    if (h) {
      if (/^\d+$/.test(h.trim())) return +h;
      const t = Date.parse(h);
      if (!isNaN(t)) return Math.max(0, Math.ceil((t - Date.now()) / 1000));
    }
    const b = body && body.error && (body.error.retry_after ?? body.error.retry_after_seconds);
    return typeof b === 'number' ? b : null;
  }

  async function errorFrom(res) {
    let text = '', json = null;
    try { text = await res.text(); json = JSON.parse(text); } catch (e) { /* not JSON */ }
    const shaped = !!(json && json.error && json.error.code);
    const err = shaped
      ? new ApiError(res.status, json.error.code, json.error.message, parseRetryAfter(res, json))
      : new ApiError(res.status, 'http_' + res.status, 'The server answered ' + res.status + '.', parseRetryAfter(res, null));
    err.shaped = shaped; err.json = !!json;
    return err;
  }

  const canStream = () => typeof ReadableStream !== 'undefined' && typeof TextDecoder !== 'undefined' &&
    typeof Response !== 'undefined' && 'body' in Response.prototype;

  function createClient({ base = '', twinId = '' } = {}) {
    const root = String(base).replace(/\/+$/, '');
    const url = (p) => root + p;
    const opts = (body, accept, signal) => ({
      method: 'POST', mode: 'cors', credentials: 'omit', signal,
      headers: { 'Content-Type': 'application/json', Accept: accept },
      body: JSON.stringify(body),
    });
    const withTwin = (b) => (twinId ? { ...b, twin_id: twinId } : b);

    async function profile(signal) {
      let res;
      try {
        res = await fetch(url('/api/profile' + (twinId ? '?twin_id=' + encodeURIComponent(twinId) : '')),
          { mode: 'cors', credentials: 'omit', signal, headers: { Accept: 'application/json' } });
      } catch (e) { if (e.name === 'AbortError') throw e; throw netError(); }
      if (!res.ok) throw await errorFrom(res);
      return res.json();
    }

    async function chat(body, signal) {
      let res;
      try { res = await fetch(url('/api/chat'), opts(withTwin(body), 'application/json', signal)); }
      catch (e) { if (e.name === 'AbortError') throw e; throw netError(); }
      if (!res.ok) throw await errorFrom(res);
      const j = await res.json();
      return { ...j, answered: j.answered !== false, sources: j.sources || [], streamed: false };
    }

    /* Streams one answer. h: {onMeta, onSources, onDelta, onUsage}. Resolves with
       the final result; falls back to POST /api/chat when streaming is not
       available (no ReadableStream, fetch failure, 404/405, non-JSON error). */
    async function send(body, h = {}, { signal, stream = true } = {}) {
      if (!stream || !canStream()) return chat(body, signal);
      let res;
      try { res = await fetch(url('/api/chat/stream'), opts(withTwin(body), 'text/event-stream', signal)); }
      catch (e) { if (e.name === 'AbortError') throw e; return chat(body, signal); }
      if (!res.ok) {
        const err = await errorFrom(res);
        if (err.shaped) throw err;
        if (res.status === 404 || res.status === 405 || !err.json) return chat(body, signal);
        throw err;
      }
      if ((res.headers.get('Content-Type') || '').includes('application/json')) {
        const j = await res.json();
        return { ...j, answered: j.answered !== false, sources: j.sources || [], streamed: false };
      }
      const out = { answer: '', sources: [], session_id: null, mode: null, cached: false, answered: true, usage: null, streamed: true };
      let done = false, failure = null;
      const parser = sseParser((ev, raw) => {
        if (done || failure) return;
        let d; try { d = JSON.parse(raw); } catch (e) { return; }
        if (ev === 'meta') { Object.assign(out, { session_id: d.session_id, mode: d.mode, cached: !!d.cached }); h.onMeta && h.onMeta(d); }
        else if (ev === 'sources') { out.sources = d.sources || []; h.onSources && h.onSources(out.sources); }
        else if (ev === 'delta') { const t = d.text || ''; out.answer += t; h.onDelta && h.onDelta(t, out.answer); }
        else if (ev === 'usage') { out.usage = d; h.onUsage && h.onUsage(d); }
        else if (ev === 'done') { done = true; if (typeof d.answer === 'string') out.answer = d.answer; out.answered = d.answered !== false; }
        else if (ev === 'error') { const e = d.error || {}; failure = new ApiError(200, e.code || 'stream_error', e.message); failure.partial = out.answer; }
      });
      const dec = new TextDecoder();
      try {
        if (!res.body || !res.body.getReader) parser.push(await res.text());
        else {
          const reader = res.body.getReader();
          for (;;) {
            const { value, done: end } = await reader.read();
            if (end) break;
            parser.push(dec.decode(value, { stream: true }));
            if (done || failure) { reader.cancel().catch(() => {}); break; }
          }
        }
        parser.push(dec.decode() + '\n\n');
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        if (!done && !failure) { const n = netError(true); n.partial = out.answer; throw n; }
      }
      if (failure) throw failure;
      if (!done) { const n = netError(true); n.partial = out.answer; throw n; }
      return out;
    }

    return { profile, chat, send, twinId };
  }

  /* ---------- UI ---------- */
  const SVG = {
    send: '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6 3.4 10.1 15 12 3.4 13.9z"/></svg>',
    close: '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" d="M6 6l12 12M18 6 6 18"/></svg>',
  };
  const el = (tag, cls, text) => {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  };
  const initials = (name) => (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
  const fmtWait = (s) => (s < 90 ? s + ' second' + (s === 1 ? '' : 's')
    : s < 5400 ? Math.round(s / 60) + ' minutes' : Math.round(s / 3600) + ' hours');
  const firstName = (n) => (n || '').split(/\s+/)[0] || 'this person';
  let seq = 0;

  /* Mounts a complete chat UI into `root` (element in a document or shadow root).
     opts: {client, heading: 'h1'|'h2', title, onClose, stream} */
  function mount(root, opts) {
    const { client } = opts;
    const id = 'dt' + (++seq) + Math.random().toString(36).slice(2, 6);
    const H = opts.heading || 'h1';
    root.classList.add('dt');
    root.innerHTML = // static template only; dynamic text is set below via textContent
      '<header class="dt-head"><div class="dt-avatar" aria-hidden="true"></div>' +
      `<div class="dt-id"><${H} class="dt-name">Digital twin</${H}><p class="dt-persona"></p></div>` +
      '<span class="dt-badge" hidden></span>' +
      (opts.onClose ? `<button type="button" class="dt-close" aria-label="Close chat">${SVG.close}</button>` : '') +
      '</header><div class="dt-banner" hidden></div>' +
      `<div class="dt-log" role="log" aria-live="polite" aria-relevant="additions" aria-label="Conversation" tabindex="0"><div class="dt-col"></div></div>` +
      `<form class="dt-composer" novalidate><div class="dt-field"><label class="dt-sr" for="${id}-in">Your message</label>` +
      `<textarea id="${id}-in" class="dt-input" rows="1" aria-describedby="${id}-hint" autocomplete="off" placeholder="Ask a question…"></textarea>` +
      `<button type="submit" class="dt-send" aria-label="Send message">${SVG.send}</button></div>` +
      `<p class="dt-hint" id="${id}-hint"><span class="dt-hint-text">Enter to send · Shift+Enter for a new line</span><span class="dt-wait" hidden></span></p></form>`;
    const $ = (s) => root.querySelector(s);
    const log = $('.dt-log'), col = $('.dt-col'), input = $('.dt-input'), sendBtn = $('.dt-send');
    const form = $('.dt-composer'), banner = $('.dt-banner'), badge = $('.dt-badge'), waitEl = $('.dt-wait');
    const st = { sessionId: null, busy: false, lockTimer: null, lockUntil: 0, profile: null, missing: false, ctrl: null };
    if (opts.title) $('.dt-name').textContent = opts.title;
    if (opts.onClose) $('.dt-close').addEventListener('click', opts.onClose);

    // Follow new content while the reader is at the bottom; stop following once they scroll up.
    let stick = true;
    const toBottom = (force) => { if (force) stick = true; if (stick) log.scrollTop = log.scrollHeight; };
    log.addEventListener('scroll', () => { stick = log.scrollHeight - log.scrollTop - log.clientHeight < 40; }, { passive: true });
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => toBottom()).observe(col);
    const add = (node) => { col.appendChild(node); toBottom(); return node; };

    function notice(kind, text, action) {
      const n = el('div', 'dt-notice dt-notice-' + kind);
      n.setAttribute('data-kind', kind);
      n.appendChild(el('span', null, text));
      if (action) {
        const b = el('button', 'dt-btn', action.label);
        b.type = 'button';
        b.addEventListener('click', () => { n.remove(); input.focus(); action.run(); });
        n.appendChild(b);
      }
      return add(n);
    }

    function setMode(mode) {
      if (!mode) return;
      badge.hidden = mode === 'offline'; // offline is explained by the banner instead
      badge.textContent = 'AI answers';
      badge.className = 'dt-badge dt-badge-ai';
      if (mode === 'offline') showBanner('info', 'Offline mode: answers are extracted from the notes, no AI model.');
      else if (banner.dataset.kind === 'info') banner.hidden = true;
    }
    function showBanner(kind, text) {
      banner.hidden = false; banner.dataset.kind = kind;
      banner.className = 'dt-banner dt-banner-' + kind;
      banner.textContent = text;
    }

    function setDisabled() {
      const locked = st.missing || st.busy || Date.now() < st.lockUntil;
      sendBtn.disabled = locked;
      input.disabled = st.missing;
      form.classList.toggle('dt-locked', Date.now() < st.lockUntil);
    }

    function twinMissing(msg) {
      st.missing = true;
      const w = col.querySelector('.dt-welcome'); if (w) w.remove();
      showBanner('error', msg || 'This twin could not be found. Check the link you were given.');
      $('.dt-persona').textContent = '';
      input.placeholder = 'Chat unavailable';
      setDisabled();
    }

    function welcome(p) {
      const old = col.querySelector('.dt-welcome'); if (old) old.remove();
      const w = el('div', 'dt-welcome');
      w.appendChild(el('p', 'dt-welcome-h', `Hi! I'm ${firstName(p.display_name)}'s digital twin.`));
      w.appendChild(el('p', 'dt-welcome-p', `I answer from ${firstName(p.display_name)}'s own notes${p.documents ? ' (' + p.documents + ' document' + (p.documents === 1 ? '' : 's') + ')' : ''} and cite where each answer comes from.`));
      const qs = (p.suggested_questions || []).slice(0, 6);
      if (qs.length) {
        const list = el('ul', 'dt-chips'); list.setAttribute('aria-label', 'Suggested questions');
        qs.forEach((q) => {
          const li = el('li'), b = el('button', 'dt-chip', q);
          b.type = 'button';
          b.addEventListener('click', () => { ask(q); input.focus(); });
          li.appendChild(b); list.appendChild(li);
        });
        w.appendChild(list);
      }
      col.insertBefore(w, col.firstChild);
    }

    async function loadProfile() {
      try {
        const p = await client.profile();
        st.profile = p;
        $('.dt-name').textContent = opts.title || p.display_name || 'Digital twin';
        $('.dt-persona').textContent = p.persona || '';
        $('.dt-avatar').textContent = initials(p.display_name);
        input.placeholder = `Ask ${firstName(p.display_name)}'s twin a question…`;
        setMode(p.mode);
        welcome(p);
        return p;
      } catch (e) {
        if (e.code === 'twin_not_found' || e.code === 'invalid_twin_id') twinMissing(e.code === 'invalid_twin_id' ? 'That twin link is not valid.' : null);
        else if (e.status === 0) notice('error', "Couldn't reach the twin: the server may be down, or this site is not allowed to use it.", { label: 'Retry', run: loadProfile });
        else notice('error', 'Could not load the profile (' + (e.message || e.code) + ').', { label: 'Retry', run: loadProfile });
        return null;
      }
    }

    function lock(seconds, text) {
      const s = Math.max(1, Math.ceil(seconds || 30));
      st.lockUntil = Date.now() + s * 1000;
      notice('warn', text.replace('{wait}', fmtWait(s)));
      clearInterval(st.lockTimer);
      const tick = () => {
        const left = Math.ceil((st.lockUntil - Date.now()) / 1000);
        if (left <= 0) {
          clearInterval(st.lockTimer); st.lockTimer = null;
          waitEl.hidden = true; $('.dt-hint-text').hidden = false;
          st.lockUntil = 0; setDisabled();
          notice('ok', 'You can send messages again.');
          return;
        }
        waitEl.hidden = false; $('.dt-hint-text').hidden = true;
        waitEl.textContent = `Please wait ${left} s before sending again`;
        setDisabled();
      };
      tick();
      st.lockTimer = setInterval(tick, 1000);
    }

    function renderAnswer(target, text, srcMap, mid) {
      target.textContent = '';
      const parts = text.split(/(\[\d+\])/);
      parts.forEach((part, i) => {
        const m = /^\[(\d+)\]$/.exec(part);
        const s = m && srcMap.get(+m[1]);
        if (!s) {
          // glue "word [1]" together so a citation never wraps onto its own line
          const next = /^\[(\d+)\]$/.exec(parts[i + 1] || '');
          if (next && srcMap.get(+next[1])) part = part.replace(/[ \t]+$/, '');
          if (part) target.appendChild(document.createTextNode(part));
          return;
        }
        const a = el('a', 'dt-cite', m[1]);
        a.href = '#' + mid + '-s' + m[1];
        a.setAttribute('aria-label', 'Source ' + m[1] + (s.title ? ': ' + s.title : ''));
        a.dataset.source = m[1];
        target.appendChild(a);
      });
    }

    function twinMessage() {
      const mid = id + 'm' + (++seq);
      const wrap = el('article', 'dt-msg dt-twin');
      wrap.setAttribute('aria-label', 'Answer');
      const bubble = wrap.appendChild(el('div', 'dt-bubble'));
      const body = bubble.appendChild(el('div', 'dt-answer'));
      const typing = body.appendChild(el('span', 'dt-typing'));
      typing.innerHTML = '<i></i><i></i><i></i>';
      typing.appendChild(el('span', 'dt-sr', 'Thinking…'));
      let text = '', srcMap = new Map(), raf = 0;
      const draw = () => { raf = 0; renderAnswer(body, text, srcMap, mid); toBottom(); };
      const api = {
        el: wrap,
        delta(t) { text += t; if (!raf) raf = requestAnimationFrame(draw); },
        sources(list) {
          srcMap = new Map((list || []).map((s) => [s.number, s]));
          let box = bubble.querySelector('.dt-sources'); if (box) box.remove();
          if (!srcMap.size) return;
          box = el('div', 'dt-sources');
          box.appendChild(el('p', 'dt-sources-h', 'Sources'));
          const ol = box.appendChild(el('ol'));
          srcMap.forEach((s, n) => {
            const li = el('li', 'dt-src');
            li.id = mid + '-s' + n; li.tabIndex = -1;
            li.appendChild(el('span', 'dt-snum', String(n)));
            const d = li.appendChild(el('div', 'dt-sbody'));
            const top = d.appendChild(el('div', 'dt-stop'));
            top.appendChild(el('span', 'dt-stitle', s.title || s.document_id || 'Document'));
            // similarity (0-1 cosine) reads as a match strength; the fused score is only a rank.
            const rel = typeof s.similarity === 'number' ? s.similarity : s.score;
            if (typeof rel === 'number') {
              const label = typeof s.similarity === 'number' ? Math.round(rel * 100) + '% match' : rel.toFixed(2);
              const sc = top.appendChild(el('span', 'dt-score', label));
              sc.title = 'How closely this passage matches the question'; sc.setAttribute('aria-label', 'relevance ' + label);
            }
            if (s.snippet) d.appendChild(el('p', 'dt-snip', s.snippet));
            ol.appendChild(li);
          });
          bubble.appendChild(box);
        },
        finish(r) {
          if (raf) cancelAnimationFrame(raf);
          // A miss lists no sources, even when retrieval sent some before the answer was decided.
          if (r.sources) api.sources(r.answered ? r.sources : []);
          text = r.answer || text;
          if (!r.answered) {
            wrap.classList.add('dt-miss');
            bubble.insertBefore(el('p', 'dt-miss-h', 'Nothing in my notes'), body);
            if (!text) text = "I couldn't find anything about that in my notes.";
          }
          draw();
          const meta = [];
          if (r.mode === 'offline') meta.push('Extracted from notes');
          if (r.cached) meta.push('From cache');
          if (meta.length) bubble.insertBefore(el('p', 'dt-meta', meta.join(' · ')), body.nextSibling);
          wrap.dataset.done = 'true';
        },
        fail() {
          if (raf) cancelAnimationFrame(raf);
          if (text) { draw(); wrap.classList.add('dt-partial'); } else wrap.remove();
        },
      };
      return api;
    }

    async function ask(text, { userEl = null } = {}) {
      text = (text || '').trim();
      if (!text || st.busy || st.missing || Date.now() < st.lockUntil) return;
      if (!userEl) {
        userEl = el('div', 'dt-msg dt-user');
        userEl.appendChild(el('div', 'dt-bubble', text));
        add(userEl);
        toBottom(true);
      }
      userEl.classList.remove('dt-unsent');
      st.busy = true; setDisabled();
      log.setAttribute('aria-busy', 'true');
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const msg = twinMessage();
          add(msg.el);
          const body = { message: text };
          if (st.sessionId) body.session_id = st.sessionId;
          try {
            const r = await client.send(body, {
              onMeta: (m) => { if (m.session_id) st.sessionId = m.session_id; setMode(m.mode); },
              onSources: (s) => msg.sources(s),
              onDelta: (t) => msg.delta(t),
            }, { stream: opts.stream !== false && (!st.profile || st.profile.streaming !== false) });
            if (r.session_id) st.sessionId = r.session_id;
            if (r.mode) setMode(r.mode);
            msg.finish(r);
            return;
          } catch (e) {
            msg.fail();
            const expired = e.code === 'session_not_found' || e.code === 'invalid_session_id';
            if (expired && body.session_id) {
              st.sessionId = null;
              notice('info', 'Your earlier conversation had expired, so I started a new one.');
              continue; // resend transparently without the stale session_id
            }
            handleError(e, text, userEl);
            return;
          }
        }
      } finally {
        st.busy = false; setDisabled();
        log.setAttribute('aria-busy', 'false');
      }
    }

    function handleError(e, text, userEl) {
      const c = e.code;
      const again = { label: 'Retry', run: () => ask(text, { userEl }) };
      const restore = () => { userEl.classList.add('dt-unsent'); if (!input.value) { input.value = text; grow(); } };
      if (c === 'rate_limited') {
        restore();
        lock(e.retryAfter, "You're sending messages faster than allowed. You can send again in {wait}.");
      } else if (c === 'token_budget_exceeded') {
        restore();
        lock(e.retryAfter || 3600, 'The twin has used up its answer budget for now. Try again in {wait}.');
      } else if (c === 'twin_not_found') {
        twinMissing();
      } else if (c === 'network_error') {
        notice('error', "Couldn't reach the twin: check your connection, or this site may not be allowed to use it.", again);
      } else if (c === 'stream_interrupted') {
        notice('error', e.message, again);
      } else if (['empty_message', 'message_too_long', 'invalid_request', 'invalid_json', 'invalid_filters', 'session_not_found', 'invalid_session_id'].includes(c)) {
        restore();
        notice('error', e.message || 'That message could not be sent.');
      } else if (c === 'upstream_timeout') {
        notice('error', 'The AI model took too long to answer.', again);
      } else if (c === 'upstream_error' || c === 'database_unavailable' || e.status >= 500) {
        notice('error', 'Something went wrong on the server' + (e.message ? ': ' + e.message : '.'), again);
      } else {
        notice('error', e.message || 'Something went wrong.', again);
      }
    }

    const grow = () => { input.style.height = 'auto'; input.style.height = Math.min(input.scrollHeight, 160) + 'px'; };
    input.addEventListener('input', grow);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit(); }
    });
    const submit = () => {
      const t = input.value.trim();
      if (!t || sendBtn.disabled) return;
      input.value = ''; grow();
      ask(t);
      input.focus();
    };
    form.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
    log.addEventListener('click', (e) => {
      const a = e.target.closest && e.target.closest('a.dt-cite');
      if (!a) return;
      e.preventDefault();
      const li = root.querySelector('#' + CSS.escape(a.getAttribute('href').slice(1)));
      if (!li) return;
      li.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      li.classList.remove('dt-flash'); void li.offsetWidth; li.classList.add('dt-flash');
      li.focus({ preventScroll: true });
    });

    const ready = loadProfile();
    return { ask, ready, focus: () => input.focus(), state: st, el: root };
  }

  g.DigitalTwin = { ApiError, sseParser, createClient, mount, version: '1' };
})(typeof window !== 'undefined' ? window : globalThis);
