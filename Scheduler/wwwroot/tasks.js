// The Tasks page: GET /api/tasks with the form's filters, paged by cursor; a task's detail from GET /api/tasks/{id}
// and its history; retry, cancel, priority and delete after a confirmation, with the API key when the scheduler
// wants one (kept for this tab only). The current page is read again every two seconds.
'use strict';

(() => {
  const PAGE = 25;
  const REFRESH_MS = 2000;
  const KEY = 'taskscheduler-api-key';
  const FINAL = new Set(['Completed', 'Failed', 'Cancelled']);
  const $ = (id) => document.getElementById(id);
  const cursors = [null];
  let shownDetail = null;

  // Builds elements without ever parsing text as HTML: payloads and errors come from outside.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key.startsWith('data-') || key.startsWith('aria-') || ['title', 'href', 'type'].includes(key)) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const stamp = (t) => (t ? new Date(t).toLocaleString('en-GB', { hour12: false }) : '–');
  const shorten = (text, max) => (text && text.length > max ? `${text.slice(0, max - 1)}…` : text || '');
  const pill = (state) => el('span', {
    class: `pill ${{ Pending: 'pill-warn', Running: 'pill-info', Completed: 'pill-ok', Failed: 'pill-bad' }[state] || 'pill-muted'}`,
  }, state.toLowerCase());

  function query() {
    const form = new FormData($('filters'));
    const params = new URLSearchParams();
    for (const name of ['state', 'priority', 'worker', 'payloadPrefix']) {
      const value = String(form.get(name) || '').trim();
      if (value) params.set(name, value);
    }
    const since = Number(form.get('since') || 0);
    if (since > 0) {
      const from = new Date(Date.now() - since * 1000).toISOString();
      params.set(FINAL.has(params.get('state')) ? 'finishedAfter' : 'submittedAfter', from);
    }
    return params;
  }

  async function load() {
    const params = query();
    params.set('limit', String(PAGE));
    const cursor = cursors[cursors.length - 1];
    if (cursor) params.set('cursor', cursor);
    let page;
    try {
      const response = await fetch(`api/tasks?${params}`, { cache: 'no-store', headers: headers() });
      page = await response.json();
      if (!response.ok) {
        notice(false, page.detail || `HTTP ${response.status}`);
        return;
      }
    } catch (e) {
      $('tasks-updated').textContent = `scheduler unreachable: ${e.message}`;
      return;
    }

    const body = $('tasks').tBodies[0];
    body.replaceChildren(...page.tasks.map(row));
    $('tasks-empty').hidden = page.tasks.length > 0;
    $('page-older').disabled = !page.next;
    $('page-older').dataset.next = page.next || '';
    $('page-newer').disabled = cursors.length === 1;
    $('page-note').textContent = `page ${cursors.length}`;
    $('retry-all').hidden = !['Failed', 'Cancelled'].includes(params.get('state'));
    $('tasks-updated').textContent = `updated ${new Date().toLocaleTimeString('en-GB', { hour12: false })}`;
    if (shownDetail) await detail(shownDetail);
  }

  function row(t) {
    const actions = [];
    if (t.state === 'Failed' || t.state === 'Cancelled') actions.push(button('retry', 'Retry', t));
    if (t.state === 'Pending' || t.state === 'Running') actions.push(button('cancel', 'Cancel', t));
    if (t.state === 'Pending') actions.push(button('priority', 'Priority', t));
    if (FINAL.has(t.state)) actions.push(button('delete', 'Delete', t));
    return el('tr', { 'data-task': t.id, 'data-state': t.state },
      el('td', {}, el('a', { href: `#${t.id}`, class: 'link mono', onclick: (e) => { e.preventDefault(); detail(t.id); } }, t.id.slice(0, 8))),
      el('td', {}, pill(t.state)),
      el('td', { class: 'num' }, t.priority),
      el('td', { class: 'num' }, t.attempts),
      el('td', {}, t.workerId || '–'),
      el('td', {}, stamp(t.submittedAt)),
      el('td', {}, stamp(t.finishedAt)),
      el('td', {}, shorten(t.payloadHead, 60), t.error ? el('div', { class: 'error-text', title: t.error }, shorten(t.error, 160)) : null),
      el('td', { class: 'actions' }, actions));
  }

  function button(action, label, t) {
    return el('button', { type: 'button', class: 'button', 'data-action': action, onclick: () => confirmAndAct(action, t) }, label);
  }

  async function detail(id) {
    shownDetail = id;
    const [task, history] = await Promise.all([
      fetch(`api/tasks/${id}`, { cache: 'no-store', headers: headers() }).then((r) => (r.ok ? r.json() : null)),
      fetch(`api/tasks/${id}/history`, { cache: 'no-store', headers: headers() }).then((r) => (r.ok ? r.json() : [])),
    ]);
    const card = $('task-detail');
    card.hidden = false;
    $('task-detail-id').textContent = id;
    if (!task) {
      card.dataset.state = 'unknown';
      $('task-detail-body').replaceChildren(el('p', { class: 'notice bad' }, 'This task is unknown or expired.'));
      return;
    }
    card.dataset.task = id;
    card.dataset.state = task.state;
    $('task-detail-body').replaceChildren(
      el('p', {}, pill(task.state), ` priority ${task.priority} · attempts ${task.attempts}`,
        task.workerId ? ` · last on ${task.workerId}` : '', task.pendingReason ? ` · ${task.pendingReason}` : ''),
      task.error ? el('div', { class: 'notice bad error-text', id: 'task-detail-error' }, task.error) : null,
      el('table', { class: 'table history', id: 'task-detail-history' },
        el('tbody', {}, history.map((h) => el('tr', {},
          el('td', {}, stamp(h.at)), el('td', {}, h.event), el('td', {}, h.attempt ?? ''), el('td', {}, h.workerId || ''), el('td', {}, h.detail || ''))))));
  }

  function confirmAndAct(action, t) {
    const what = { retry: 'Retry', cancel: 'Cancel', delete: 'Delete', priority: 'Change the priority of', retryAll: 'Retry every task matching the filters' }[action];
    $('confirm-text').textContent = action === 'retryAll' ? `${what}?` : `${what} task ${t.id}?`;
    $('confirm-priority-row').hidden = action !== 'priority';
    $('confirm-priority').value = t ? t.priority : '';
    $('confirm-reason').value = '';
    const dialog = $('confirm');
    dialog.onclose = () => { if (dialog.returnValue === 'ok') act(action, t); };
    dialog.returnValue = '';
    dialog.showModal();
  }

  async function act(action, t) {
    const reason = $('confirm-reason').value.trim() || null;
    const request = {
      retry: () => [`api/tasks/${t.id}/retry`, 'POST', { reason }],
      cancel: () => [`api/tasks/${t.id}/cancel`, 'POST', { reason }],
      priority: () => [`api/tasks/${t.id}/priority`, 'PUT', { reason, priority: Number.parseInt($('confirm-priority').value, 10) }],
      delete: () => [`api/tasks/${t.id}${reason ? `?reason=${encodeURIComponent(reason)}` : ''}`, 'DELETE', null],
      retryAll: () => [`api/tasks/retry?${query()}`, 'POST', { reason }],
    }[action]();
    const [url, method, body] = request;
    try {
      const response = await fetch(url, {
        method,
        headers: { ...headers(), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const answer = response.status === 204 ? {} : await response.json().catch(() => ({}));
      if (response.status === 401 || response.status === 403) {
        $('tasks-api-key-row').hidden = false;
        sessionStorage.removeItem(KEY);
        notice(false, `${answer.detail || 'Refused.'} Enter a key with the role operate above and try again.`);
        return;
      }
      if (!response.ok) {
        notice(false, answer.detail || `HTTP ${response.status}`);
        return;
      }
      const key = $('tasks-api-key').value;
      if (key) sessionStorage.setItem(KEY, key);
      notice(true, action === 'retryAll' ? `Retried ${answer.retried} of ${answer.matched} matching tasks.` : `${action} of ${t.id}: done.`);
      await load();
    } catch (e) {
      notice(false, `Could not reach the scheduler: ${e.message}`);
    }
  }

  function headers() {
    const key = $('tasks-api-key').value || sessionStorage.getItem(KEY);
    return key ? { 'X-Api-Key': key } : {};
  }

  function notice(ok, text) {
    const box = $('action-result');
    box.hidden = false;
    box.className = ok ? 'notice' : 'notice bad';
    box.textContent = text;
  }

  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    cursors.length = 1;
    load();
  });
  $('page-older').addEventListener('click', () => { cursors.push($('page-older').dataset.next); load(); });
  $('page-newer').addEventListener('click', () => { if (cursors.length > 1) cursors.pop(); load(); });
  $('retry-all').addEventListener('click', () => confirmAndAct('retryAll', null));

  const fromQuery = new URLSearchParams(location.search);
  for (const [name, id] of [['state', 'f-state'], ['priority', 'f-priority'], ['worker', 'f-worker'], ['payloadPrefix', 'f-prefix']]) {
    if (fromQuery.get(name)) $(id).value = fromQuery.get(name);
  }
  const refresh = async () => {
    if (!$('confirm').open) await load();
    setTimeout(refresh, REFRESH_MS);
  };
  refresh();
})();
