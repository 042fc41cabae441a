// The tickroom dashboard: polls /api/status every second and renders it.
// Expected shape (see the Java side's status route):
//   {node, time, members: [{address, status, game, tick_lateness_ms_p99, tick_overruns, tick_catchups,
//    heap_used_bytes, cpu, threads}], rooms: [{room, game, tick, players, node, tick_work_ms, tick_lateness_ms,
//    tick_overruns}] (slowest first), connections: {tcp, ws, ...},
//    rates: {messages_in_per_s, messages_out_per_s, tick_ms_p99}}
// Charts (Apache ECharts, loaded by dashboard.html from the node) keep the last HISTORY samples.

const POLL_MS = 1000;
const TIMEOUT_MS = 3000;
const STATUS_URL = new URL('/api/status', location.href);

const HISTORY = 300; // samples kept for the charts: 5 minutes at one per second

const $ = (id) => document.getElementById(id);
const el = {
  nodeName: $('node-name'),
  updated: $('updated'),
  members: $('members').tBodies[0],
  rooms: $('rooms').tBodies[0],
  connections: $('connections').tBodies[0],
  rates: $('rates').tBodies[0],
};

/** The last good status, for tests and the console. */
window.tickroomDashboard = { last: null, lastError: null };

const RATE_LABELS = {
  messages_in_per_s: ['messages in', '/s', 1],
  messages_out_per_s: ['messages out', '/s', 1],
  tick_ms_p99: ['tick duration p99', 'ms', 2],
};

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text == null ? '–' : String(text);
  if (className) td.className = className;
  return td;
}

function row(...cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function emptyRow(columns, text) {
  const td = cell(text, 'empty');
  td.colSpan = columns;
  return row(td);
}

function formatNumber(value, digits) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function renderMembers(members) {
  const rows = members
    .slice()
    .sort((a, b) => String(a.address).localeCompare(String(b.address)))
    .map((m) => {
      const status = cell(m.status, m.status === 'Up' ? 'member-up' : 'member-other');
      return row(cell(m.address), status, cell(m.game));
    });
  el.members.replaceChildren(...(rows.length ? rows : [emptyRow(3, 'no members')]));
}

function renderRooms(rooms, members) {
  // beside a room's node address, its game endpoint when the member list knows it
  const endpoint = new Map(members.map((m) => [m.address, m.game]));
  // in the server's order: the slowest rooms first
  const rows = rooms
    .map((r) => {
      const node = cell(r.node);
      const where = endpoint.get(r.node);
      if (where) {
        const hint = document.createElement('span');
        hint.className = 'muted';
        hint.textContent = ` · ${where}`;
        node.append(hint);
      }
      return row(cell(r.room), cell(r.game), cell(r.players, 'num'), cell(r.tick, 'num'),
        cell(formatNumber(r.tick_work_ms, 3), 'num'), cell(formatNumber(r.tick_lateness_ms, 2), 'num'),
        cell(r.tick_overruns, 'num'), node);
    });
  el.rooms.replaceChildren(...(rows.length ? rows : [emptyRow(8, 'no rooms')]));
}

function renderConnections(connections) {
  const entries = Object.entries(connections || {}).filter(([, n]) => typeof n === 'number');
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const rows = entries.map(([transport, n]) => row(cell(transport), cell(formatNumber(n, 0), 'num')));
  rows.push(row(cell('total'), cell(formatNumber(total, 0), 'num')));
  rows[rows.length - 1].style.fontWeight = '600';
  el.connections.replaceChildren(...rows);
}

function renderRates(rates) {
  const rows = [];
  const known = new Set();
  for (const [key, [label, unit, digits]] of Object.entries(RATE_LABELS)) {
    known.add(key);
    const tr = row(cell(label), cell(`${formatNumber(rates?.[key], digits)} ${unit}`, 'num'));
    tr.dataset.key = key;
    rows.push(tr);
  }
  for (const [key, value] of Object.entries(rates || {})) {
    if (known.has(key)) continue;
    const tr = row(cell(key.replaceAll('_', ' ')), cell(formatNumber(value, 2), 'num'));
    tr.dataset.key = key;
    rows.push(tr);
  }
  el.rates.replaceChildren(...rows);
}

// ------------------------------------------------------------------ charts over time

const history = []; // [{t, in, out, tickP99, lateP99, overruns, catchups, heapMiB, cpu}]
const charts = {};
let lastTotals = null;

function sum(members, key) {
  return members.reduce((acc, m) => acc + (typeof m[key] === 'number' ? m[key] : 0), 0);
}

function max(members, key) {
  return members.reduce((acc, m) => Math.max(acc, typeof m[key] === 'number' ? m[key] : 0), 0);
}

/** One sample from a status document; overruns and catch-ups become per-second rates. */
function sample(status, members) {
  const t = typeof status.time === 'number' ? status.time : Date.now();
  const totals = { t, overruns: sum(members, 'tick_overruns'), catchups: sum(members, 'tick_catchups') };
  const secs = lastTotals ? (t - lastTotals.t) / 1000 : 0;
  const rate = (k) => (secs > 0 ? Math.max(0, totals[k] - lastTotals[k]) / secs : 0);
  lastTotals = totals;
  return {
    t,
    in: status.rates?.messages_in_per_s ?? 0,
    out: status.rates?.messages_out_per_s ?? 0,
    tickP99: status.rates?.tick_ms_p99 ?? 0,
    lateP99: max(members, 'tick_lateness_ms_p99'),
    overruns: rate('overruns'),
    catchups: rate('catchups'),
    heapMiB: sum(members, 'heap_used_bytes') / (1024 * 1024),
    cpu: max(members, 'cpu') * 100,
  };
}

function chart(id, series) {
  if (typeof echarts === 'undefined') return null; // the library did not load: tables only
  const c = echarts.init($(id));
  c.setOption({
    animation: false,
    grid: { left: 48, right: 16, top: 28, bottom: 24 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', min: 0 },
    series: series.map((name) => ({ name, type: 'line', showSymbol: false, data: [] })),
  });
  return c;
}

const CHARTS = {
  'chart-messages': [['in', 'in'], ['out', 'out']],
  'chart-ticks': [['tick work p99', 'tickP99'], ['lateness p99', 'lateP99']],
  'chart-overruns': [['overruns', 'overruns'], ['catch-ups', 'catchups']],
  'chart-jvm': [['heap MiB', 'heapMiB'], ['CPU %', 'cpu']],
};

function renderCharts() {
  for (const [id, lines] of Object.entries(CHARTS)) {
    if (!(id in charts)) charts[id] = chart(id, lines.map(([name]) => name));
    const c = charts[id];
    if (!c) continue;
    c.setOption({ series: lines.map(([name, key]) => ({ name, data: history.map((h) => [h.t, Math.round(h[key] * 100) / 100]) })) });
  }
  window.tickroomDashboard.history = history;
}

window.addEventListener('resize', () => Object.values(charts).forEach((c) => c && c.resize()));

function render(status) {
  const members = Array.isArray(status.members) ? status.members : [];
  const rooms = Array.isArray(status.rooms) ? status.rooms : [];
  el.nodeName.textContent = status.node ? `· ${status.node}` : '';
  renderMembers(members);
  renderRooms(rooms, members);
  renderConnections(status.connections);
  renderRates(status.rates);
  history.push(sample(status, members));
  if (history.length > HISTORY) history.shift();
  renderCharts();
  const at = typeof status.time === 'number' ? new Date(status.time) : new Date();
  el.updated.textContent = `updated ${at.toLocaleTimeString()}`;
  el.updated.dataset.time = String(status.time ?? '');
  el.updated.classList.remove('stale');
}

async function poll() {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(STATUS_URL, { cache: 'no-store', signal: abort.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const status = await res.json();
    window.tickroomDashboard.last = status;
    window.tickroomDashboard.lastError = null;
    render(status);
  } catch (err) {
    const why = err.name === 'AbortError' ? 'timed out' : err.message;
    window.tickroomDashboard.lastError = why;
    const last = window.tickroomDashboard.last;
    const since = last && typeof last.time === 'number' ? `; last update ${new Date(last.time).toLocaleTimeString()}` : '';
    el.updated.textContent = `status unavailable (${why})${since}`;
    el.updated.classList.add('stale');
  } finally {
    clearTimeout(timer);
    setTimeout(poll, POLL_MS);
  }
}

poll();
