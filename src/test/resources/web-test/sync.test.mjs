// Compact state sync and the cbor format in web/tickroom-client.js: the PROTOCOL.md test vectors, the string
// table, merge patches, and a client that hands the application full states from patches in binary frames.
// Run: node --test src/test/resources/web-test/
import test from 'node:test';
import assert from 'node:assert/strict';
import { TickroomClient, CborEncoder, CborDecoder, applyMergePatch } from '../../../main/resources/web/tickroom-client.js';

const hex = (s) => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

test('the ping vectors of PROTOCOL.md, both ways', () => {
  const e = new CborEncoder();
  assert.equal(toHex(e.encode({ type: 'ping', t: 1 })), 'a264747970656470696e67617401');
  assert.equal(toHex(e.encode({ type: 'ping', t: 1 })), 'a200d819010201');
  const d = new CborDecoder();
  assert.deepEqual(d.decode(hex('a2 64 74797065 64 70696e67 61 74 01')), { type: 'ping', t: 1 });
  assert.deepEqual(d.decode(hex('a2 00 d8 19 01 02 01')), { type: 'ping', t: 1 });
});

test('the state vectors of PROTOCOL.md decode, with the table carried from one document to the next', () => {
  const d = new CborDecoder();
  const first = hex('a5 64 74797065 65 7374617465 64 726f6f6d 62 7231 64 7469636b 07 63 61636b 03 65 7061746368'
    + ' a1 67 706c6179657273 a1 62 7041 a1 61 78 19 01a1');
  const second = hex('a5 00 d8 19 01 02 62 7231 03 08 04 03 05 a1 06 a1 07 a1 08 19 01a6');
  assert.deepEqual(d.decode(first), { type: 'state', room: 'r1', tick: 7, ack: 3, patch: { players: { pA: { x: 417 } } } });
  assert.deepEqual(d.decode(second), { type: 'state', room: 'r1', tick: 8, ack: 3, patch: { players: { pA: { x: 422 } } } });
  assert.equal(d.table.length, 9);
  assert.equal(toHex(new CborEncoder().encode({ type: 'state', room: 'r1', tick: 7, ack: 3, patch: { players: { pA: { x: 417 } } } })),
    toHex(first));
});

test('value vectors and half floats', () => {
  const vectors = [
    [{ v: 1.5 }, 'a16176fa3fc00000'], [{ v: 0.1 }, 'a16176fb3fb999999999999a'], [{ v: -1 }, 'a1617620'],
    [{ v: [null, true, false, 'ab'] }, 'a1617684f6f5f4626162'], [{ v: 100000 }, 'a161761a000186a0'], [{ v: 'é' }, 'a1617662c3a9'],
  ];
  for (const [value, h] of vectors) {
    assert.equal(toHex(new CborEncoder().encode(value)), h);
    assert.deepEqual(new CborDecoder().decode(hex(h)), value);
  }
  assert.deepEqual(new CborDecoder().decode(hex('a1 61 76 f9 3e00')), { v: 1.5 });
});

test('malformed documents throw and add nothing to the table', () => {
  const d = new CborDecoder();
  for (const bad of ['', 'a1', 'a1 00 01', 'a1 61 76 40', 'a1 61 76 c1 01', 'a1 61 76 5f', 'a1 61 76 01 00', 'a1 61 76 62 c3 28',
    'a1 64 74797065 d8 19 05']) {
    assert.throws(() => d.decode(hex(bad)), undefined, bad);
    assert.equal(d.table.length, 0, bad);
  }
});

test('random documents survive encoder and decoder, tables in step', () => {
  let seed = 1;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const value = (depth) => {
    switch (rnd(depth > 3 ? 6 : 8)) {
      case 0: return null;
      case 1: return rnd(2000) - 1000;
      case 2: return rnd(100) / 4;
      case 3: return ['', 'X', 'ann', 'pQ3xAbCdEf', 'zürich', 'a'.repeat(70)][rnd(6)];
      case 4: return rnd(2) === 0;
      case 5: return 2 ** 40 + rnd(1000);
      case 6: return Array.from({ length: rnd(4) }, () => value(depth + 1));
      default: { const o = {}; for (let i = rnd(5); i > 0; i--) o[['a', 'x', 'players', 'pQ3x', 'é'][rnd(5)]] = value(depth + 1); return o; }
    }
  };
  const e = new CborEncoder();
  const d = new CborDecoder();
  for (let i = 0; i < 2000; i++) {
    const v = { v: value(0) };
    assert.deepEqual(d.decode(e.encode(v)), v);
  }
  assert.equal(d.table.length, e.table.size);
});

test('applyMergePatch follows RFC 7386', () => {
  assert.deepEqual(applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
  assert.deepEqual(applyMergePatch({ a: [1, 2] }, { a: [3] }), { a: [3] });
  assert.deepEqual(applyMergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
  const before = { players: { p1: { x: 1, y: 2 } } };
  applyMergePatch(before, { players: { p1: { x: 5 } } });
  assert.deepEqual(before, { players: { p1: { x: 1, y: 2 } } }, 'the target is not changed');
});

/** A fake WebSocket whose server side speaks the cbor format with its own tables. */
class CborFakeSocket {
  static last = null;
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.enc = new CborEncoder();
    this.dec = new CborDecoder();
    CborFakeSocket.last = this;
    setTimeout(() => { this.readyState = 1; this.onopen?.({}); }, 0);
  }
  send(data) { this.sent.push(typeof data === 'string' ? { text: JSON.parse(data) } : { cbor: this.dec.decode(data) }); }
  close() { this.readyState = 3; }
  pushText(obj) { this.onmessage?.({ data: JSON.stringify(obj) }); }
  pushCbor(obj) { const b = this.enc.encode(obj); this.onmessage?.({ data: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) }); }
}

test('a patch + cbor client says so in hello, sends CBOR after it, and hands the application full states', async () => {
  const client = new TickroomClient('ws://a.example/ws', { name: 'ada', WebSocket: CborFakeSocket, pingInterval: 0, sync: 'patch', format: 'cbor', reconnect: false });
  const states = [];
  client.on('state', (m) => states.push(m.state));
  const p = client.connect();
  while (!CborFakeSocket.last || CborFakeSocket.last.sent.length === 0) await new Promise((r) => setTimeout(r, 2));
  const ws = CborFakeSocket.last;
  assert.deepEqual(ws.sent[0], { text: { type: 'hello', name: 'ada', sync: 'patch', format: 'cbor' } });
  ws.pushText({ type: 'welcome', player: 'p1', node: 'n', resume: 't' });
  await p;
  client.join('r1', 'arena');
  assert.deepEqual(ws.sent[1], { cbor: { type: 'join', room: 'r1', game: 'arena' } });
  ws.pushCbor({ type: 'joined', room: 'r1', game: 'arena', player: 'p1', tick: 1, state: { players: { p1: { x: 1, y: 1, name: 'ada' } }, coins: [] } });
  ws.pushCbor({ type: 'state', room: 'r1', tick: 2, ack: -1, state: { players: { p1: { x: 2, y: 1, name: 'ada' } }, coins: [] } });
  ws.pushCbor({ type: 'state', room: 'r1', tick: 3, ack: -1, patch: { players: { p1: { x: 3 }, p2: { x: 9, y: 9, name: 'bo' } } } });
  ws.pushCbor({ type: 'state', room: 'r1', tick: 4, ack: -1, patch: { players: { p2: null }, coins: [{ x: 1, y: 2 }] } });
  assert.deepEqual(states, [
    { players: { p1: { x: 2, y: 1, name: 'ada' } }, coins: [] },
    { players: { p1: { x: 3, y: 1, name: 'ada' }, p2: { x: 9, y: 9, name: 'bo' } }, coins: [] },
    { players: { p1: { x: 3, y: 1, name: 'ada' } }, coins: [{ x: 1, y: 2 }] },
  ]);
  assert.equal(client.lastState.state.coins.length, 1);
  assert.ok(client.bytesIn > 50);
  client.close();
});
