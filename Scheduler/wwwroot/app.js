// The TaskScheduler dashboard: polls GET /api/dashboard once a second and redraws in place.
// Task lookup uses GET /api/tasks/{id} and, where the scheduler offers it, GET /api/tasks/{id}/history; a result
// too long to show whole links to GET /api/tasks/{id}/result.
// Over 400 lines because it is one view drawn from one snapshot: its panels (queues, workers, failures, pools,
// groups, schedules, the lookup) share the poll, the state and the formatting helpers, and the page has no build
// step to join modules; the Tasks page, which has its own data, is tasks.js.
'use strict';

(() => {
  const REFRESH_MS = 1000;
  const HISTORY_MINUTES = 5;
  const STALE_HEARTBEAT_S = 2.5;
  // A result is at most 1 MiB: the page shows its start, and links to the whole.
  const RESULT_VIEW_CHARS = 16384;
  // An error in the failures table is cut here; its whole text (as the dashboard has it) is in the tooltip.
  const ERROR_VIEW_CHARS = 160;
  const FINAL_STATES = new Set(['Completed', 'Failed', 'Cancelled']);
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const COLORS = {
    completed: '#16a34a', failed: '#dc2626', accepted: '#2563eb',
    p50: '#7c3aed', p95: '#c084fc', delay: '#0891b2', run: '#94a3b8',
    pending: '#f59e0b', running: '#2563eb', slots: '#94a3b8',
  };

  const $ = (id) => document.getElementById(id);
  let charts = null;
  let tracked = null;
  let lookupShown = '';
  let historyAvailable = true;
  const knownWorkers = new Set();

  // ---------- formatting ----------
  const fmt = {
    int: (n) => Number(n).toLocaleString('en-US'),
    rate: (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)),
    ms: (v) => {
      if (v === null || v === undefined) return '–';
      if (v >= 60000) return `${(v / 60000).toFixed(1)} min`;
      if (v >= 1000) return `${(v / 1000).toFixed(v >= 10000 ? 0 : 1)} s`;
      if (v >= 10) return `${Math.round(v)} ms`;
      return `${v.toFixed(1)} ms`;
    },
    clock: (t) => new Date(t).toLocaleTimeString('en-GB', { hour12: false }),
    stamp: (t) => (t ? new Date(t).toLocaleString('en-GB', { hour12: false }) : '–'),
    age: (s) => (s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`),
    span: (s) => (s < 60 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`),
    bytes: (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`),
    percent: (f) => `${Math.round(Math.min(1, Math.max(0, f)) * 100)}%`,
    // The API writes a duration as .NET does, [d.]hh:mm:ss[.fffffff], which a submission's timeout accepts too.
    duration: (text) => {
      const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text || '');
      if (!m) return text;
      const seconds = Number(m[1] || 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
      if (seconds < 60) return `${Number(seconds.toFixed(3))} s`;
      if (seconds < 7200) return `${Number((seconds / 60).toFixed(1))} min`;
      return seconds < 172800 ? `${Number((seconds / 3600).toFixed(1))} h` : `${Number((seconds / 86400).toFixed(1))} days`;
    },
  };

  const utf8 = new TextEncoder();
  // The first n UTF-16 units of a text, one fewer rather than half of a character outside the BMP.
  const head = (text, n) => text.slice(0, /[\uD800-\uDBFF]/.test(text.charAt(n - 1)) ? n - 1 : n);
  const shorten = (text, max) => (text.length > max ? `${head(text, max - 1)}…` : text);

  // Builds elements without ever parsing text as HTML: payload errors and worker ids come from outside.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'style') node.setAttribute('style', value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key.startsWith('data-') || key.startsWith('aria-') || ['title', 'href', 'id', 'role'].includes(key)) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function statePill(state) {
    const kind = { Pending: 'pill-warn', Running: 'pill-info', Completed: 'pill-ok', Failed: 'pill-bad' }[state] || 'pill-muted';
    return el('span', { class: `pill ${kind}`, 'data-state': state }, state.toLowerCase());
  }

  // ---------- the poll ----------
  async function tick() {
    try {
      const response = await fetch(`api/dashboard?minutes=${HISTORY_MINUTES}`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const snapshot = await response.json();
      render(snapshot);
      setConnection(snapshot.journalProblem ? 'refusing' : snapshot.ready ? 'live' : 'starting', snapshot);
      await renderPlacement();
    } catch (e) {
      setConnection('offline');
    }

    if (tracked) {
      await showTask(tracked, false);
    }

    setTimeout(tick, REFRESH_MS);
  }

  function setConnection(state, snapshot) {
    const pill = $('connection');
    pill.dataset.state = state;
    pill.className = `pill ${{ live: 'pill-ok', starting: 'pill-warn', refusing: 'pill-bad', offline: 'pill-bad' }[state]}`;
    pill.textContent = { live: 'live', starting: 'starting', refusing: 'accepting nothing: the journal cannot write', offline: 'scheduler unreachable' }[state];
    // The reason (a full disk, since when) as the pill's tooltip: set as text, never parsed as HTML.
    pill.title = state === 'refusing' ? snapshot.journalProblem : '';
    if (snapshot) {
      const up = (Date.parse(snapshot.at) - Date.parse(snapshot.totals.startedAt)) / 1000;
      $('uptime').textContent = `up ${fmt.span(up)} · updated ${fmt.clock(snapshot.at)}`;
    }
  }

  function render(s) {
    renderKpis(s);
    renderCharts(s);
    renderWorkers(s);
    renderQueue(s);
    renderProgress(s);
    renderFailures(s);
  }

  function renderKpis(s) {
    const t = s.totals;
    $('kpi-throughput').textContent = fmt.rate(t.throughput);
    $('kpi-pending').textContent = fmt.int(t.pending);
    $('kpi-running').textContent = fmt.int(t.running);
    $('kpi-workers').textContent = fmt.int(t.workersAlive);
    $('kpi-slots').textContent = t.slots > 0
      ? `${t.busySlots}/${t.slots} slots busy (${Math.round((100 * t.busySlots) / t.slots)}%)`
      : 'no slots';
    $('kpi-completed').textContent = fmt.int(t.completed);
    $('kpi-failed').textContent = fmt.int(t.failed);
    const finished = t.completed + t.failed;
    $('kpi-failed-note').textContent = finished > 0 ? `${((100 * t.failed) / finished).toFixed(1)}% of finished` : 'since start';
    $('kpi-pending-note').textContent = s.queue.length > 0 ? `${s.queue.length} priorit${s.queue.length === 1 ? 'y' : 'ies'}` : 'in the queue';

    const recent = s.series.slice(-60).filter((p) => p.submitToDoneP50 !== null);
    const last = recent[recent.length - 1];
    $('kpi-latency').textContent = last ? `${fmt.ms(last.submitToDoneP50)} · ${fmt.ms(last.submitToDoneP95)}` : '–';
  }

  // ---------- charts ----------
  function line(label, color, extra) {
    return Object.assign({
      label, data: [], borderColor: color, backgroundColor: color, borderWidth: 2,
      pointRadius: 0, pointHoverRadius: 3, tension: 0.25, spanGaps: false,
    }, extra || {});
  }

  function chart(canvas, datasets, y) {
    return new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true, font: { size: 11 } } },
          tooltip: { callbacks: { title: (items) => (items.length ? fmt.clock(items[0].parsed.x) : '') } },
        },
        scales: {
          x: {
            type: 'linear',
            ticks: { callback: (v) => fmt.clock(v), maxRotation: 0, autoSkipPadding: 12, font: { size: 11 }, stepSize: 60000 },
            grid: { color: '#eef1f5' },
          },
          y: Object.assign({ beginAtZero: true, grid: { color: '#eef1f5' }, ticks: { font: { size: 11 } } }, y || {}),
        },
      },
    });
  }

  function createCharts() {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#6b7685';
    return {
      throughput: chart($('chart-throughput'), [
        line('completed/s', COLORS.completed, { fill: 'origin', backgroundColor: 'rgba(22,163,74,0.12)' }),
        line('failed/s', COLORS.failed),
        line('accepted/s', COLORS.accepted, { borderDash: [5, 4], borderWidth: 1.5 }),
      ]),
      latency: chart($('chart-latency'), [
        line('submit→done p50', COLORS.p50),
        line('submit→done p95', COLORS.p95, { borderDash: [5, 4] }),
        line('assignment delay p50', COLORS.delay),
        line('run time p50', COLORS.run, { borderWidth: 1.5 }),
      ], { type: 'logarithmic', beginAtZero: false, ticks: { font: { size: 11 }, callback: (v) => logTick(v) } }),
      backlog: chart($('chart-backlog'), [
        line('pending', COLORS.pending, { fill: 'origin', backgroundColor: 'rgba(245,158,11,0.14)', stepped: true, tension: 0 }),
        line('running', COLORS.running, { stepped: true, tension: 0 }),
        line('slots', COLORS.slots, { borderDash: [4, 4], borderWidth: 1.5, stepped: true, tension: 0 }),
      ], { ticks: { font: { size: 11 }, precision: 0 } }),
    };
  }

  // Label only 1, 10, 100... on the logarithmic latency axis.
  function logTick(v) {
    const exponent = Math.log10(v);
    return Math.abs(exponent - Math.round(exponent)) < 1e-9 ? fmt.ms(v) : '';
  }

  function renderCharts(s) {
    if (typeof Chart === 'undefined') return;
    charts = charts || createCharts();
    const points = s.series.map((p) => ({ ...p, x: Date.parse(p.at) }));
    const xy = (pick) => points.map((p) => ({ x: p.x, y: pick(p) }));
    const positive = (v) => (v === null || v === undefined ? null : Math.max(v, 0.1));
    const now = Date.parse(s.at);

    // A young scheduler's history fills the chart instead of hugging its right edge; at least a minute is shown.
    const first = points.length > 0 ? points[0].x : now;
    const from = Math.max(now - HISTORY_MINUTES * 60000, Math.min(first, now - 60000));
    const set = (c, series) => {
      series.forEach((data, i) => { c.data.datasets[i].data = data; });
      c.options.scales.x.min = from;
      c.options.scales.x.max = now;
      c.options.scales.x.ticks.stepSize = now - from > 150000 ? 60000 : 15000;
      c.update('none');
    };
    set(charts.throughput, [xy((p) => p.completedPerSecond), xy((p) => p.failedPerSecond), xy((p) => p.acceptedPerSecond)]);
    set(charts.latency, [
      xy((p) => positive(p.submitToDoneP50)), xy((p) => positive(p.submitToDoneP95)),
      xy((p) => positive(p.assignmentDelayP50)), xy((p) => positive(p.runTimeP50)),
    ]);
    set(charts.backlog, [xy((p) => p.pending), xy((p) => p.running), xy((p) => p.slots)]);
  }

  // ---------- workers, queue, failures ----------
  function renderWorkers(s) {
    const body = $('workers').tBodies[0];
    const now = Date.parse(s.at);
    const rows = s.workers.map((w) => {
      const share = w.capacity > 0 ? w.inFlight / w.capacity : 0;
      const age = Math.max(0, (now - Date.parse(w.lastHeartbeatAt)) / 1000);
      const state = !w.confirmed ? ['awaiting heartbeat', 'pill-muted'] : w.draining ? ['draining', 'pill-warn'] : ['alive', 'pill-ok'];
      const fresh = !knownWorkers.has(w.id);
      return el('tr', { 'data-worker': w.id, class: fresh ? 'fresh' : null },
        el('td', { class: 'mono' }, w.id),
        el('td', {}, el('span', { class: `pill ${state[1]}` }, state[0])),
        el('td', {}, el('div', { class: 'util' },
          el('div', { class: 'util-bar' }, el('div', { class: `util-fill${share >= 1 ? ' full' : ''}`, style: `width:${Math.round(share * 100)}%` })),
          el('span', { class: 'util-text' }, `${w.inFlight}/${w.capacity} · ${Math.round(share * 100)}%`))),
        el('td', { class: `num${age > STALE_HEARTBEAT_S ? ' age-stale' : ''}` }, `${fmt.age(age)} ago`),
        el('td', { class: 'num' }, fmt.int(w.completed)),
        el('td', { class: 'num' }, fmt.int(w.failed)));
    });
    knownWorkers.clear();
    s.workers.forEach((w) => knownWorkers.add(w.id));
    body.replaceChildren(...rows);
    $('workers-empty').hidden = s.workers.length > 0;
    const t = s.totals;
    $('workers-summary').textContent = s.workers.length > 0 ? `${t.workersAlive} alive · ${t.busySlots} of ${t.slots} slots busy` : '';
  }

  function renderQueue(s) {
    const max = Math.max(1, ...s.queue.map((q) => q.count));
    $('queue').replaceChildren(...s.queue.map((q) => el('div', { class: 'bar-row', 'data-priority': q.priority },
      el('span', { class: 'bar-label' }, `priority ${q.priority}`),
      el('div', { class: 'bar-track' }, el('div', { class: 'bar-fill', style: `width:${Math.max(1, Math.round((100 * q.count) / max))}%` })),
      el('span', { class: 'bar-value' }, fmt.int(q.count)))));
    $('queue-empty').hidden = s.queue.length > 0;
    $('queue-summary').textContent = s.queue.length > 0 ? `${fmt.int(s.totals.pending)} pending` : '';
  }

  // ---------- pools, groups, schedules ----------
  async function renderPlacement() {
    const get = async (path) => {
      const response = await fetch(path, { cache: 'no-store' });
      return response.ok ? response.json() : null;
    };
    const [pools, groups, schedules, autoscale] = await Promise.all([get('api/pools'), get('api/groups'), get('api/schedules'), get('api/autoscale')]);
    if (pools) {
      const wanted = new Map(((autoscale && autoscale.pools) || []).map((p) => [p.pool, p.desiredWorkers]));
      $('pools').tBodies[0].replaceChildren(...pools.map((p) => el('tr', { 'data-pool': p.pool },
        el('td', { class: 'mono' }, p.pool),
        el('td', { class: 'num' }, fmt.int(p.pending)),
        el('td', { class: 'num' }, fmt.int(p.running)),
        el('td', { class: 'num' }, fmt.int(p.workers)),
        el('td', { class: 'num' }, fmt.int(p.freeSlots)),
        el('td', { class: 'num' }, wanted.has(p.pool) ? fmt.int(wanted.get(p.pool)) : '–'))));
    }

    if (groups) {
      const named = groups.filter((g) => g.group !== 'default' || g.maxRunning !== null || g.weight !== 1);
      $('groups').tBodies[0].replaceChildren(...groups.map((g) => el('tr', { 'data-group': g.group },
        el('td', { class: 'mono' }, g.group),
        el('td', { class: 'num' }, String(g.weight)),
        el('td', { class: 'num' }, fmt.int(g.pending)),
        el('td', { class: 'num' }, fmt.int(g.running)),
        el('td', { class: 'num' }, [g.maxRunning !== null ? `${g.maxRunning} running` : null,
          g.maxStartsPerSecond !== null ? `${g.maxStartsPerSecond}/s` : null].filter(Boolean).join(' · ') || '–'))));
      $('groups-empty').hidden = named.length > 0;
    }

    if (schedules) {
      $('schedules').tBodies[0].replaceChildren(...schedules.map((c) => el('tr', { 'data-schedule': c.name },
        el('td', { class: 'mono' }, c.name),
        el('td', { class: 'mono' }, c.cron),
        el('td', {}, c.timeZone),
        el('td', {}, el('span', { class: `pill ${c.paused ? 'pill-warn' : 'pill-ok'}` }, c.paused ? 'paused' : 'active')),
        el('td', {}, fmt.stamp(c.nextFireAt)),
        el('td', {}, fmt.stamp(c.lastFireAt)),
        el('td', { class: 'num' }, fmt.int(c.fired)),
        el('td', {}, c.misfire))));
      $('schedules-empty').hidden = schedules.length > 0;
      $('schedules-summary').textContent = schedules.length > 0 ? `${schedules.filter((c) => !c.paused).length} of ${schedules.length} active` : '';
    }
  }

  // Running tasks whose handlers report progress, as their workers' heartbeats carry it.
  function renderProgress(s) {
    const body = $('progress').tBodies[0];
    const now = Date.parse(s.at);
    const running = s.progress || [];
    body.replaceChildren(...running.map((r) => {
      const p = r.progress;
      const age = Math.max(0, (now - Date.parse(p.at)) / 1000);
      return el('tr', { 'data-task': r.taskId, 'data-fraction': p.fraction },
        el('td', {}, taskLink(r.taskId)),
        el('td', { class: 'mono' }, r.workerId),
        el('td', {}, progressBar(p.fraction)),
        el('td', { class: 'message', title: p.message || null }, p.message || '–'),
        el('td', { class: 'num' }, `${fmt.age(age)} ago`));
    }));
    $('progress-empty').hidden = running.length > 0;
    const total = s.progressTotal || running.length;
    $('progress-summary').textContent = total === 0 ? ''
      : total > running.length ? `${running.length} of ${fmt.int(total)} shown` : `${total} reporting`;
  }

  function progressBar(fraction) {
    const share = Math.min(1, Math.max(0, fraction));
    return el('div', { class: 'util', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(share * 100) },
      el('div', { class: 'util-bar' }, el('div', { class: 'util-fill progress-fill', style: `width:${Math.round(share * 100)}%` })),
      el('span', { class: 'util-text' }, fmt.percent(share)));
  }

  function renderFailures(s) {
    const body = $('failures').tBodies[0];
    body.replaceChildren(...s.recentFailures.map((f) => el('tr', {},
      el('td', { class: 'mono' }, fmt.clock(f.at)),
      el('td', {}, taskLink(f.taskId)),
      el('td', { class: 'num' }, f.priority),
      el('td', { class: 'num' }, f.attempt),
      el('td', { class: 'mono' }, f.workerId || '–'),
      errorCell(f.error))));
    $('failures-empty').hidden = s.recentFailures.length > 0;
  }

  function errorCell(error) {
    if (!error) return el('td', { class: 'error-text' }, 'no reason given');
    const cut = error.length > ERROR_VIEW_CHARS;
    return el('td', { class: 'error-text', title: cut ? error : null, 'data-cut': cut ? 'true' : null }, shorten(error, ERROR_VIEW_CHARS));
  }

  function taskLink(id) {
    return el('a', { class: 'task-link mono', href: `#${id}`, title: id, onclick: (e) => { e.preventDefault(); lookUp(id); } }, id.slice(0, 8));
  }

  // ---------- task lookup ----------
  function lookUp(id) {
    $('lookup-id').value = id;
    tracked = id;
    lookupShown = '';
    history.replaceState(null, '', `#${id}`);
    showTask(id, true);
  }

  async function showTask(id, announce) {
    const target = $('lookup-result');
    let task;
    try {
      const response = await fetch(`api/tasks/${encodeURIComponent(id)}`, { cache: 'no-store' });
      if (response.status === 404) {
        paint(target, `missing:${id}`, () => el('p', { class: 'notice bad', 'data-state': 'unknown' }, `No task with id ${id}: unknown or expired.`));
        tracked = null;
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      task = await response.json();
    } catch (e) {
      if (announce) paint(target, 'error', () => el('p', { class: 'notice bad' }, `Could not ask the scheduler: ${e.message}`));
      return;
    }

    // The history endpoint may be absent (an older scheduler): a 404 for a task that exists says so, and then the
    // status's own times make the timeline for the rest of this page's life.
    let events = null;
    if (historyAvailable) {
      try {
        const response = await fetch(`api/tasks/${encodeURIComponent(id)}/history`, { cache: 'no-store' });
        if (response.ok) events = await response.json();
        else if (response.status === 404) historyAvailable = false;
      } catch (e) {
        events = null;
      }
    }

    paint(target, JSON.stringify([task, events]), () => taskView(task, events));
    if (FINAL_STATES.has(task.state) && tracked === id) tracked = null;
  }

  function paint(target, key, build) {
    if (key === lookupShown) return;
    lookupShown = key;
    target.replaceChildren(build());
  }

  function taskView(task, events) {
    const took = task.finishedAt ? (Date.parse(task.finishedAt) - Date.parse(task.submittedAt)) : null;
    const facts = [
      ['Priority', task.priority],
      ['Attempts', task.attempts],
      ['Worker', task.workerId || '–'],
      ['Submitted', fmt.stamp(task.submittedAt)],
      ['Started', fmt.stamp(task.startedAt)],
      ['Finished', fmt.stamp(task.finishedAt)],
      ['Submit → done', took === null ? '–' : fmt.ms(took)],
      ['Payload', `${fmt.int(task.payloadBytes)} bytes`],
      ['Timeout', task.timeout ? fmt.duration(task.timeout) : 'worker default'],
      ['Checkpoint', task.checkpoint === null || task.checkpoint === undefined
        ? 'none' : `saved, ${fmt.int(utf8.encode(task.checkpoint).length)} bytes`],
    ];

    return el('div', { id: 'task-view', 'data-task': task.id, 'data-state': task.state },
      el('div', { class: 'head' }, el('span', { class: 'mono' }, task.id), statePill(task.state)),
      task.state === 'Pending' && task.pendingReason ? el('div', { class: 'reason' }, `Waiting: ${task.pendingReason}`) : null,
      el('dl', { class: 'facts' }, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
      task.state === 'Running' && task.progress ? progressView(task.progress) : null,
      task.error ? el('div', { class: 'notice bad' }, task.error) : null,
      task.result !== null && task.result !== undefined ? resultView(task) : null,
      events ? historyList(events) : statusTimeline(task));
  }

  function progressView(p) {
    return el('div', { id: 'task-progress', class: 'progress', 'data-fraction': p.fraction },
      progressBar(p.fraction),
      el('div', { class: 'progress-note' }, p.message ? `${p.message} · ` : '', `reported ${fmt.clock(p.at)}`));
  }

  // The result is text from a handler: shown as text only, and only its start when it is long.
  function resultView(task) {
    const bytes = utf8.encode(task.result).length;
    const cut = task.result.length > RESULT_VIEW_CHARS;
    return el('div', { class: 'result' },
      el('div', { class: 'result-head' }, el('span', { class: 'label' }, 'Result'), el('span', { class: 'muted small' }, fmt.bytes(bytes))),
      el('pre', { id: 'task-result', class: 'result-text', 'data-bytes': bytes, 'data-cut': cut ? 'true' : 'false' },
        task.result === '' ? '(empty)' : cut ? head(task.result, RESULT_VIEW_CHARS) : task.result),
      cut ? el('p', { class: 'result-note', id: 'task-result-note' },
        `Showing the first ${fmt.int(RESULT_VIEW_CHARS)} characters of ${fmt.int(bytes)} bytes. The whole result: `,
        el('a', { class: 'link', href: `api/tasks/${encodeURIComponent(task.id)}/result`, target: '_blank' }, 'GET /api/tasks/{id}/result'), '.') : null);
  }

  function historyList(events) {
    return el('ol', { class: 'timeline', 'data-source': 'history' }, events.map((e) => {
      const kind = /complet/i.test(e.event) ? 'ok' : /fail|dead|reject/i.test(e.event) ? 'bad' : '';
      const where = [e.workerId ? `on ${e.workerId}` : null, e.attempt ? `attempt ${e.attempt}` : null].filter(Boolean).join(' · ');
      return el('li', { class: kind },
        el('span', { class: 'when' }, fmt.stamp(e.at)),
        el('span', { class: 'what' }, e.event),
        where ? el('span', { class: 'detail' }, ` ${where}`) : null,
        e.detail ? el('div', { class: 'detail' }, e.detail) : null);
    }));
  }

  function statusTimeline(task) {
    const steps = [['submitted', task.submittedAt, '']];
    if (task.startedAt) steps.push([`started${task.workerId ? ` on ${task.workerId}` : ''}`, task.startedAt, '']);
    if (task.finishedAt) steps.push([task.state.toLowerCase(), task.finishedAt, task.state === 'Completed' ? 'ok' : 'bad']);
    return el('div', {},
      el('ol', { class: 'timeline', 'data-source': 'status' }, steps.map(([what, at, kind]) =>
        el('li', { class: kind }, el('span', { class: 'when' }, fmt.stamp(at)), el('span', { class: 'what' }, what)))),
      el('p', { class: 'history-note' }, 'Full history is not available from this scheduler; showing the times it reports.'));
  }

  // ---------- forms ----------
  $('lookup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = $('lookup-id').value.trim();
    if (!UUID.test(id)) {
      lookupShown = '';
      $('lookup-result').replaceChildren(el('p', { class: 'notice bad' }, 'A task id is a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e.'));
      return;
    }
    lookUp(id);
  });

  $('submit-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = $('submit-button');
    const notice = $('submit-result');
    const priority = Number.parseInt($('submit-priority').value || '0', 10);
    button.disabled = true;
    try {
      const headers = { 'content-type': 'application/json' };
      const key = $('api-key').value || sessionStorage.getItem('taskscheduler-api-key');
      if (key) headers['X-Api-Key'] = key;
      const response = await fetch('api/tasks', {
        method: 'POST',
        headers,
        body: JSON.stringify({ payload: $('submit-payload').value, priority: Number.isNaN(priority) ? 0 : priority }),
      });
      const body = await response.json().catch(() => ({}));
      notice.hidden = false;
      if (response.status === 401 || response.status === 403) {
        // A scheduler reachable beyond loopback wants its key for changes; ask for it, keep it for this tab only.
        $('api-key-row').hidden = false;
        sessionStorage.removeItem('taskscheduler-api-key');
        notice.className = 'notice bad';
        notice.textContent = key ? 'That API key was refused.' : 'This scheduler needs its API key to accept tasks: enter it above and submit again.';
        return;
      }
      if (key) sessionStorage.setItem('taskscheduler-api-key', key);
      if (response.status === 202 || response.status === 200) {
        notice.className = 'notice';
        notice.replaceChildren('Accepted task ', taskLink(body.id), ' — following it below.');
        notice.dataset.task = body.id;
        lookUp(body.id);
      } else {
        notice.className = 'notice bad';
        notice.textContent = `Not accepted: ${body.detail || body.error || `HTTP ${response.status}`}`;
      }
    } catch (err) {
      notice.hidden = false;
      notice.className = 'notice bad';
      notice.textContent = `Could not reach the scheduler: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  });

  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (UUID.test(fromHash)) lookUp(fromHash);
  tick();
})();
