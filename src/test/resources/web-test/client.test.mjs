// Unit tests of web/tickroom-client.js against a fake WebSocket; no server, no browser.
// Run: node --test src/test/resources/web-test/
import test from 'node:test';
import assert from 'node:assert/strict';
import { TickroomClient } from '../../../main/resources/web/tickroom-client.js';

/** A scripted stand-in for the browser WebSocket: the test plays the server. */
class FakeWebSocket {
  static instances = [];
  static refuse = new Set(); // urls whose connections fail

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedByClient = null;
    FakeWebSocket.instances.push(this);
    setTimeout(() => {
      if (FakeWebSocket.refuse.has(url)) {
        this.readyState = 3;
        this.onerror?.({});
        this.onclose?.({ code: 1006, reason: '' });
      } else {
        this.readyState = 1;
        this.onopen?.({});
      }
    }, 0);
  }

  send(text) {
    assert.equal(typeof text, 'string');
    this.sent.push(JSON.parse(text));
  }

  close(code, reason) {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }

  // ---- the server side
  push(obj) { this.onmessage?.({ data: JSON.stringify(obj) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
  ofType(type) { return this.sent.filter((m) => m.type === type); }

  static reset() { FakeWebSocket.instances = []; FakeWebSocket.refuse = new Set(); }
  static last() { return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]; }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** Waits until cond() holds, polling every few ms. */
async function until(cond, what, ms = 1000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

function newClient(opts = {}) {
  return new TickroomClient('ws://a.example:8080/ws', {
    name: 'ada', WebSocket: FakeWebSocket, backoffBase: 1, backoffMax: 5, pingInterval: 0, ...opts,
  });
}

/** Connects a client and answers its hello with a welcome. */
async function connected(client, player = 'p1', token = 'tok-1') {
  const p = client.connect();
  await until(() => FakeWebSocket.last()?.ofType('hello').length === 1, 'hello');
  FakeWebSocket.last().push({ type: 'welcome', player, node: 'n1', resume: token });
  return p;
}

function record(client, ...types) {
  const log = [];
  for (const t of types) client.on(t, (d) => log.push([t, d]));
  return log;
}

test('connect sends hello and resolves on welcome', async () => {
  FakeWebSocket.reset();
  const c = newClient();
  const welcome = await connected(c);
  const ws = FakeWebSocket.last();
  assert.deepEqual(ws.sent[0], { type: 'hello', name: 'ada' });
  assert.equal(welcome.player, 'p1');
  assert.equal(c.player, 'p1');
  assert.equal(c.resumeToken, 'tok-1');
  assert.equal(c.connected, true);
  c.close();
});

test('input auto-increments seq; join, leave and chat send their messages', async () => {
  FakeWebSocket.reset();
  const c = newClient();
  assert.equal(c.input({ dx: 1, dy: 0 }), null, 'no input before welcome');
  await connected(c);
  const ws = FakeWebSocket.last();
  c.join('r1', 'arena');
  assert.equal(c.input({ dx: 1, dy: 0 }), 1);
  assert.equal(c.input({ dx: 0, dy: 0 }), 2);
  assert.equal(c.input({ dx: -1, dy: 1 }), 3);
  c.chat('hi');
  c.leave();
  assert.deepEqual(ws.sent.slice(1), [
    { type: 'join', room: 'r1', game: 'arena' },
    { type: 'input', seq: 1, data: { dx: 1, dy: 0 } },
    { type: 'input', seq: 2, data: { dx: 0, dy: 0 } },
    { type: 'input', seq: 3, data: { dx: -1, dy: 1 } },
    { type: 'chat', text: 'hi' },
    { type: 'leave' },
  ]);
  c.close();
});

test('server messages update the client and fire events', async () => {
  FakeWebSocket.reset();
  const c = newClient();
  const log = record(c, 'joined', 'state', 'chat', 'error', 'left');
  await connected(c);
  const ws = FakeWebSocket.last();
  ws.push({ type: 'joined', room: 'r1', game: 'tictactoe', player: 'p1', tick: 0, state: { board: [] } });
  ws.push({ type: 'state', room: 'r1', tick: 1, ack: 4, state: { board: [] } });
  ws.push({ type: 'chat', room: 'r1', from: 'p2', text: 'yo' });
  ws.push({ type: 'error', code: 'not_your_turn', message: 'wait' });
  assert.equal(c.room, 'r1');
  assert.equal(c.game, 'tictactoe');
  assert.equal(c.ack, 4);
  assert.equal(c.lastState.tick, 1);
  ws.push({ type: 'left', room: 'r1' });
  assert.equal(c.room, null);
  assert.deepEqual(log.map(([t]) => t), ['joined', 'state', 'chat', 'error', 'left']);
  assert.equal(log[3][1].code, 'not_your_turn');
  c.close();
});

test('latency: pings carry performance.now and pongs give a smoothed round trip', async () => {
  FakeWebSocket.reset();
  const c = newClient({ pingInterval: 20, latencyAlpha: 0.5 });
  const samples = record(c, 'latency');
  await connected(c);
  const ws = FakeWebSocket.last();
  await until(() => ws.ofType('ping').length >= 2, 'two pings');
  for (const p of ws.ofType('ping')) assert.equal(typeof p.t, 'number');

  ws.push({ type: 'pong', t: performance.now() - 40 });
  assert.ok(Math.abs(c.latency - 40) < 5, `first sample sets latency, got ${c.latency}`);
  ws.push({ type: 'pong', t: performance.now() - 140 });
  assert.ok(Math.abs(c.latency - 90) < 5, `smoothed towards 140, got ${c.latency}`);
  ws.push({ type: 'pong', t: 'not a number' }); // someone else's ping: ignored
  assert.equal(samples.length, 2);
  assert.ok(Math.abs(samples[1][1].sample - 140) < 5);
  c.close();
  const count = ws.ofType('ping').length;
  await tick(60);
  assert.equal(ws.ofType('ping').length, count, 'no pings after close');
});

test('an unexpected drop reconnects to the same url and resumes with the token', async () => {
  FakeWebSocket.reset();
  const c = newClient();
  const log = record(c, 'close', 'reconnecting', 'reconnected', 'joined');
  await connected(c, 'p1', 'tok-1');
  const first = FakeWebSocket.last();
  first.push({ type: 'joined', room: 'r1', game: 'arena', player: 'p1', tick: 5, state: {} });
  c.input({ dx: 1, dy: 0 });
  c.input({ dx: 0, dy: 1 });

  first.drop();
  assert.equal(c.connected, false);
  assert.equal(c.input({ dx: 0, dy: 0 }), null, 'inputs are dropped while disconnected');
  await until(() => FakeWebSocket.instances.length === 2 && FakeWebSocket.last().sent.length === 1, 'second hello');
  const second = FakeWebSocket.last();
  assert.equal(second.url, 'ws://a.example:8080/ws');
  assert.deepEqual(second.sent[0], { type: 'hello', name: 'ada', resume: 'tok-1' });

  second.push({ type: 'welcome', player: 'p1', node: 'n1', resume: 'tok-2' });
  second.push({ type: 'joined', room: 'r1', game: 'arena', player: 'p1', tick: 9, state: {} });
  assert.equal(c.resumeToken, 'tok-2');
  assert.equal(second.ofType('join').length, 0, 'a resumed session is put back by the server');
  assert.equal(c.input({ dx: -1, dy: 0 }), 3, 'seq keeps increasing across the reconnect');

  const types = log.map(([t]) => t);
  assert.deepEqual(types, ['joined', 'close', 'reconnecting', 'reconnected', 'joined']);
  assert.equal(log[1][1].willReconnect, true);
  assert.equal(log[2][1].reason, 'connection_lost');
  assert.equal(log[3][1].resumed, true);
  c.close();
});

test('a server `reconnect` message moves to the next url at once, with the resume token', async () => {
  FakeWebSocket.reset();
  const c = newClient({ urls: ['ws://b.example:8081/ws'] });
  const log = record(c, 'reconnecting', 'reconnected');
  await connected(c, 'p1', 'tok-1');
  const first = FakeWebSocket.last();
  first.push({ type: 'reconnect', reason: 'node_leaving', nodes: ['10.0.0.2:8000'] });
  assert.ok(first.closedByClient, 'the client closes the old socket itself');
  assert.equal(log[0][0], 'reconnecting');
  assert.deepEqual(log[0][1], {
    reason: 'node_leaving', nodes: ['10.0.0.2:8000'], attempt: 1, delay: 0, url: 'ws://b.example:8081/ws',
  });
  await until(() => FakeWebSocket.instances.length === 2 && FakeWebSocket.last().sent.length === 1, 'hello on b');
  const second = FakeWebSocket.last();
  assert.equal(second.url, 'ws://b.example:8081/ws');
  assert.equal(second.sent[0].resume, 'tok-1');
  second.push({ type: 'welcome', player: 'p1', node: 'n2', resume: 'tok-2' });
  assert.equal(c.node, 'n2');
  assert.equal(log[1][1].resumed, true);
  c.close();
});

test('nodeUrl maps the announced nodes to WebSocket urls, tried first', async () => {
  FakeWebSocket.reset();
  const c = newClient({ nodeUrl: (hostPort) => `ws://${hostPort.split(':')[0]}:8080/ws` });
  await connected(c);
  FakeWebSocket.last().push({ type: 'reconnect', reason: 'node_leaving', nodes: ['10.0.0.7:8000'] });
  await until(() => FakeWebSocket.instances.length === 2, 'second socket');
  assert.equal(FakeWebSocket.last().url, 'ws://10.0.0.7:8080/ws');
  c.close();
});

test('a refused resume (new player id) joins the last room again', async () => {
  FakeWebSocket.reset();
  const c = newClient();
  const log = record(c, 'reconnected', 'error');
  await connected(c, 'p1', 'tok-1');
  FakeWebSocket.last().push({ type: 'joined', room: 'r7', game: 'tictactoe', player: 'p1', tick: 0, state: {} });
  FakeWebSocket.last().drop();
  await until(() => FakeWebSocket.instances.length === 2 && FakeWebSocket.last().sent.length === 1, 'hello');
  const second = FakeWebSocket.last();
  second.push({ type: 'error', code: 'bad_request', message: 'resume token is invalid or expired; starting a new session' });
  second.push({ type: 'welcome', player: 'p9', node: 'n1', resume: 'tok-9' });
  assert.equal(log[1][1].resumed, false);
  assert.equal(log[1][1].previousPlayer, 'p1');
  assert.equal(c.room, null);
  assert.deepEqual(second.sent[1], { type: 'join', room: 'r7', game: 'tictactoe' });
  c.close();
});

test('reconnect gives up after maxAttempts with capped backoff, and connect() rejects', async () => {
  FakeWebSocket.reset();
  FakeWebSocket.refuse.add('ws://a.example:8080/ws');
  const c = newClient({ maxAttempts: 3, backoffBase: 2, backoffMax: 4 });
  const log = record(c, 'reconnecting', 'close');
  await assert.rejects(c.connect(), /connection closed/);
  const delays = log.filter(([t]) => t === 'reconnecting').map(([, d]) => d.delay);
  assert.equal(delays.length, 3);
  assert.ok(delays[0] >= 2 && delays[0] <= 3, `first delay ${delays[0]}`);
  assert.ok(delays.every((d) => d <= 4 * 1.2 + 1), `capped: ${delays}`);
  const last = log[log.length - 1];
  assert.equal(last[0], 'close');
  assert.equal(last[1].willReconnect, false);
  assert.equal(FakeWebSocket.instances.length, 4, 'first try + 3 retries');
});

test('close() is final: no reconnect', async () => {
  FakeWebSocket.reset();
  const c = newClient();
  const log = record(c, 'close', 'reconnecting');
  await connected(c);
  c.close();
  await tick(30);
  assert.equal(FakeWebSocket.instances.length, 1);
  assert.deepEqual(log.map(([t]) => t), ['close']);
  assert.equal(log[0][1].willReconnect, false);
  assert.equal(c.send({ type: 'ping', t: 1 }), false);
});

test('reconnect: false only reports the close', async () => {
  FakeWebSocket.reset();
  const c = newClient({ reconnect: false });
  const log = record(c, 'close', 'reconnecting');
  await connected(c);
  FakeWebSocket.last().drop();
  await tick(20);
  assert.equal(FakeWebSocket.instances.length, 1);
  assert.deepEqual(log.map(([t]) => t), ['close']);
});
