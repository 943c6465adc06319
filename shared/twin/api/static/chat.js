/* Page bootstrap for GET / : picks the twin from ?twin=ID and mounts the shared UI. */
(() => {
  'use strict';
  const API_BASE = ''; // same origin as the page; the only place the API base is set
  const twin = new URLSearchParams(location.search).get('twin') || '';
  const DT = window.DigitalTwin;
  const root = document.getElementById('app');
  if (!DT || !root) return;
  const ui = DT.mount(root, { client: DT.createClient({ base: API_BASE, twinId: twin }), heading: 'h1' });
  ui.ready.then((p) => {
    window.__dtReady = performance.now(); // profile rendered (used by measure.py)
    if (p && p.display_name) document.title = p.display_name + ' · digital twin';
  });
  ui.focus();
  window.twinChat = ui; // handy for debugging and tests
})();
