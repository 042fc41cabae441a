// The tickroom browser demo: arena (canvas, interpolated between ticks) and tic-tac-toe, with chat.
// Query parameters prefill the form: ?name=ada&room=r1&game=arena&autoconnect=1
import { TickroomClient } from './tickroom-client.js';

const WORLD = 1000;            // arena world size, both axes
const PLAYER_RADIUS = 16;      // world units
const COIN_RADIUS = 8;
const SNAP_DISTANCE = 200;     // jumps longer than this are drawn without interpolation
const MAX_CHAT_LINES = 200;
const MAX_ERRORS = 6;
const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

const $ = (id) => document.getElementById(id);
const el = {
  form: $('join-form'), name: $('name'), room: $('room'), game: $('game'),
  connect: $('connect'), disconnect: $('disconnect'), status: $('status'), latency: $('latency'),
  bandwidth: $('bandwidth'),
  arenaView: $('arena-view'), canvas: $('canvas'), scoreboard: $('scoreboard'),
  tttView: $('ttt-view'), tttStatus: $('ttt-status'), tttBoard: $('ttt-board'), tttError: $('ttt-error'),
  chatForm: $('chat-form'), chatInput: $('chat-input'), chatSend: $('chat-send'), chatLog: $('chat-log'),
  errors: $('errors'),
};
const cells = Array.from({ length: 9 }, (_, i) => $(`cell-${i}`));

/** What the page shows, readable by browser tests. lastState is the game state object last received. */
const demo = {
  client: null,
  playerId: null,
  room: null,
  game: null,
  tick: null,
  lastState: null,
  rendered: null,  // arena: {players: {id: {x, y}}} as last drawn
};
window.tickroomDemo = demo;

// interpolation buffer for the arena: the two latest states with their arrival times
let prev = null;
let cur = null;
let tickMs = 50;   // smoothed interval between states
const names = new Map(); // player id -> name, learnt from arena states

// ------------------------------------------------------------------ form and connection

function wsUrl() {
  const url = new URL('/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

function setStatus(state, text) {
  el.status.dataset.state = state;
  el.status.textContent = text;
  const live = state !== 'disconnected';
  el.disconnect.disabled = !live;
  el.connect.textContent = demo.client && demo.client.connected ? 'Join' : 'Connect';
  const inRoom = state === 'in-room';
  el.chatInput.disabled = !inRoom;
  el.chatSend.disabled = !inRoom;
}

function describeRoom() {
  return `${demo.room} (${demo.game}) as ${demo.client.name} · node ${demo.client.node}`;
}

async function onConnectClicked(ev) {
  ev.preventDefault();
  const name = el.name.value.trim();
  const room = el.room.value.trim();
  const game = el.game.value;
  if (name.length < 1 || name.length > 32) return showError('bad_input', 'A name is 1 to 32 characters.');
  if (!ROOM_PATTERN.test(room)) return showError('bad_input', 'A room name is 1 to 64 of A-Z a-z 0-9 _ . -');
  remember({ name, room, game });

  const client = demo.client;
  if (client && client.name === name && client.connected) {
    client.join(room, game);
    return;
  }
  if (client) client.close();
  // the compact form by default: merge patches in CBOR (?sync=full&format=json in the page URL for plain JSON)
  const params = new URLSearchParams(location.search);
  const fresh = new TickroomClient(wsUrl(), {
    name, sync: params.get('sync') || 'patch', format: params.get('format') || 'cbor',
  });
  demo.client = fresh;
  wire(fresh);
  setStatus('connecting', 'connecting…');
  try {
    await fresh.connect();
  } catch (err) {
    if (demo.client === fresh) showError('connect_failed', `Could not connect: ${err.message}`);
    return;
  }
  if (demo.client === fresh) fresh.join(room, game);
}

function onDisconnectClicked() {
  if (demo.client) demo.client.close();
}

function wire(client) {
  // events of a replaced client are ignored
  const on = (type, fn) => client.on(type, (d) => { if (demo.client === client) fn(d); });

  on('welcome', (msg) => {
    demo.playerId = msg.player;
    setStatus('connected', `connected as ${client.name} · node ${msg.node}`);
  });
  on('joined', (msg) => {
    enterRoom(msg);
    setStatus('in-room', describeRoom());
    logSystem(`joined ${msg.room} (${msg.game})`);
  });
  on('state', (msg) => {
    if (msg.room !== demo.room) return;
    onState(msg);
  });
  on('left', (msg) => {
    if (msg.room === demo.room) leaveRoom();
    logSystem(`left ${msg.room}`);
    setStatus('connected', `connected as ${client.name} · node ${client.node}`);
  });
  on('chat', (msg) => logChat(msg.from, msg.text));
  on('error', (msg) => {
    showError(msg.code, msg.message);
    if (demo.game === 'tictactoe') showTttError(msg);
  });
  on('latency', ({ latency }) => { el.latency.textContent = `${Math.round(latency)} ms`; });
  showBandwidth(client);
  on('reconnecting', (info) => {
    setStatus('reconnecting', `reconnecting (attempt ${info.attempt}, ${info.reason})…`);
  });
  on('reconnected', (info) => {
    logSystem(info.resumed ? `reconnected to ${info.node}, session resumed` : `reconnected to ${info.node} as a new player`);
    if (!demo.room) setStatus('connected', `connected as ${client.name} · node ${info.node}`);
  });
  on('close', (info) => {
    if (info.willReconnect) return;
    leaveRoom();
    demo.playerId = null;
    el.latency.textContent = '–';
    if (el.bandwidth) el.bandwidth.textContent = '–';
    setStatus('disconnected', info.code === 1000 ? 'disconnected' : `disconnected (${info.code}${info.reason ? ' ' + info.reason : ''})`);
  });
}

function enterRoom(msg) {
  demo.room = msg.room;
  demo.game = msg.game;
  demo.tick = msg.tick;
  demo.lastState = msg.state;
  prev = null;
  cur = { state: msg.state, at: performance.now() };
  el.arenaView.hidden = msg.game !== 'arena';
  el.tttView.hidden = msg.game !== 'tictactoe';
  if (msg.game === 'arena') {
    learnNames(msg.state);
    renderScoreboard(msg.state);
    sentDir = null;
    sendDirection(); // after a resume the server may still hold an old direction
  } else if (msg.game === 'tictactoe') {
    renderTicTacToe(msg.state);
  }
}

function leaveRoom() {
  demo.room = null;
  demo.game = null;
  demo.tick = null;
  demo.lastState = null;
  demo.rendered = null;
  prev = cur = null;
  el.arenaView.hidden = true;
  el.tttView.hidden = true;
}

function onState(msg) {
  demo.tick = msg.tick;
  demo.lastState = msg.state;
  const at = performance.now();
  if (cur) {
    const gap = at - cur.at;
    if (gap > 0 && gap < 1000) tickMs += 0.1 * (gap - tickMs);
  }
  prev = cur;
  cur = { state: msg.state, at };
  if (demo.game === 'arena') {
    learnNames(msg.state);
    renderScoreboard(msg.state);
  } else if (demo.game === 'tictactoe') {
    renderTicTacToe(msg.state);
  }
}

// ------------------------------------------------------------------ arena

const KEYS = {
  ArrowLeft: 'left', KeyA: 'left', ArrowRight: 'right', KeyD: 'right',
  ArrowUp: 'up', KeyW: 'up', ArrowDown: 'down', KeyS: 'down',
};
const held = new Set();
let sentDir = null; // {dx, dy} last sent

function direction() {
  const dx = (held.has('right') ? 1 : 0) - (held.has('left') ? 1 : 0);
  const dy = (held.has('down') ? 1 : 0) - (held.has('up') ? 1 : 0);
  return { dx, dy };
}

function sendDirection() {
  if (demo.game !== 'arena' || !demo.client) return;
  const dir = direction();
  if (sentDir && sentDir.dx === dir.dx && sentDir.dy === dir.dy) return;
  if (demo.client.input(dir) != null) sentDir = dir;
}

function typingInField(ev) {
  const t = ev.target;
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

window.addEventListener('keydown', (ev) => {
  const key = KEYS[ev.code];
  if (!key || typingInField(ev) || demo.game !== 'arena') return;
  ev.preventDefault();
  held.add(key);
  sendDirection();
});
window.addEventListener('keyup', (ev) => {
  const key = KEYS[ev.code];
  if (!key) return;
  held.delete(key);
  sendDirection();
});
window.addEventListener('blur', () => {
  held.clear();
  sendDirection();
});

function learnNames(state) {
  for (const [id, p] of Object.entries(state.players || {})) names.set(id, p.name);
}

function renderScoreboard(state) {
  const rows = Object.entries(state.players || {})
    .map(([id, p]) => ({ id, name: p.name, score: p.score }))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  const key = rows.map((r) => `${r.id}:${r.name}:${r.score}`).join('|');
  if (el.scoreboard.dataset.key === key) return;
  el.scoreboard.dataset.key = key;
  el.scoreboard.replaceChildren(...rows.map((r) => {
    const li = document.createElement('li');
    li.dataset.player = r.id;
    if (r.id === demo.playerId) li.classList.add('me');
    const name = document.createElement('span');
    name.className = 'who';
    name.textContent = r.name;
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = String(r.score);
    li.append(name, score);
    return li;
  }));
}

function colorFor(id) {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 65% 50%)`;
}

function fitCanvas() {
  const c = el.canvas;
  const dpr = window.devicePixelRatio || 1;
  const size = Math.round(c.clientWidth * dpr);
  if (size > 0 && (c.width !== size || c.height !== size)) {
    c.width = size;
    c.height = size;
  }
}

/** Positions to draw now: between the previous and the latest state, one tick behind the server. */
function interpolated() {
  const players = {};
  if (!cur) return players;
  const now = performance.now();
  const alpha = prev ? Math.min(1, Math.max(0, (now - cur.at) / tickMs)) : 1;
  const before = prev ? prev.state.players || {} : {};
  for (const [id, p] of Object.entries(cur.state.players || {})) {
    const q = before[id];
    if (!q || Math.hypot(p.x - q.x, p.y - q.y) > SNAP_DISTANCE) {
      players[id] = { x: p.x, y: p.y };
    } else {
      players[id] = { x: q.x + (p.x - q.x) * alpha, y: q.y + (p.y - q.y) * alpha };
    }
  }
  return players;
}

function drawArena() {
  if (demo.game !== 'arena' || !cur) return;
  fitCanvas();
  const c = el.canvas;
  const ctx = c.getContext('2d');
  const k = c.width / WORLD;
  const style = getComputedStyle(c);
  ctx.clearRect(0, 0, c.width, c.height);
  ctx.fillStyle = style.getPropertyValue('--arena-bg').trim() || '#f6f7f9';
  ctx.fillRect(0, 0, c.width, c.height);

  ctx.strokeStyle = style.getPropertyValue('--arena-grid').trim() || '#e3e6ea';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let v = 100; v < WORLD; v += 100) {
    ctx.moveTo(v * k, 0); ctx.lineTo(v * k, c.height);
    ctx.moveTo(0, v * k); ctx.lineTo(c.width, v * k);
  }
  ctx.stroke();

  ctx.fillStyle = '#e2b007';
  for (const coin of cur.state.coins || []) {
    ctx.beginPath();
    ctx.arc(coin.x * k, coin.y * k, COIN_RADIUS * k, 0, Math.PI * 2);
    ctx.fill();
  }

  const positions = interpolated();
  demo.rendered = { players: positions };
  const fontPx = Math.max(11, Math.round(14 * k * 1.6));
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  for (const [id, pos] of Object.entries(positions)) {
    const p = cur.state.players[id];
    const x = pos.x * k;
    const y = pos.y * k;
    ctx.beginPath();
    ctx.arc(x, y, PLAYER_RADIUS * k, 0, Math.PI * 2);
    ctx.fillStyle = colorFor(id);
    ctx.fill();
    if (id === demo.playerId) {
      ctx.lineWidth = Math.max(2, 3 * k);
      ctx.strokeStyle = '#111';
      ctx.stroke();
    }
    ctx.fillStyle = '#222';
    ctx.fillText(`${p.name} · ${p.score}`, x, y - PLAYER_RADIUS * k - 4);
  }
}

function frame() {
  drawArena();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// ------------------------------------------------------------------ tic-tac-toe

const LINES = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];

function renderTicTacToe(state) {
  const board = state.board || [];
  const marks = state.marks || {};
  const me = demo.playerId;
  const myMark = marks[me];
  const winLine = LINES.find((l) => board[l[0]] && l.every((i) => board[i] === board[l[0]]));
  cells.forEach((cell, i) => {
    const mark = board[i] || '';
    cell.textContent = mark;
    cell.dataset.mark = mark;
    cell.classList.toggle('win', Boolean(winLine && winLine.includes(i)));
    cell.setAttribute('aria-label', `cell ${i + 1}${mark ? ': ' + mark : ''}`);
  });
  const over = state.winner != null;
  el.tttBoard.classList.toggle('over', over);
  el.tttBoard.classList.toggle('my-turn', !over && state.turn === me);

  let text;
  const you = myMark ? `You are ${myMark}. ` : 'You are watching. ';
  if (state.winner === 'draw') text = `${you}Draw.`;
  else if (state.winner != null) text = state.winner === me ? `${you}You win!` : `${you}${marks[state.winner] || 'Opponent'} wins.`;
  else if (state.turn == null) text = `${you}Waiting for an opponent…`;
  else if (state.turn === me) text = `${you}Your turn.`;
  else text = `${you}Opponent's turn (${marks[state.turn] || '?'}).`;
  el.tttStatus.textContent = text;
  el.tttStatus.dataset.turn = state.turn == null ? '' : state.turn === me ? 'me' : 'opponent';
  el.tttStatus.dataset.winner = state.winner == null ? '' : state.winner === 'draw' ? 'draw' : state.winner === me ? 'me' : 'opponent';
}

let tttErrorTimer = null;
function showTttError(err) {
  el.tttError.textContent = err.message ? `${err.code}: ${err.message}` : err.code;
  el.tttError.dataset.code = err.code;
  clearTimeout(tttErrorTimer);
  tttErrorTimer = setTimeout(() => { el.tttError.textContent = ''; el.tttError.dataset.code = ''; }, 4000);
}

el.tttBoard.addEventListener('click', (ev) => {
  const cell = ev.target.closest('[data-cell]');
  if (!cell || !demo.client || demo.game !== 'tictactoe') return;
  demo.client.input({ cell: Number(cell.dataset.cell) });
});

// ------------------------------------------------------------------ chat and errors

function displayName(id) {
  if (id === demo.playerId) return 'you';
  return names.get(id) || id;
}

function appendChatLine(li) {
  const log = el.chatLog;
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 8;
  log.append(li);
  while (log.children.length > MAX_CHAT_LINES) log.firstElementChild.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function logChat(from, text) {
  const li = document.createElement('li');
  li.dataset.from = from;
  const who = document.createElement('strong');
  who.textContent = `${displayName(from)}: `;
  li.append(who, document.createTextNode(text));
  appendChatLine(li);
}

function logSystem(text) {
  const li = document.createElement('li');
  li.className = 'system';
  li.textContent = text;
  appendChatLine(li);
}

function showError(code, message) {
  const li = document.createElement('li');
  li.dataset.code = code || '';
  const time = new Date().toLocaleTimeString();
  const c = document.createElement('code');
  c.textContent = code || 'error';
  li.append(document.createTextNode(`${time} `), c, document.createTextNode(message ? ` ${message}` : ''));
  el.errors.prepend(li);
  while (el.errors.children.length > MAX_ERRORS) el.errors.lastElementChild.remove();
}

el.chatForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = el.chatInput.value.trim();
  if (!text || !demo.client) return;
  if (demo.client.chat(text)) el.chatInput.value = '';
  else showError('not_connected', 'Not connected: the message was not sent.');
});

/** Bytes received per second (what this page costs the server in egress), refreshed every second. */
let bandwidthTimer = null;
function showBandwidth(client) {
  if (bandwidthTimer) clearInterval(bandwidthTimer);
  let last = client.bytesIn;
  bandwidthTimer = setInterval(() => {
    if (demo.client !== client) { clearInterval(bandwidthTimer); bandwidthTimer = null; return; }
    const perSecond = client.bytesIn - last;
    last = client.bytesIn;
    if (el.bandwidth) {
      el.bandwidth.textContent = perSecond >= 10240 ? `${(perSecond / 1024).toFixed(1)} KB/s` : `${perSecond} B/s`;
      el.bandwidth.title = `${client.options.sync} sync, ${client.options.format}`;
    }
  }, 1000);
}

// ------------------------------------------------------------------ start

function remember(values) {
  try { localStorage.setItem('tickroom-demo', JSON.stringify(values)); } catch (_) { /* private mode */ }
}

function prefill() {
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem('tickroom-demo') || '{}') || {}; } catch (_) { /* ignore */ }
  const q = new URLSearchParams(location.search);
  el.name.value = q.get('name') || saved.name || '';
  el.room.value = q.get('room') || saved.room || el.room.value;
  const game = q.get('game') || saved.game;
  if (game && [...el.game.options].some((o) => o.value === game)) el.game.value = game;
  return q.get('autoconnect') === '1' || q.get('autoconnect') === 'true';
}

el.form.addEventListener('submit', onConnectClicked);
el.disconnect.addEventListener('click', onDisconnectClicked);
setStatus('disconnected', 'disconnected');
if (prefill() && el.name.value) el.form.requestSubmit();

