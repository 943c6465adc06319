/* digital-twin embeddable widget.
   <script src="https://twin.example.com/widget.js" data-twin="default" async></script>
   Optional: data-api="https://api.example.com" (default: this script's origin), data-title="…".
   Renders a bubble in a Shadow DOM; on first open it loads twin-client.js and
   chat.css from the same host (classic script + <link>, so no CORS needed for
   assets) and mounts the same chat UI as the full page. */
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me || window.__digitalTwinWidget) return;
  window.__digitalTwinWidget = true;
  const src = new URL(me.src, location.href);
  const assets = /\/static\/[^/]*$/.test(src.pathname) ? new URL('.', src).href : src.origin + '/static/';
  const api = (me.dataset.api || src.origin).replace(/\/+$/, '');
  const twin = me.dataset.twin || '';
  const title = me.dataset.title || '';
  const label = title ? 'Chat with ' + title : 'Open chat';

  const host = document.createElement('digital-twin-widget'); // custom tag: no host `div{}` rules
  host.setAttribute('data-digital-twin', '');
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = `
:host{all:initial!important;display:block!important;position:fixed!important;right:20px!important;bottom:20px!important;z-index:2147483000!important;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif!important;color:#17191d!important}
*{box-sizing:border-box}
.bubble{width:58px;height:58px;border-radius:50%;border:0;cursor:pointer;display:grid;place-items:center;color:#fff;
background:linear-gradient(135deg,#3b6df0,#7c4dde);box-shadow:0 6px 20px rgba(30,40,90,.35);transition:transform .15s}
.bubble:hover{transform:scale(1.06)}
.bubble:focus-visible{outline:3px solid #2452c9;outline-offset:3px}
.bubble svg{width:28px;height:28px}
.panel{position:absolute;right:0;bottom:74px;width:380px;height:min(600px,calc(100vh - 110px));border-radius:18px;overflow:hidden;
box-shadow:0 12px 48px rgba(16,24,40,.28),0 0 0 1px rgba(16,24,40,.08);background:#f5f6f8;display:flex;flex-direction:column}
.panel[hidden]{display:none}
.panel>.dt{flex:1;min-height:0}
.loading{margin:auto;color:#586170;font-size:14px;padding:24px;text-align:center}
.loading.err{color:#8c1d18}
@media (prefers-color-scheme:dark){.panel{background:#0f1115;box-shadow:0 12px 48px rgba(0,0,0,.6),0 0 0 1px #2b3039}.loading{color:#a3abb8}.loading.err{color:#ffb9b3}}
@media (max-width:480px){:host{right:14px!important;bottom:14px!important}.panel{position:fixed;inset:0;width:auto;height:auto;border-radius:0}
.open .bubble{display:none}}`;
  const wrap = document.createElement('div');
  const btn = document.createElement('button');
  btn.type = 'button'; btn.className = 'bubble';
  btn.setAttribute('aria-label', label); btn.setAttribute('aria-expanded', 'false');
  btn.setAttribute('aria-controls', 'dtw-panel');
  const chatIcon = '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 3C6.5 3 2 6.9 2 11.7c0 2.6 1.3 4.9 3.4 6.5L4.6 22l4.4-2.3c.9.2 1.9.3 3 .3 5.5 0 10-3.9 10-8.7S17.5 3 12 3z"/></svg>';
  const closeIcon = '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" d="M6 6l12 12M18 6 6 18"/></svg>';
  btn.innerHTML = chatIcon;
  const panel = document.createElement('div');
  panel.className = 'panel'; panel.id = 'dtw-panel'; panel.hidden = true;
  panel.setAttribute('role', 'dialog'); panel.setAttribute('aria-label', title || 'Chat');
  const status = document.createElement('p');
  status.className = 'loading'; status.textContent = 'Loading chat…';
  panel.appendChild(status);
  wrap.append(panel, btn);
  shadow.append(style, wrap);

  let loader = null, ui = null;
  // Assets are fetched lazily (first hover/focus/open) so the host page only pays for this file.
  const loadClient = () => loader || (loader = Promise.all([
    new Promise((resolve) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet'; link.href = assets + 'chat.css';
      link.onload = link.onerror = resolve; // unstyled beats broken
      shadow.insertBefore(link, wrap);
    }),
    new Promise((resolve, reject) => {
      if (window.DigitalTwin) return resolve();
      const s = document.createElement('script');
      s.src = assets + 'twin-client.js'; s.async = true;
      s.onload = () => (window.DigitalTwin ? resolve() : reject(new Error('no client')));
      s.onerror = () => reject(new Error('load failed'));
      document.head.appendChild(s);
    }),
  ]).then(() => window.DigitalTwin, (e) => { loader = null; throw e; }));

  function open() {
    panel.hidden = false; wrap.classList.add('open');
    btn.setAttribute('aria-expanded', 'true'); btn.innerHTML = closeIcon; btn.setAttribute('aria-label', 'Close chat');
    if (ui) { ui.focus(); return; }
    status.className = 'loading'; status.textContent = 'Loading chat…';
    loadClient().then((DT) => {
      if (ui) return;
      status.remove();
      const root = document.createElement('div');
      root.className = 'dt dt-compact';
      panel.appendChild(root);
      ui = DT.mount(root, { client: DT.createClient({ base: api, twinId: twin }), heading: 'h2', title, onClose: close });
      if (!panel.hidden) ui.focus();
    }, () => {
      status.className = 'loading err';
      status.textContent = "Couldn't load the chat. The twin's server may be unreachable.";
    });
  }
  function close() {
    panel.hidden = true; wrap.classList.remove('open');
    btn.setAttribute('aria-expanded', 'false'); btn.innerHTML = chatIcon; btn.setAttribute('aria-label', label);
    btn.focus();
  }
  btn.addEventListener('click', () => (panel.hidden ? open() : close()));
  const warm = () => loadClient().catch(() => {});
  btn.addEventListener('pointerenter', warm, { once: true });
  btn.addEventListener('focus', warm, { once: true });
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); close(); } });

  const attach = () => document.body.appendChild(host);
  if (document.body) attach(); else document.addEventListener('DOMContentLoaded', attach);
  window.digitalTwinWidget = { open, close, get ui() { return ui; } };
})();
