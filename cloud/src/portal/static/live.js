// keydepot portal: live updates of the dashboard over server-sent events.
// The page works without this file; with it, what the relay learns appears
// within about two seconds. The server sends HTML it rendered (escaped) for
// the parts that changed; this script only puts them in place, found by their
// data-* ids. Loaded as an external file: the CSP allows no inline script.
(() => {
  const root = document.querySelector('[data-live-src]');
  if (!root || !('EventSource' in window)) return;

  /** Parses trusted server HTML (table rows need a template to parse). */
  function nodesOf(html) {
    const template = document.createElement('template');
    template.innerHTML = html;
    return template.content;
  }

  function replaceMovements(html) {
    const list = document.getElementById('recent-movements');
    if (!list) return;
    const known = new Set(Array.from(list.querySelectorAll('[data-event-id]'), (li) => li.dataset.eventId));
    list.replaceChildren(nodesOf(html));
    for (const li of list.querySelectorAll('[data-event-id]')) {
      if (!known.has(li.dataset.eventId)) li.classList.add('fresh');
    }
  }

  function replaceDepot(id, html) {
    const row = root.querySelector(`tr[data-depot-id="${String(id)}"]`);
    const fresh = nodesOf(html).firstElementChild;
    if (row && fresh) row.replaceWith(fresh);
  }

  function apply(message) {
    const summary = root.querySelector('[data-live="summary"]');
    if (summary && message.summary !== undefined) summary.replaceChildren(nodesOf(message.summary));
    const alerts = root.querySelector('[data-live="alerts"]');
    if (alerts && message.alerts !== undefined) alerts.replaceChildren(nodesOf(message.alerts));
    if (message.movements !== undefined) replaceMovements(message.movements);
    for (const depot of message.depots || []) replaceDepot(depot.id, depot.html);
  }

  function stale() {
    const status = root.querySelector('[data-live="status"]');
    if (status) status.textContent = root.dataset.staleText || '';
    root.classList.add('stale');
  }

  const source = new EventSource(root.dataset.liveSrc);
  source.addEventListener('snapshot', (event) => {
    try {
      apply(JSON.parse(event.data));
      root.classList.remove('stale');
    } catch {
      stale();
    }
  });
  // The session ended (logout, timeout): no reconnecting, the page says so.
  source.addEventListener('end', () => {
    source.close();
    stale();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) stale();
  });
})();
